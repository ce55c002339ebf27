import KafkaDispatch

/// What a ``PartitionAssignmentObserver`` made of an assignment.
public struct PartitionRestore: Sendable, Equatable {
    /// Start offsets used instead of the committed ones.
    public var starts: [TopicPartition: Int64]
    /// Partitions it refuses (group mode: a changelog topic whose partition count differs from
    /// the input's); the consumer keeps them paused.
    public var refused: [TopicPartition]

    /// An outcome.
    public init(starts: [TopicPartition: Int64] = [:], refused: [TopicPartition] = []) {
        self.starts = starts
        self.refused = refused
    }
}
