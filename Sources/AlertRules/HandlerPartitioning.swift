/// How a Kafka handler spreads its alerts over a topic's partitions, as Kapacitor's handler
/// options say it: by the alert ID hashed with `partitionAlgorithm`, or at random with
/// `disablePartitionById`. The domain's reading of the handler file; the Kafka output turns it
/// into librdkafka's partitioner (the hashing itself lives with the producer).
public enum HandlerPartitioning: Sendable, Hashable {
    /// Kapacitor's `partitionAlgorithm` values.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case crc32
        case murmur2
        case murmur3
        case fnv1a = "fnv-1a"

        /// Parses the option; `""` is `crc32`, as in Kapacitor. nil for any other name.
        public init?(option: String) {
            if option.isEmpty {
                self = .crc32
                return
            }
            self.init(rawValue: option)
        }
    }

    /// Hash the alert ID.
    case byAlertID(Algorithm)
    /// `disablePartitionById`: any partition.
    case random

    /// Kapacitor's default: by alert ID with crc32.
    public static let kapacitorDefault = HandlerPartitioning.byAlertID(.crc32)
}
