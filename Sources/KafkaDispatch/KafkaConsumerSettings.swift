/// Where a new consumer group starts reading a partition that has no committed offset.
public enum KafkaConsumerStart: String, Sendable, Equatable, CaseIterable {
    /// The oldest message the broker still keeps.
    case earliest
    /// Only messages produced after the group first joined.
    case latest
}

/// What a `[[kafka-consumer]]` section asks librdkafka for, beside its cluster's connection
/// settings: the group, the topics and where a new group starts.
public struct KafkaConsumerSettings: Sendable, Equatable {
    /// `group-id`: the consumer group; relays with the same group split the partitions.
    public var groupID = ""
    /// `topics`: what to subscribe to (at least one).
    public var topics: [String] = []
    /// `start`: `auto.offset.reset` for partitions without a committed offset.
    public var start = KafkaConsumerStart.latest
    /// `[kafka-consumer.librdkafka]`: raw librdkafka properties, applied last.
    public var librdkafka: [String: String] = [:]

    /// The defaults (start at the latest message).
    public init() {}

    /// The properties a consumer of `cluster` is created with, in the order they are applied.
    ///
    /// Offsets are committed by the relay only (`enable.auto.commit=false`,
    /// `enable.auto.offset.store=false`): a message's offset is committed once its points were
    /// evaluated and their alerts durably held, never on a timer.
    public func librdkafkaProperties(cluster: KafkaClusterConfig) -> [RdKafkaProperty] {
        var p = cluster.connectionProperties()
        p += [
            .init("group.id", groupID),
            .init("partition.assignment.strategy", "cooperative-sticky"),
            .init("enable.auto.commit", "false"),
            .init("enable.auto.offset.store", "false"),
            .init("auto.offset.reset", start.rawValue),
            .init("enable.partition.eof", "false"),
        ]
        for name in librdkafka.keys.sorted() {
            if let value = librdkafka[name] { p.append(.init(name, value)) }
        }
        return p
    }

    /// The first property librdkafka refuses for a consumer of `cluster`, as `name: reason`.
    public func librdkafkaProblem(cluster: KafkaClusterConfig) -> (name: String, reason: String)? {
        RdKafkaConfiguration.firstRejection(of: librdkafkaProperties(cluster: cluster)).map { ($0.name, $0.reason) }
    }
}
