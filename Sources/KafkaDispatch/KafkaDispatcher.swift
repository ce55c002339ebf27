import Logging

/// One producer per enabled `[[kafka]]` cluster id: the single place alert messages leave the relay.
///
/// ```swift
/// let dispatcher = try KafkaDispatcher(clusters: config.kafka) { cluster, report in ... }
/// try dispatcher.send(KafkaMessage(topic: "cpu-alerts", key: id, value: body), to: "infra-monitoring")
/// ```
public final class KafkaDispatcher: Sendable {
    private let producers: [String: KafkaProducer]

    /// Creates a producer for every enabled cluster.
    /// - Parameters:
    ///   - onDelivery: called with the cluster id and the report of each message.
    ///   - onDeliveries: called with the cluster id and the reports of one delivery event (one
    ///     produce response for one partition), for bookkeeping done once per batch.
    public init(clusters: [KafkaClusterConfig],
                extraProperties: [RdKafkaProperty] = [],
                logger: Logger = Logger(label: "alertrelay.kafka"),
                onDelivery: (@Sendable (String, KafkaDeliveryReport) -> Void)? = nil,
                onDeliveries: (@Sendable (String, [KafkaDeliveryReport]) -> Void)? = nil) throws(KafkaProducerError) {
        var producers: [String: KafkaProducer] = [:]
        for cluster in clusters where cluster.enabled {
            let id = cluster.id
            var perCluster: (@Sendable (KafkaDeliveryReport) -> Void)?
            if let onDelivery {
                perCluster = { report in onDelivery(id, report) }
            }
            var batchPerCluster: (@Sendable ([KafkaDeliveryReport]) -> Void)?
            if let onDeliveries {
                batchPerCluster = { reports in onDeliveries(id, reports) }
            }
            do throws(KafkaProducerError) {
                producers[id] = try KafkaProducer(config: cluster, extraProperties: extraProperties, logger: logger,
                                                  onDelivery: perCluster, onDeliveries: batchPerCluster)
            } catch {
                for p in producers.values { p.close(timeout: .zero) }
                throw error
            }
        }
        self.producers = producers
    }

    /// The ids of the clusters with a producer.
    public var clusterIDs: [String] { producers.keys.sorted() }

    /// The producer of cluster `id`.
    public func producer(for id: String) -> KafkaProducer? { producers[id] }

    /// Queues `message` on cluster `id` without blocking.
    @discardableResult
    public func send(_ message: KafkaMessage, to id: String) throws(KafkaDispatchError) -> UInt64 {
        guard let producer = producers[id] else { throw .unknownCluster(id) }
        do {
            return try producer.send(message)
        } catch {
            throw .send(cluster: id, error)
        }
    }

    /// Counters per cluster id, then per topic.
    public var statistics: [String: [String: KafkaTopicStatistics]] { producers.mapValues(\.statistics) }

    /// Flushes every producer; true when all are drained.
    public func flush(timeout: Duration) -> Bool {
        producers.values.allSatisfy { $0.flush(timeout: timeout) }
    }

    /// Flushes and closes every producer.
    public func close(timeout: Duration) {
        for p in producers.values { p.close(timeout: timeout) }
    }
}

/// Why the dispatcher did not take a message.
public enum KafkaDispatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No enabled `[[kafka]]` section has this id.
    case unknownCluster(String)
    /// The cluster's producer refused the message.
    case send(cluster: String, KafkaSendError)

    public var description: String {
        switch self {
        case .unknownCluster(let id): return "unknown cluster \"\(id)\""
        case .send(let id, let e): return "cluster \"\(id)\": \(e)"
        }
    }
}
