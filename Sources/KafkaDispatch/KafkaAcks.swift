/// `acks`: how many brokers must have a message before it counts as delivered (librdkafka's
/// `acks`). The config decoder refuses any other value at its file:line:col.
public enum KafkaAcks: String, Sendable, Equatable, CaseIterable {
    /// Every in-sync replica (`"all"`, also `-1`): the only one the idempotent producer accepts.
    case all
    /// The partition leader alone (`1`).
    case leader = "1"
    /// None: fire and forget (`0`).
    case none = "0"

    /// Reads the option as written: `"all"`, `"-1"`, `"1"`, `"0"` (or the numbers -1, 1, 0).
    public init?(option: String) {
        if option == "-1" { self = .all } else if let v = KafkaAcks(rawValue: option) { self = v } else { return nil }
    }

    /// What librdkafka's `acks` property gets.
    public var librdkafkaValue: String { rawValue }

    /// The accepted spellings, for messages.
    public static let accepted = "\"all\" (or -1), 1 or 0"
}
