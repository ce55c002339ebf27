/// `sasl-mechanism`: how the producer authenticates to the brokers (librdkafka's
/// `sasl.mechanisms`). The config decoder refuses any other value at its file:line:col.
public enum KafkaSASLMechanism: String, Sendable, Equatable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"

    /// The accepted values, for messages.
    public static let accepted = allCases.map(\.rawValue).joined(separator: ", ")
}
