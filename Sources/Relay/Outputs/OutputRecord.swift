import AlertRules
import KafkaDispatch
import RelayConfig

/// What the spool keeps and an output sends: the output's identity and the fields that output
/// needs (topic, key and partitioning for Kafka; URL and headers for post; the address for tcp),
/// and the body. Transport-neutral: the spool, re-sends, latency accounting and dead letters work
/// on it for every output.
public struct OutputRecord: Sendable, Equatable {
    /// Where and how the body goes.
    public enum Target: Sendable, Equatable {
        case kafka(topic: String, key: [UInt8]?, partitioning: KafkaPartitioning)
        /// `url`: where this record goes (a URL template already rendered); `json`: the body is the
        /// alert JSON (sent with Content-Type application/json, as Kapacitor); `request`: the
        /// handler's timeout, TLS verification and response capture.
        case post(url: String, headers: [HTTPHeaderOption], json: Bool, request: PostRequestOptions = PostRequestOptions())
        case tcp(address: String)
    }
    /// The output's identity: `kafka:<cluster>`, `post:<endpoint or url>`, `tcp:<address>`.
    public var output: String
    public var target: Target
    public var body: [UInt8]

    public init(output: String, target: Target, body: [UInt8]) {
        self.output = output
        self.target = target
        self.body = body
    }

    /// A Kafka message for `cluster`.
    public init(cluster: String, message m: KafkaMessage) {
        self.init(output: OutputID.kafka(cluster), target: .kafka(topic: m.topic, key: m.key, partitioning: m.partitioning), body: m.value)
    }

    /// The Kafka message this record is, when it is one.
    public var kafkaMessage: KafkaMessage? {
        guard case .kafka(let topic, let key, let partitioning) = target else { return nil }
        return KafkaMessage(topic: topic, key: key, value: body, partitioning: partitioning)
    }

    /// The Kafka cluster of a Kafka record (nil for other outputs).
    public var cluster: String? { OutputID.cluster(of: output) }

    /// The topic, URL or address, for logs and dead letters.
    public var destination: String {
        switch target {
        case .kafka(let topic, _, _): return topic
        case .post(let url, _, _, _): return url
        case .tcp(let address): return address
        }
    }
}

/// Output identities.
public enum OutputID {
    /// `kafka:<cluster>`.
    public static func kafka(_ cluster: String) -> String { "kafka:" + cluster }
    /// The cluster of a Kafka output's identity.
    public static func cluster(of id: String) -> String? { id.hasPrefix("kafka:") ? String(id.dropFirst(6)) : nil }
    /// What metrics and logs call the output: the cluster for Kafka (as before outputs had
    /// identities), else the identity.
    public static func label(_ id: String) -> String { cluster(of: id) ?? id }
}
