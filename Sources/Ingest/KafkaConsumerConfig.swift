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
///   changelog-flush-interval = "100ms"
///   revoke-timeout = "30s"
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
    /// `changelog-flush-interval`: at most this long between a batch and the changelog flush that
    /// covers it (Kafka Streams' `commit.interval.ms`): its offset commit waits for that flush, so
    /// shorter means fewer duplicates after a crash, longer fewer records for a busy group.
    public var changelogFlushInterval = Self.defaultChangelogFlushInterval
    /// `revoke-timeout`: how long a revocation (rebalance, reload) waits for the partitions'
    /// batches to be held and committed, and then for their state to reach the changelog, before
    /// it lets them go anyway (their new owner replays from what the changelog has).
    public var revokeTimeout = Self.defaultRevokeTimeout

    /// 100 ms: short, since commits wait for the flush; long enough to write a busy group once
    /// per interval rather than per point.
    public static let defaultChangelogFlushInterval = Duration.milliseconds(100)
    /// 30 s.
    public static let defaultRevokeTimeout = Duration.seconds(30)

    /// The defaults.
    public init() {}

    /// `kafka-consumer:<group>@<cluster>`, the source's name in logs and metrics.
    public var name: String { "kafka-consumer:\(settings.groupID)@\(cluster)" }
}
