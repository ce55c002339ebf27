import Testing
@testable import KafkaDispatch

/// The producer's per-topic counters and its error classification, without a broker.
@Suite struct KafkaProducerAccountingTests {
    /// A send librdkafka refuses is taken back out of `queued` (the statistics' in-flight count
    /// would otherwise stay one too high for good), and one it takes stays counted.
    @Test func aRefusedSendIsNotCountedAsQueued() {
        let topic = TopicState(name: "t")
        #expect(throws: KafkaSendError.queueFull) {
            try topic.countingQueued { () throws(KafkaSendError) in throw .queueFull }
        }
        #expect(topic.statistics.queued == 0 && topic.statistics.inFlight == 0)
        #expect(throws: Never.self) { try topic.countingQueued { () throws(KafkaSendError) in } }
        #expect(topic.statistics.queued == 1)
    }

    /// Too large, invalid topic and authorisation errors are permanent; timeouts, purges and
    /// transport errors are worth sending again.
    @Test func permanentAndRetriableDeliveryErrors() {
        for code: Int32 in [10, 17, 29, 31, -188, -190] {
            #expect(KafkaError(rdKafkaCode: code).isPermanent, "\(KafkaError(rdKafkaCode: code))")
        }
        // _MSG_TIMED_OUT, _TRANSPORT, _ALL_BROKERS_DOWN, _PURGE_QUEUE, _PURGE_INFLIGHT,
        // NOT_LEADER_FOR_PARTITION, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT.
        for code: Int32 in [-192, -195, -187, -152, -151, 6, 19, 7] {
            #expect(!KafkaError(rdKafkaCode: code).isPermanent, "\(KafkaError(rdKafkaCode: code))")
        }
        #expect(KafkaError(rdKafkaCode: -192).name == "_MSG_TIMED_OUT")
    }
}
