import CRdKafka

extension KafkaError {
    /// librdkafka error codes that sending the same message again cannot cure: it is too large,
    /// the topic or partition does not exist or is not a valid name, the client is not authorised,
    /// the broker refuses the record's format, or the producer was configured with a bad argument.
    /// Everything else (timeouts, purges, transport errors, brokers down, leader changes, not enough
    /// replicas) may succeed later.
    static let permanentCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
        RD_KAFKA_RESP_ERR_INVALID_RECORD, RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS,
        RD_KAFKA_RESP_ERR__INVALID_ARG,
    ].reduce(into: []) { $0.insert($1.rawValue) }

    /// Whether a delivery that failed with this error would fail again however often it is retried
    /// (a dead letter), rather than possibly succeed later (a spooled message is kept and sent again).
    public var isPermanent: Bool { Self.permanentCodes.contains(code) }

    /// A librdkafka error for `code` with librdkafka's own name and text (tests, synthetic reports).
    public init(rdKafkaCode code: Int32) {
        let err = rd_kafka_resp_err_t(rawValue: code)
        self.init(code: code, name: String(cString: rd_kafka_err2name(err)), reason: String(cString: rd_kafka_err2str(err)))
    }
}
