import CRdKafka
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Locking
import Logging

/// A librdkafka high-level consumer in a consumer group: cooperative-sticky assignment, offsets
/// committed only when the owner says so (never automatically), and one poll thread that hands
/// every message, assignment and revocation to a ``KafkaConsumerHandler``.
///
/// ```swift
/// let consumer = try KafkaConsumer(cluster: cluster, settings: settings, handler: source)
/// consumer.start()
/// consumer.commit([(TopicPartition(topic: "telegraf", partition: 3), 1200)])
/// consumer.close()   // revokes (handler.revoked), leaves the group, frees librdkafka
/// ```
///
/// The poll thread blocks in `rd_kafka_consumer_poll`, which sleeps on librdkafka's queue until
/// a message, a rebalance or a commit result arrives (or its timeout passes, to notice
/// ``close()``, which also wakes it at once with `rd_kafka_queue_yield`).
public final class KafkaConsumer: Sendable {
    /// Messages handed to the handler before ``KafkaConsumerHandler/roundEnded()`` at the latest.
    static let roundMessages = 5_000
    /// Payload bytes of a round at most.
    static let roundBytes = 8 << 20

    /// The cluster id it reads from.
    public let clusterID: String
    /// The consumer group.
    public let groupID: String
    private let handle: RdKafkaHandle
    /// The consumer's queue (`rd_kafka_queue_get_consumer`), kept to wake the poll with a yield.
    private let queue: RdKafkaHandle
    private let core: ConsumerCore
    private let users = HandleGuard()
    private let pollStop = StopFlag()
    private let pollDone = DispatchSemaphore(value: 0)
    private let phase = Locked(Phase.created)
    private let topics: [String]

    /// Creates the consumer and subscribes it to `settings.topics` (messages flow once ``start()``
    /// runs the poll thread).
    ///
    /// - Parameters:
    ///   - cluster: the `[[kafka]]` section whose brokers, TLS and SASL settings it uses.
    ///   - settings: the group, topics, start position and raw properties.
    ///   - extraProperties: applied last (tests, benchmarks).
    ///   - handler: told of every message and rebalance, on the poll thread.
    /// - Throws: ``KafkaConsumerError`` when librdkafka refuses the configuration or the subscription.
    public init(cluster: KafkaClusterConfig, settings: KafkaConsumerSettings, extraProperties: [RdKafkaProperty] = [],
                handler: any KafkaConsumerHandler, logger: Logger = Logger(label: "alertrelay.kafka-consumer")) throws(KafkaConsumerError) {
        clusterID = cluster.id
        groupID = settings.groupID
        topics = settings.topics
        var logger = logger
        logger[metadataKey: "cluster"] = .string(cluster.id)
        logger[metadataKey: "group"] = .string(settings.groupID)
        let core = ConsumerCore(logger: logger, handler: handler)
        let conf: OpaquePointer
        switch RdKafkaConfiguration.make(settings.librdkafkaProperties(cluster: cluster) + extraProperties) {
        case .success(let c): conf = c
        case .failure(let r): throw .configuration(property: r.name, reason: r.reason)
        }
        let unmanaged = Unmanaged.passRetained(core)
        rd_kafka_conf_set_opaque(conf, unmanaged.toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        rd_kafka_conf_set_offset_commit_cb(conf, offsetCommitCallback)
        rd_kafka_conf_set_error_cb(conf, consumerErrorCallback)
        rd_kafka_conf_set_log_cb(conf, consumerLogCallback)
        let rk: OpaquePointer
        switch RdKafkaConfiguration.client(RD_KAFKA_CONSUMER, conf: conf) {
        case .success(let client): rk = client
        case .failure(let failure):
            unmanaged.release()
            throw .creation(reason: failure.reason)
        }
        // Error and log events go to the consumer's queue, which the poll thread serves.
        _ = rd_kafka_poll_set_consumer(rk)
        let list = TopicPartitionList(settings.topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        let err = rd_kafka_subscribe(rk, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_destroy(rk)
            unmanaged.release()
            throw .subscription(topics: settings.topics, reason: String(cString: rd_kafka_err2str(err)))
        }
        handle = RdKafkaHandle(pointer: rk)
        queue = RdKafkaHandle(pointer: rd_kafka_queue_get_consumer(rk))
        self.core = core
    }

    deinit { close() }

    /// Starts the poll thread (once).
    public func start() {
        guard phase.withLock({ p in
            guard p == .created else { return false }
            p = .running
            return true
        }) else { return }
        let handle = self.handle, core = self.core, stop = pollStop, done = pollDone, clusterID = self.clusterID
        DetachedThread.start("kafka-consumer-\(clusterID)") {
            core.pollLoop(handle.pointer, stop: stop)
            done.signal()
        }
    }

    /// Commits `offsets` (each the next offset to read, as Kafka stores it) for the group.
    /// Asynchronous by default (the result is logged when it fails); `synchronously` waits for the
    /// broker's answer. Safe from any thread; does nothing once closed.
    /// - Returns: the error of a synchronous commit, if any.
    @discardableResult
    public func commit(_ offsets: [(TopicPartition, Int64)], synchronously: Bool = false) -> KafkaError? {
        guard !offsets.isEmpty else { return nil }
        return users.using { () -> KafkaError? in
            let list = TopicPartitionList(offsets.map(\.0))
            for (i, (_, offset)) in offsets.enumerated() { list.pointer.pointee.elems[i].offset = offset }
            let err = rd_kafka_commit(handle.pointer, list.pointer, synchronously ? 0 : 1)
            return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : kafkaConsumerError(err)
        } ?? nil
    }

    /// The partitions' positions (the next offset the consumer reads; nil before the first
    /// message or committed offset is known) and high watermarks (the offset the next produced
    /// message gets, as of the last fetch; nil before one). librdkafka's cached values: no request.
    public func offsets(of partitions: [TopicPartition]) -> [TopicPartition: (position: Int64?, high: Int64?)] {
        guard !partitions.isEmpty else { return [:] }
        return users.using { () -> [TopicPartition: (position: Int64?, high: Int64?)] in
            let list = TopicPartitionList(partitions)
            _ = rd_kafka_position(handle.pointer, list.pointer)
            var out: [TopicPartition: (position: Int64?, high: Int64?)] = [:]
            for (i, tp) in partitions.enumerated() {
                let position = list.pointer.pointee.elems[i].offset
                var low: Int64 = 0, high: Int64 = 0
                let err = rd_kafka_get_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high)
                out[tp] = (position >= 0 ? position : nil, err == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil)
            }
            return out
        } ?? [:]
    }

    /// Client-level errors librdkafka reported so far (brokers down, authentication, ...).
    public var clientErrors: UInt64 { core.clientErrors }
    /// The last client-level error, if any.
    public var lastClientError: KafkaError? { core.lastClientError }
    /// Offset commits the brokers refused (each logged).
    public var commitFailures: UInt64 { core.commitFailures }

    /// Stops the poll thread, which then closes the consumer: its partitions are revoked through
    /// the handler (which may commit there), it leaves the group, and librdkafka is freed. Blocks
    /// until done; a second call returns at once.
    public func close() {
        let before = phase.withLock { p -> Phase in
            defer { p = .closed }
            return p
        }
        switch before {
        case .closed: return
        case .running:
            pollStop.set()
            rd_kafka_queue_yield(queue.pointer)
            pollDone.wait()
        case .created:
            _ = rd_kafka_consumer_close(handle.pointer)
        }
        _ = users.close()
        rd_kafka_queue_destroy(queue.pointer)
        rd_kafka_destroy(handle.pointer)
        Unmanaged.passUnretained(core).release()
    }

    private enum Phase: Sendable {
        case created, running, closed
    }
}

/// Why a consumer could not be created.
public enum KafkaConsumerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka refused a configuration property.
    case configuration(property: String, reason: String)
    /// `rd_kafka_new` failed.
    case creation(reason: String)
    /// `rd_kafka_subscribe` failed.
    case subscription(topics: [String], reason: String)

