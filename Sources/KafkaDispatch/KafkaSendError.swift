/// Why ``KafkaProducer/send(_:)`` did not take a message.
public enum KafkaSendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The local queue is full: slow down and try again (the producer never drops silently).
    case queueFull
    /// The message is larger than `message.max.bytes`.
    case messageTooLarge(bytes: Int)
    /// The producer was closed.
    case closed
    /// The topic name is not acceptable to librdkafka.
    case invalidTopic(String, reason: String)
    /// Any other refusal from librdkafka.
    case refused(KafkaError)

    public var description: String {
        switch self {
        case .queueFull: return "the producer's local queue is full (queue.buffering.max.messages); the brokers are not keeping up"
        case .messageTooLarge(let n): return "message of \(n) bytes is larger than message.max.bytes"
        case .closed: return "the producer is closed"
        case .invalidTopic(let t, let r): return "topic \"\(t)\" is not usable: \(r)"
        case .refused(let e): return "librdkafka refused the message: \(e)"
        }
    }
}
