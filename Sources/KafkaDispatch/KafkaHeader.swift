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
