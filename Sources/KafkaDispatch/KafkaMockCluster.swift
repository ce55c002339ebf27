import CRdKafka

/// librdkafka's built-in mock Kafka cluster: real Kafka protocol on 127.0.0.1, random ports.
///
/// Used by the `kafka-test-broker` executable; tests and the quick start talk to it as to any
/// Kafka cluster. It keeps about 5 MB per partition and has no TLS listener.
///
/// `@unchecked Sendable` is safe because its stored properties are `let`s set in `init`, and the
/// pointers are only passed to librdkafka's mock-cluster functions, which lock the cluster
/// themselves (they are meant to be called from test threads while the broker threads run).
public final class KafkaMockCluster: @unchecked Sendable {
    private let rk: OpaquePointer
    private let cluster: OpaquePointer
    /// How many brokers the cluster has (ids 1...brokerCount).
    public let brokerCount: Int

    /// Starts a cluster of `brokers` brokers.
    /// - Throws: ``KafkaProducerError/creation(reason:)`` when librdkafka cannot start it.
    public init(brokers: Int) throws(KafkaProducerError) {
        guard brokers >= 1 else { throw .creation(reason: "a mock cluster needs at least one broker") }
        let conf = rd_kafka_conf_new()
        var errstr = [CChar](repeating: 0, count: 512)
        // The mock cluster's own handle must not log connection chatter to stderr.
        _ = rd_kafka_conf_set(conf, "log_level", "3", &errstr, errstr.count)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            throw .creation(reason: errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        guard let cluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
            rd_kafka_destroy(rk)
            throw .creation(reason: "rd_kafka_mock_cluster_new failed")
        }
        self.rk = rk
        self.cluster = cluster
        self.brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(rk)
    }

    /// `host:port,host:port` of every broker.
    public var bootstrapServers: String { String(cString: rd_kafka_mock_cluster_bootstraps(cluster)) }

    /// Creates `topic` with `partitions` partitions (replication factor 1).
    public func createTopic(_ topic: String, partitions: Int) throws(KafkaProducerError) {
        let err = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), 1)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .creation(reason: "cannot create topic \(topic): \(String(cString: rd_kafka_err2str(err)))")
        }
    }

    /// Takes every broker down (connections closed, no new ones accepted) or brings them back up.
    public func setBrokersUp(_ up: Bool) {
        for id in 1...Int32(brokerCount) {
            _ = up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id)
        }
    }
}
