import AlertRelayTestSupport
import Foundation
import Locking
import Synchronization
import Testing
@testable import KafkaDispatch

/// Collects the batches `onDeliveries` gets (one per delivery event).
final class BatchCollector: Sendable {
    private let batches = Locked<[[KafkaDeliveryReport]]>([])
    func add(_ b: [KafkaDeliveryReport]) { batches.withLock { $0.append(b) } }
    var all: [[KafkaDeliveryReport]] { batches.withLock { $0 } }
    var reports: [KafkaDeliveryReport] { all.flatMap { $0 } }
}

/// `KafkaProducer.sendBatch` (`rd_kafka_produce_batch`) against `kafka-test-broker` as its own
/// process, read back with kcat: per-message outcomes, order, partitions, delivery events.
@Suite(.serialized) struct KafkaBatchSendTests {
    static let fast = KafkaProducerIntegrationTests.fastReconnect

    /// Sends `messages` as the engine does: one batch call, then the ones refused for a full
    /// queue one by one (waiting for room), in order.
    static func sendAsEngine(_ producer: KafkaProducer, _ messages: [KafkaMessage]) throws -> [Result<UInt64, KafkaSendError>] {
        let results = producer.sendBatch(messages)
        for (i, r) in results.enumerated() where r == .failure(.queueFull) {
            try producer.sendBlocking(messages[i], waitingUpTo: .seconds(60))
        }
        return results
    }

    /// A full queue in the middle of a batch: the messages taken are exactly the first ones, every
    /// later one is refused as queue-full (none taken after a refusal), and once sent again in
    /// order all arrive once, in order.
    @Test func queueFullMidBatchRefusesTheRestAndKeepsOrder() throws {
        let broker = try TestBroker(topics: ["q:1"])
        broker.takeDown()
        let extra = Self.fast + [RdKafkaProperty("queue.buffering.max.messages", "10")]
        let producer = try KafkaProducer(config: KafkaProducerIntegrationTests.cluster(broker.bootstrap), extraProperties: extra)
        let messages = (0..<25).map { KafkaMessage(topic: "q", key: "k", value: String($0)) }
        let results = producer.sendBatch(messages)
        let taken = results.prefix { if case .success = $0 { return true } else { return false } }
        #expect(taken.count == 10)
        #expect(results.dropFirst(10).allSatisfy { $0 == .failure(.queueFull) })
        let sequences = taken.compactMap { try? $0.get() }
        #expect(sequences == Array(sequences[0]...sequences[0] + 9), "consecutive sequence numbers in send order")
        #expect(producer.statistics["q"]?.queued == 10, "refused messages are not counted as queued")
        broker.bringUp()
        for i in 10..<25 { try producer.sendBlocking(messages[i], waitingUpTo: .seconds(60)) }
        #expect(producer.flush(timeout: .seconds(30)))
        producer.close(timeout: .seconds(5))
        let consumed = try Kcat.consume(bootstrap: broker.bootstrap, topic: "q", expecting: 25)
        #expect(consumed.map(\.value) == (0..<25).map(String.init))
    }

