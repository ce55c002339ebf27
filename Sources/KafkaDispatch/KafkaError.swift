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
