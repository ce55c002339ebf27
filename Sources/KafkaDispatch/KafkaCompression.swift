/// `compression`: the codec messages are compressed with (librdkafka's `compression.codec`).
/// The config decoder refuses any other value at its file:line:col.
public enum KafkaCompression: String, Sendable, Equatable, CaseIterable {
    case none, gzip, snappy, lz4, zstd

    /// The accepted values, for messages.
    public static let accepted = allCases.map(\.rawValue).joined(separator: ", ")
}
