/// Group mode: the input partition that owns a group of alert state — the partition (of a
/// stream, e.g. a Kafka topic) its first point came from. Producers key points by series, so one
/// group's points share a partition; when the partition moves to another instance, its groups
/// move with it (written to the changelog, restored there, dropped here).
public struct StateOwner: Hashable, Sendable, CustomStringConvertible {
    /// The stream (Kafka topic) the partition belongs to.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}
