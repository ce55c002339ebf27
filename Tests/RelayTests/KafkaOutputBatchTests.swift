import AlertRelayTestSupport
import GoDuration
import KafkaDispatch
import Locking
import Testing
@testable import Relay

/// A turn's records through ``KafkaOutput/send(batch:)`` (`rd_kafka_produce_batch`): the
/// outcomes in the records' order, a full queue refusing every later record (the engine then
/// sends those one by one, in order), a lone record through the one-message call.
@Suite(.serialized) struct KafkaOutputBatchTests {
    static func output(_ bootstrap: String, queueLimit: Int? = nil, reports: Locked<[UInt64: Int64]>) throws -> KafkaOutput {
        var cluster = KafkaClusterConfig()
        cluster.enabled = true
        cluster.id = "c"
        cluster.brokers = [bootstrap]
        cluster.batchTimeout = GoDuration(nanoseconds: 5_000_000)
        var extra = [RdKafkaProperty("reconnect.backoff.max.ms", "500"), RdKafkaProperty("log_level", "0")]
        if let queueLimit { extra.append(RdKafkaProperty("queue.buffering.max.messages", String(queueLimit))) }
        let producer = try KafkaProducer(config: cluster, extraProperties: extra) { r in
            if r.isDelivered { reports.withLock { $0[r.sequence] = r.offset } }
        }
        return KafkaOutput(cluster: "c", producer: producer, sendTimeout: .seconds(30))
    }

    static func record(_ i: Int) -> OutputRecord {
        OutputRecord(cluster: "c", message: KafkaMessage(topic: "t", key: "k", value: "m\(i)"))
    }

    @Test func aTurnsRecordsArriveInOrder() async throws {
        let broker = try TestBroker(topics: ["t:1"])
        defer { broker.stop() }
        let reports = Locked<[UInt64: Int64]>([:])
        let output = try Self.output(broker.bootstrap, reports: reports)
        defer { output.close(timeout: .seconds(5)) }
        let lone = output.send(batch: [Self.record(-1)])
        #expect(lone.count == 1 && (try? lone[0].get()) != nil)
        let results = output.send(batch: (0..<40).map(Self.record))
        let sequences = results.compactMap { try? $0.get() }
        #expect(sequences.count == 40, "every record taken: \(results)")
        #expect(sequences == sequences.sorted() && Set(sequences).count == 40)
        #expect(await eventually(timeout: .seconds(10)) { reports.withLock { $0.count } == 41 })
        // One partition: offsets follow the records' order.
        let offsets = reports.withLock { r in sequences.map { r[$0] ?? -1 } }
        #expect(offsets == offsets.sorted() && !offsets.contains(-1), "offsets in send order: \(offsets)")
        #expect(output.statistics.sent == 41)
    }

    @Test func aFullQueueRefusesTheRestOfTheTurn() throws {
        let broker = try TestBroker(topics: ["t:1"])
        defer { broker.stop() }
        broker.takeDown()
        let output = try Self.output(broker.bootstrap, queueLimit: 10, reports: Locked([:]))
        defer { output.close(timeout: .zero) }
        var records = (0..<25).map(Self.record)
        records.insert(OutputRecord(output: "kafka:c", target: .tcp(address: "127.0.0.1:1"), body: []), at: 3)
        let results = output.send(batch: records)
        #expect(results.count == 26)
        #expect(results[3] == .failure(.refused("not a Kafka record")), "only the stray record is refused")
        let kafka = results.enumerated().filter { $0.offset != 3 }.map(\.element)
        #expect(kafka.prefix(10).allSatisfy { (try? $0.get()) != nil }, "the first ten are taken")
        #expect(kafka.dropFirst(10).allSatisfy { $0 == .failure(.queueFull) }, "and every later one refused as queue-full")
    }
}