    public var description: String {
        switch self {
        case .configuration(let p, let r): return "librdkafka rejects \(p): \(r)"
        case .creation(let r): return "cannot create the Kafka consumer: \(r)"
        case .subscription(let t, let r): return "cannot subscribe to \(t.joined(separator: ", ")): \(r)"
        }
    }
}

/// An `rd_kafka_topic_partition_list_t` owned by Swift (destroyed with it).
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ partitions: [TopicPartition]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))
        for p in partitions { _ = rd_kafka_topic_partition_list_add(pointer, p.topic, p.partition) }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// The partitions of a list librdkafka owns.
    static func partitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        guard let list else { return [] }
        var out: [TopicPartition] = []
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            out.append(TopicPartition(topic: e.topic.map { String(cString: $0) } ?? "", partition: e.partition))
        }
        return out
    }

    /// Sets the start offset of the list's partitions that `offsets` names (an assignment that
    /// resumes where restored state ends instead of at the committed offset).
    static func setOffsets(_ offsets: [TopicPartition: Int64], in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            let p = TopicPartition(topic: e.topic.map { String(cString: $0) } ?? "", partition: e.partition)
            if let offset = offsets[p] { list.pointee.elems[i].offset = offset }
        }
    }
}

/// The state librdkafka's C callbacks reach through the configuration's opaque pointer, and the
/// poll loop (which runs on the poll thread only).
final class ConsumerCore: Sendable {
    private struct State: Sendable {
        var lastClientError: KafkaError?
        var clientErrors: UInt64 = 0
        var commitFailures: UInt64 = 0
    }

    let logger: Logger
    let handler: any KafkaConsumerHandler
    private let state = Locked(State())

    init(logger: Logger, handler: any KafkaConsumerHandler) {
        self.logger = logger
        self.handler = handler
    }

    var clientErrors: UInt64 { state.withLock { $0.clientErrors } }
    var lastClientError: KafkaError? { state.withLock { $0.lastClientError } }
    var commitFailures: UInt64 { state.withLock { $0.commitFailures } }

    func clientError(_ error: KafkaError) {
        state.withLock {
            $0.lastClientError = error
            $0.clientErrors += 1
        }
        logger.warning("kafka consumer error", metadata: ["error": .string(error.description)])
    }

