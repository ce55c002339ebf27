/// A message as the consumer's poll thread hands it over: the payload is librdkafka's own buffer,
/// valid only during the call (parse it there, or copy it).
public struct KafkaConsumedMessage {
    /// Where it was read.
    public var partition: TopicPartition
    /// Its offset within the partition.
    public var offset: Int64
    /// Its value (empty for a tombstone).
    public var payload: UnsafeRawBufferPointer
}

/// What a ``KafkaConsumer`` tells its owner, always on its poll thread, one call at a time. Each
/// call may block the poll thread (waiting for room in a pipeline, for batches to be held, for a
/// restore): librdkafka fetches ahead meanwhile, within its own queue limits.
public protocol KafkaConsumerHandler: AnyObject, Sendable {
    /// A message of an assigned partition, in offset order per partition.
    func consumed(_ message: KafkaConsumedMessage)
    /// The poll found no more messages for now (or a round reached its size): hand on what was gathered.
    func roundEnded()
    /// The poll found nothing for a while (its timeout, 1 s, or events that were no messages):
    /// a chance for housekeeping on the poll thread. Does nothing unless implemented.
    func idle()
    /// The group gave this consumer `partitions`; no message of them arrives before this returns.
    /// Returns start offsets for some of them, used instead of the committed ones, and the ones to
    /// hold paused (taken, as the group's protocol requires, but never fetched).
    func assigned(_ partitions: [TopicPartition]) -> KafkaAssignmentPlan
    /// `partitions` are taken away; the revocation completes when this returns. `lost`: the
    /// consumer was thrown out of the group (session timed out), so committing is pointless.
    func revoked(_ partitions: [TopicPartition], lost: Bool)
}

extension KafkaConsumerHandler {
    public func idle() {}
}
