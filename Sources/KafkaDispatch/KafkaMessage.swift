/// A message to produce: topic, optional key, value, headers and how to pick its partition.
public struct KafkaMessage: Sendable, Equatable {
    /// The Kafka topic (created by the broker if it auto-creates topics).
    public var topic: String
    /// The message key; alert messages carry the alert ID here. `nil` sends no key.
    public var key: [UInt8]?
    /// The message body.
    public var value: [UInt8]
    /// Kafka record headers, in order.
    public var headers: [KafkaHeader]
    /// How the partition is chosen (default: crc32 of the key, as Kapacitor).
    public var partitioning: KafkaPartitioning

    /// A message for `topic`.
    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [],
                partitioning: KafkaPartitioning = .kapacitorDefault) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partitioning = partitioning
    }

    /// A message with a text key and value.
    public init(topic: String, key: String?, value: String, headers: [KafkaHeader] = [],
                partitioning: KafkaPartitioning = .kapacitorDefault) {
        self.init(topic: topic, key: key.map { Array($0.utf8) }, value: Array(value.utf8),
                  headers: headers, partitioning: partitioning)
    }
}

/// One Kafka record header.
public struct KafkaHeader: Sendable, Equatable {
    /// Header name.
    public var name: String
    /// Header value; `nil` is a null header value.
    public var value: [UInt8]?

    /// A header `name: value`.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header with a text value.
    public init(name: String, value: String) {
        self.init(name: name, value: Array(value.utf8))
    }
}

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

/// An error code from librdkafka with its name and text.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value.
    public var code: Int32
    /// The code's name, e.g. `_MSG_TIMED_OUT`.
    public var name: String
    /// librdkafka's explanation.
    public var reason: String

    /// An error with librdkafka's code, name and reason.
    public init(code: Int32, name: String, reason: String) {
        self.code = code
        self.name = name
        self.reason = reason
    }

    public var description: String { "\(reason) (\(name))" }
}

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