    /// Brokers down for 5 s while batches of 25 go out (4 partitions, 20 keys, a small queue so
    /// that batches hit it): every message arrives once, in order per key, on the partition
    /// Kapacitor's crc32 picks.
    @Test func outageMidBatchesLosesNothingAndKeepsOrderPerKey() async throws {
        let broker = try TestBroker(topics: ["ob:4"])
        let deliveries = BatchCollector()
        let extra = Self.fast + [RdKafkaProperty("queue.buffering.max.messages", "300")]
        let producer = try KafkaProducer(config: KafkaProducerIntegrationTests.cluster(broker.bootstrap), extraProperties: extra,
                                         onDeliveries: { deliveries.add($0) })
        let n = 2_500, perBatch = 25, keys = 20
        var queueFull = 0
        for b in 0..<(n / perBatch) {
            if b == 30 {
                // Up again in 5 s, while the sends wait for room (the queue fills first).
                broker.takeDown()
                DispatchQueue.global().asyncAfter(deadline: .now() + 5) { broker.bringUp() }
            }
            let batch = (0..<perBatch).map { j -> KafkaMessage in
                let i = b * perBatch + j
                return KafkaMessage(topic: "ob", key: "k\(i % keys)", value: String(i))
            }
            let results = try Self.sendAsEngine(producer, batch)
            queueFull += results.filter { $0 == .failure(.queueFull) }.count
            if b % 10 == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(producer.flush(timeout: .seconds(120)))
        producer.close(timeout: .seconds(5))
        #expect(queueFull > 0, "the outage filled the queue mid-batch")
        let reports = deliveries.reports
        #expect(reports.count == n)
        #expect(reports.allSatisfy { $0.isDelivered }, "\(reports.compactMap(\.error).prefix(3))")
        #expect(deliveries.all.count < n, "delivery events carry many reports each")

        let consumed = try Kcat.consume(bootstrap: broker.bootstrap, topic: "ob", expecting: n)
        #expect(consumed.count == n, "every message")
        #expect(Set(consumed.map(\.value)).count == n, "once")
        var lastByKey: [String: Int] = [:]
        for m in consumed {
            let value = Int(m.value) ?? -1
            if let last = lastByKey[m.key ?? ""] { #expect(value > last, "order kept for \(m.key ?? "")") }
            lastByKey[m.key ?? ""] = value
            #expect(m.partition == KafkaPartitionAlgorithm.crc32.partition(forKey: Array((m.key ?? "").utf8), partitionCount: 4))
        }
    }

    /// One batch mixing what the batch call handles with what it hands elsewhere: a chosen
    /// partition, a message with headers (sent with produceva), one too large (refused alone,
    /// the later ones still taken), a tombstone, and a second topic.
    @Test func perMessageOutcomesInOneBatch() throws {
        let broker = try TestBroker(topics: ["m:4", "other:2"])
        let deliveries = BatchCollector()
        let extra = Self.fast + [RdKafkaProperty("message.max.bytes", "2000")]
        let producer = try KafkaProducer(config: KafkaProducerIntegrationTests.cluster(broker.bootstrap), extraProperties: extra,
                                         onDeliveries: { deliveries.add($0) })
        var chosen = KafkaMessage(topic: "m", key: "chosen", value: "on-3")
        chosen.partition = 3
        var tombstone = KafkaMessage(topic: "m", key: "gone", value: "ignored")
        tombstone.isTombstone = true
        let batch = [
            KafkaMessage(topic: "m", key: "a", value: "1"),
            chosen,
            KafkaMessage(topic: "m", key: "h", value: "with-headers", headers: [KafkaHeader(name: "x", value: "y")]),
            KafkaMessage(topic: "m", key: "big", value: String(repeating: "z", count: 5000)),
            KafkaMessage(topic: "m", key: "b", value: "2"),
            tombstone,
            KafkaMessage(topic: "other", key: "c", value: "3"),
        ]
        let results = producer.sendBatch(batch)
        #expect(results[3] == .failure(.messageTooLarge(bytes: 5000)))
        let taken = results.enumerated().filter { $0.offset != 3 }.map(\.element)
        #expect(taken.allSatisfy { if case .success = $0 { return true } else { return false } }, "\(results)")
        #expect(producer.flush(timeout: .seconds(20)))
        producer.close(timeout: .seconds(5))
        let reports = deliveries.reports
        #expect(reports.count == 6 && reports.allSatisfy { $0.isDelivered })
        #expect(Set(reports.map(\.sequence)) == Set(taken.compactMap { try? $0.get() }))
        #expect(producer.statistics["m"]?.queued == 5 && producer.statistics["m"]?.delivered == 5)

        let m = try Kcat.consume(bootstrap: broker.bootstrap, topic: "m", expecting: 5)
        #expect(Set(m.map(\.key)) == ["a", "chosen", "h", "b", "gone"])
        #expect(m.first { $0.key == "chosen" }?.partition == 3)
        #expect(m.first { $0.key == "h" }?.headers == ["x": "y"])
        #expect(m.first { $0.key == "gone" }?.value == "", "a tombstone has no value")
        for msg in m where msg.key != "chosen" {
            #expect(msg.partition == KafkaPartitionAlgorithm.crc32.partition(forKey: Array((msg.key ?? "").utf8), partitionCount: 4))
        }
        let other = try Kcat.consume(bootstrap: broker.bootstrap, topic: "other", expecting: 1)
        #expect(other.map(\.value) == ["3"])
    }

    /// A closed producer refuses a whole batch as closed.
    @Test func closedProducerRefusesTheBatch() throws {
        let broker = try TestBroker(topics: ["c:1"])
        let producer = try KafkaProducer(config: KafkaProducerIntegrationTests.cluster(broker.bootstrap), extraProperties: Self.fast)
        producer.close(timeout: .zero)
        let results = producer.sendBatch([KafkaMessage(topic: "c", key: "k", value: "1"), KafkaMessage(topic: "c", key: "k", value: "2")])
        #expect(results == [.failure(.closed), .failure(.closed)])
    }
}
