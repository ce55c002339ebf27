import KafkaDispatch
import LineProtocol

/// A `[[kafka-consumer]]` section: line protocol read from Kafka topics in a consumer group, each
/// message one or more lines.
///
/// ```toml
/// [[kafka-consumer]]
///   cluster = "infra"          # the id of a [[kafka]] section: brokers, TLS, SASL
///   topics = ["telegraf"]
///   group-id = "alertrelay"
///   start = "earliest"
///   [kafka-consumer.librdkafka]
///     "fetch.wait.max.ms" = 50
/// ```
public struct KafkaConsumerConfig: Sendable, Equatable {
    /// `enabled`: false keeps the section but starts no consumer (absent: true).
    public var enabled = true
    /// `cluster`: the id of the `[[kafka]]` section to read from.
    public var cluster = KafkaClusterConfig.defaultID
    /// `group-id`, `topics`, `start` and `[kafka-consumer.librdkafka]`.
    public var settings = KafkaConsumerSettings()
    /// `precision`: unit of the timestamps.
    public var precision = Precision.nanoseconds
    /// `database` and `retention-policy`: what the points are tagged with.
    public var destination = PointDestination()

    /// The defaults.
    public init() {}

    /// `kafka-consumer:<group>@<cluster>`, the source's name in logs and metrics.
    public var name: String { "kafka-consumer:\(settings.groupID)@\(cluster)" }
}
