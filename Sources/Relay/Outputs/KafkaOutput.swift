import KafkaDispatch

/// A `[[kafka]]` cluster's producer as an ``AlertOutput``: librdkafka's queue is the output's
/// queue, its delivery reports the output's reports (turned into ``OutputReport``s by the
/// dispatcher's callback, see ``RelayController/makeOutputs``).
final class KafkaOutput: AlertOutput {
    let id: String
    let producer: KafkaProducer
    let sendTimeout: Duration

    init(cluster: String, producer: KafkaProducer, sendTimeout: Duration) {
        id = OutputID.kafka(cluster)
        self.producer = producer
        self.sendTimeout = sendTimeout
    }

    func send(_ record: OutputRecord) throws(OutputSendError) -> UInt64 {
        guard let m = record.kafkaMessage else { throw .refused("not a Kafka record") }
        do throws(KafkaSendError) { return try producer.send(m) } catch { throw Self.map(error) }
    }

    /// A turn's records in `rd_kafka_produce_batch` calls (`KafkaProducer.sendBatch`): at 100
    /// messages a call it measured 1.02–1.15x kcat's rate, against 0.92–0.97x for one
    /// `rd_kafka_produceva` per message in the same series, and level with it when the machine was
    /// slower (BENCHMARKS.md, "Kafka: the sender serves its reports"). A lone record keeps the
    /// one-message call, which does less around it.
    func send(batch records: [OutputRecord]) -> [Result<UInt64, OutputSendError>] {
        if records.count == 1 { return [Result { () throws(OutputSendError) in try send(records[0]) }] }
        let asMessages = records.map(\.kafkaMessage)
        let messages = asMessages.compactMap { $0 }
        let sent = producer.sendBatch(messages).map { $0.mapError(Self.map) }
        guard messages.count < records.count else { return sent }
        // Only Kafka records are routed here; should another kind come, it alone is refused.
        var next = sent.makeIterator()
        return asMessages.map { $0 == nil ? .failure(.refused("not a Kafka record")) : next.next()! }
    }

    func sendBlocking(_ record: OutputRecord, waitingUpTo timeout: Duration) throws(OutputSendError) -> UInt64 {
        guard let m = record.kafkaMessage else { throw .refused("not a Kafka record") }
        do throws(KafkaSendError) { return try producer.sendBlocking(m, waitingUpTo: timeout) } catch { throw Self.map(error) }
    }

    static func map(_ e: KafkaSendError) -> OutputSendError {
        switch e {
        case .queueFull: return .queueFull
        case .closed: return .closed
        default: return .refused(e.description)
        }
    }

    func purgeQueued() { producer.purgeQueued() }
    var outstanding: Int { producer.outstanding }
    func flush(timeout: Duration) -> Bool { producer.flush(timeout: timeout) }
    func close(timeout: Duration) { producer.close(timeout: timeout) }

    var statistics: OutputStatistics {
        var s = OutputStatistics()
        for t in producer.statistics.values {
            s.sent += t.queued
            s.delivered += t.delivered
            s.failed += t.failed
        }
        return s
    }
}

extension OutputReport {
    /// librdkafka's report in the outputs' terms (its permanence as ``KafkaError/isPermanent`` says).
    init(_ r: KafkaDeliveryReport) {
        self.init(sequence: r.sequence, latencyMicroseconds: r.latencyMicroseconds,
                  error: r.error.map { OutputFailure($0.description, permanent: $0.isPermanent) }, destination: r.topic)
    }
}
