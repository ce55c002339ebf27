/// One partition of one topic: what a consumer group assigns and what an input batch came from.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition's number within the topic.
    public var partition: Int32

    /// Partition `partition` of `topic`.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: TopicPartition, b: TopicPartition) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }

    /// `topic[partition]`, as librdkafka's logs write it.
    public var description: String { "\(topic)[\(partition)]" }
}
