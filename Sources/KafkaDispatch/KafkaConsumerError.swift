/// Why a consumer could not be created.
public enum KafkaConsumerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka refused a configuration property.
    case configuration(property: String, reason: String)
    /// `rd_kafka_new` failed.
    case creation(reason: String)
    /// `rd_kafka_subscribe` failed.
    case subscription(topics: [String], reason: String)

    public var description: String {
        switch self {
        case .configuration(let p, let r): return "librdkafka rejects \(p): \(r)"
        case .creation(let r): return "cannot create the Kafka consumer: \(r)"
        case .subscription(let t, let r): return "cannot subscribe to \(t.joined(separator: ", ")): \(r)"
        }
    }
}
