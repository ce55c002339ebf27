import KafkaDispatch

/// Told when a `[[kafka-consumer]]` gains or loses input partitions: the hook for state that
/// follows its partition (group mode restores a partition's alert state from its changelog before
/// its points are evaluated, and flushes it when the partition moves away).
///
/// ```swift
/// struct Restorer: PartitionAssignmentObserver {
///     func assigned(_ partitions: [TopicPartition]) async -> PartitionRestore { /* read the changelog */ PartitionRestore() }
///     func revoked(_ partitions: [TopicPartition], lost: Bool, timeout: Duration) async { /* flush state */ }
/// }
/// ```
///
/// Both are awaited on the consumer's poll thread: while one runs, no message of any partition is
/// handed on.
public protocol PartitionAssignmentObserver: Sendable {
    /// `partitions` are now this relay's. Awaited before any message of them is handed to the
    /// engine (and before the first assignment makes `/ready` pass). Returns where to start
    /// partitions instead of their committed offsets (the offset the restored state ends at: the
    /// state already includes the messages before it; partitions left out start as committed),
    /// and the partitions it refuses (kept paused: nothing of them is read, evaluated or committed).
    func assigned(_ partitions: [TopicPartition]) async -> PartitionRestore
    /// `partitions` are taken away. Awaited after the batches of them already handed on were held
    /// and their offsets committed (or the wait for that gave up, see
    /// ``KafkaConsumerConfig/revokeTimeout``), and before the revocation completes; `lost`
    /// partitions (the relay was thrown out of the group) are reported here too, uncommitted.
    /// `timeout`: what is left of the revocation's time; the observer returns within it.
    func revoked(_ partitions: [TopicPartition], lost: Bool, timeout: Duration) async
}
