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
    /// A partition chosen by the caller (the state changelog: the input partition's number);
    /// nil: `partitioning` picks one.
    public var partition: Int32? = nil
    /// Sends a null value, whatever `value` holds: a tombstone, which a compacted topic reads as
    /// "this key is gone".
    public var isTombstone = false

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
