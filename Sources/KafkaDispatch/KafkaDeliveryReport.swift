/// The outcome of one produced message, as librdkafka reports it.
public struct KafkaDeliveryReport: Sendable, Equatable {
    /// The number ``KafkaProducer/send(_:)`` returned for this message.
    public var sequence: UInt64
    /// The topic the message was sent to.
    public var topic: String
    /// The partition it was written to (or -1 when it never was).
    public var partition: Int32
    /// Its offset in the partition (or -1).
    public var offset: Int64
    /// Microseconds from `send` to this report.
    public var latencyMicroseconds: Int64
    /// Why it failed; nil when the broker acknowledged it.
    public var error: KafkaError?

    /// Whether the broker acknowledged the message.
    public var isDelivered: Bool { error == nil }
}
