/// Counters for one topic of one producer.
public struct KafkaTopicStatistics: Sendable, Equatable {
    /// Messages accepted by ``KafkaProducer/send(_:)``.
    public var queued: UInt64 = 0
    /// Messages the brokers acknowledged.
    public var delivered: UInt64 = 0
    /// Messages reported failed.
    public var failed: UInt64 = 0
    /// The last delivery error, if any.
    public var lastError: KafkaError?

    /// Counts as given (none by default).
    public init(queued: UInt64 = 0, delivered: UInt64 = 0, failed: UInt64 = 0, lastError: KafkaError? = nil) {
        self.queued = queued
        self.delivered = delivered
        self.failed = failed
        self.lastError = lastError
    }

    /// Messages sent but not yet reported.
    public var inFlight: UInt64 { queued &- delivered &- failed }
}