    func commitFailed(_ error: KafkaError, _ partitions: [TopicPartition]) {
        state.withLock { $0.commitFailures += 1 }
        logger.warning("offset commit failed; the uncommitted messages are read again after a restart or rebalance",
                       metadata: ["error": .string(error.description), "partitions": .string(partitions.map(\.description).joined(separator: ","))])
    }

    /// The poll thread: hands messages over in rounds until `stop`, then closes the consumer
    /// (which revokes the assignment through the rebalance callback, on this thread).
    func pollLoop(_ rk: OpaquePointer, stop: StopFlag) {
        var topicNames: [OpaquePointer: String] = [:]
        var lastLogged: [Int32: UInt64] = [:]
        func name(_ rkt: OpaquePointer?) -> String {
            guard let rkt else { return "" }
            if let n = topicNames[rkt] { return n }
            let n = String(cString: rd_kafka_topic_name(rkt))
            topicNames[rkt] = n
            return n
        }
        while !stop.isSet {
            var messages = 0
            var bytes = 0
            var timeout: Int32 = 1000
            while messages < KafkaConsumer.roundMessages, bytes < KafkaConsumer.roundBytes, !stop.isSet,
                  let m = rd_kafka_consumer_poll(rk, timeout) {
                timeout = 0
                let message = m.pointee
                if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    messages += 1
                    bytes += message.len
                    let payload = UnsafeRawBufferPointer(start: message.payload, count: message.payload == nil ? 0 : message.len)
                    handler.consumed(KafkaConsumedMessage(partition: TopicPartition(topic: name(message.rkt), partition: message.partition),
                                                          offset: message.offset, payload: payload))
                } else if message.err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    // At most one log line per error code per 10 s: a missing topic repeats itself.
                    let now = DispatchTime.now().uptimeNanoseconds
                    let code = message.err.rawValue
                    if now &- (lastLogged[code] ?? 0) > 10_000_000_000 || lastLogged[code] == nil {
                        lastLogged[code] = now
                        let reason = rd_kafka_message_errstr(m).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(message.err))
                        logger.warning("kafka consumer error", metadata: [
                            "error": .string(kafkaConsumerError(message.err, reason: reason).description),
                            "topic": .string(name(message.rkt)),
                        ])
                    }
                }
                rd_kafka_message_destroy(m)
            }
            if messages > 0 { handler.roundEnded() }
        }
        let err = rd_kafka_consumer_close(rk)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka consumer did not close cleanly", metadata: ["error": .string(kafkaConsumerError(err).description)])
        }
    }

    /// A rebalance, on the poll thread: tell the handler, then apply the change librdkafka asked for.
    func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let partitions = TopicPartitionList.partitions(of: list)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        var failure: OpaquePointer?
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = handler.assigned(partitions)
            if let list, !starts.isEmpty { TopicPartitionList.setOffsets(starts, in: list) }
            if cooperative {
                failure = rd_kafka_incremental_assign(rk, list)
            } else if let e = error(rd_kafka_assign(rk, list)) {
                logger.error("cannot take the assignment", metadata: ["error": .string(e.description)])
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            handler.revoked(partitions, lost: rd_kafka_assignment_lost(rk) != 0)
            if cooperative {
                failure = rd_kafka_incremental_unassign(rk, list)
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("rebalance failed; dropping the assignment", metadata: ["error": .string(kafkaConsumerError(err).description)])
            handler.revoked(partitions, lost: true)
            _ = rd_kafka_assign(rk, nil)
        }
        if let failure {
            logger.error("cannot apply the rebalance", metadata: ["error": .string(String(cString: rd_kafka_error_string(failure)))])
            rd_kafka_error_destroy(failure)
        }
    }

    private func error(_ code: rd_kafka_resp_err_t) -> KafkaError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : kafkaConsumerError(code)
    }
}

func kafkaConsumerError(_ code: rd_kafka_resp_err_t, reason: String? = nil) -> KafkaError {
    KafkaError(code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
               reason: reason ?? String(cString: rd_kafka_err2str(code)))
}

private let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                               UnsafeMutableRawPointer?) -> Void = { rk, err, list, opaque in
    guard let rk, let opaque else { return }
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.rebalance(rk, err, list) }
}

private let offsetCommitCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                                  UnsafeMutableRawPointer?) -> Void = { _, err, list, opaque in
    // _NO_OFFSET: nothing was new to commit.
    guard let opaque, err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
    let partitions = TopicPartitionList.partitions(of: list)
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.commitFailed(kafkaConsumerError(err), partitions) }
}

private let consumerErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let opaque else { return }
    let err = rd_kafka_resp_err_t(rawValue: code)
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef {
        $0.clientError(kafkaConsumerError(err, reason: reason.map { String(cString: $0) }))
    }
}

private let consumerLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, text in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef { core in
        core.logger.log(level: librdkafkaLogLevel(level), "\(text.map { String(cString: $0) } ?? "")",
                        metadata: ["facility": .string(facility.map { String(cString: $0) } ?? "")])
    }
}
