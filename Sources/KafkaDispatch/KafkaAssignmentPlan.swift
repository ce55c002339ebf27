/// How a ``KafkaConsumerHandler`` wants an assignment taken.
public struct KafkaAssignmentPlan: Sendable, Equatable {
    /// Start offsets used instead of the committed ones (partitions left out start as committed).
    public var starts: [TopicPartition: Int64]
    /// Partitions assigned but refused: none of their messages is handed on (or committed), and
    /// each is paused at its first message, so little more is fetched, until they are revoked or
    /// the consumer closes. A handler that refuses partitions (group mode's changelog check)
    /// keeps them this way, so the group does not hand them to anyone else while the refusal lasts.
    public var paused: [TopicPartition]

    /// A plan.
    public init(starts: [TopicPartition: Int64] = [:], paused: [TopicPartition] = []) {
        self.starts = starts
        self.paused = paused
    }
}
