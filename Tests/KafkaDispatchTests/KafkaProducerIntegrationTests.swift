import AlertRelayTestSupport
import Foundation
import Synchronization
import Testing
@testable import KafkaDispatch

/// Collects delivery reports from the poll thread.
final class ReportCollector: Sendable {
    private let reports = Locked<[KafkaDeliveryReport]>([])
    func add(_ r: KafkaDeliveryReport) { reports.withLock { $0.append(r) } }
    var all: [KafkaDeliveryReport] { reports.withLock { $0 } }
    var count: Int { reports.withLock { $0.count } }
}

/// Against `kafka-test-broker` started as its own process; read back with kcat.
@Suite(.serialized) struct KafkaProducerIntegrationTests {
    static func cluster(_ bootstrap: String) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        c.enabled = true
        c.id = "test"
        c.brokers = bootstrap.split(separator: ",").map(String.init)
        c.batchTimeout = GoDurationMilliseconds(5)
        return c
    }

    static let fastReconnect = [RdKafkaProperty("reconnect.backoff.max.ms", "500"), RdKafkaProperty("log_level", "0")]

    @Test func tenThousandKeyedMessagesWithHeaders() throws {
        let broker = try TestBroker(topics: ["alerts:4"])
        let reports = ReportCollector()
        let producer = try KafkaProducer(config: Self.cluster(broker.bootstrap), extraProperties: Self.fastReconnect) { reports.add($0) }
        let n = 10_000
        var sequenceByIndex: [UInt64] = []
        for i in 0..<n {
            let message = KafkaMessage(topic: "alerts", key: "cpu:host=h\(i % 37)", value: "{\"n\":\(i)}",
                                       headers: [KafkaHeader(name: "source", value: "alertrelay"), KafkaHeader(name: "n", value: String(i))])
            sequenceByIndex.append(try producer.sendBlocking(message, waitingUpTo: .seconds(30)))
        }
        #expect(producer.flush(timeout: .seconds(30)))
        #expect(reports.count == n)
        #expect(reports.all.allSatisfy { $0.isDelivered })
        #expect(Set(reports.all.map(\.sequence)) == Set(sequenceByIndex))
        let stats = producer.statistics["alerts"]
        #expect(stats?.queued == UInt64(n) && stats?.delivered == UInt64(n) && stats?.failed == 0)
        producer.close(timeout: .seconds(5))

        let consumed = try Kcat.consume(bootstrap: broker.bootstrap, topic: "alerts", expecting: n)
        #expect(consumed.count == n)
        var seen = Set<Int>()
        for m in consumed {
            let i = Int(m.value.dropFirst(5).dropLast()) ?? -1
            seen.insert(i)
            #expect(m.key == "cpu:host=h\(i % 37)")
            #expect(m.headers == ["source": "alertrelay", "n": String(i)])
            let expected = KafkaPartitionAlgorithm.crc32.partition(forKey: Array((m.key ?? "").utf8), partitionCount: 4)
            #expect(m.partition == expected)
        }
        #expect(seen == Set(0..<n))
    }

    @Test(arguments: KafkaPartitionAlgorithm.allCases)
    func partitionsOnTheWireMatchKapacitor(algorithm: KafkaPartitionAlgorithm) throws {
        let broker = try TestBroker(topics: ["p:7"])
        let reports = ReportCollector()
        let producer = try KafkaProducer(config: Self.cluster(broker.bootstrap), extraProperties: Self.fastReconnect) { reports.add($0) }
        var keyBySequence: [UInt64: String] = [:]
        for i in 0..<300 {
            let key = "rule-\(i):host=server\(i * 13)"
            keyBySequence[try producer.send(KafkaMessage(topic: "p", key: key, value: "v", partitioning: .byKey(algorithm)))] = key
        }
        #expect(producer.flush(timeout: .seconds(20)))
        producer.close(timeout: .seconds(5))
        #expect(reports.count == 300)
        for r in reports.all {
            let key = Array((keyBySequence[r.sequence] ?? "").utf8)
            #expect(r.partition == algorithm.partition(forKey: key, partitionCount: 7))
        }
    }

    @Test func randomPartitioningSpreadsOneKey() throws {
        let broker = try TestBroker(topics: ["r:8"])
        let reports = ReportCollector()
        let producer = try KafkaProducer(config: Self.cluster(broker.bootstrap), extraProperties: Self.fastReconnect) { reports.add($0) }
        for _ in 0..<400 { try producer.send(KafkaMessage(topic: "r", key: "same-id", value: "v", partitioning: .random)) }
        #expect(producer.flush(timeout: .seconds(20)))
        producer.close(timeout: .seconds(5))
        #expect(Set(reports.all.map(\.partition)).count == 8)
    }

    /// Brokers down for 10 s in the middle of sending: everything arrives, once, in order per key.
    @Test func outageLosesNothing() async throws {
        let broker = try TestBroker(topics: ["outage:4"])
        let reports = ReportCollector()
        let producer = try KafkaProducer(config: Self.cluster(broker.bootstrap), extraProperties: Self.fastReconnect) { reports.add($0) }
        let n = 3_000
        let keys = 20
        for i in 0..<n {
            if i == 1_000 { broker.takeDown() }
            if i == 2_000 {
                try await Task.sleep(for: .seconds(10))
                broker.bringUp()
            }
            try producer.sendBlocking(KafkaMessage(topic: "outage", key: "k\(i % keys)", value: String(i)), waitingUpTo: .seconds(60))
            if i % 100 == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(producer.flush(timeout: .seconds(120)))
        producer.close(timeout: .seconds(5))
        #expect(reports.count == n)
        let errors = reports.all.compactMap(\.error)
        #expect(errors.isEmpty, "\(errors.prefix(3))")

        let consumed = try Kcat.consume(bootstrap: broker.bootstrap, topic: "outage", expecting: n)
        #expect(consumed.count == n, "every message once")
        #expect(Set(consumed.map(\.value)).count == n, "no duplicates")
        var lastByKey: [String: Int] = [:]
        for m in consumed {  // partition, then offset order
            let value = Int(m.value) ?? -1
            if let last = lastByKey[m.key ?? ""] { #expect(value > last, "order kept for \(m.key ?? "")") }
            lastByKey[m.key ?? ""] = value
        }
    }

    @Test func fullQueuePushesBack() throws {
        let broker = try TestBroker(topics: ["q:1"])
        broker.takeDown()
        let extra = Self.fastReconnect + [RdKafkaProperty("queue.buffering.max.messages", "10")]
        let producer = try KafkaProducer(config: Self.cluster(broker.bootstrap), extraProperties: extra)
        var accepted = 0
        var pushedBack = false
        for _ in 0..<50 {
            do {
                try producer.send(KafkaMessage(topic: "q", key: "k", value: "v"))
                accepted += 1
            } catch .queueFull {
                pushedBack = true
                break
            }
        }
        #expect(pushedBack)
        #expect(accepted == 10)
        producer.close(timeout: .zero)
    }

    @Test func closeReportsWhatWasNotDelivered() throws {
        let broker = try TestBroker(topics: ["c:1"])
        broker.takeDown()
        let reports = ReportCollector()
        let producer = try KafkaProducer(config: Self.cluster(broker.bootstrap), extraProperties: Self.fastReconnect) { reports.add($0) }
        for i in 0..<5 { try producer.send(KafkaMessage(topic: "c", key: "k", value: String(i))) }
        producer.close(timeout: .milliseconds(200))
        #expect(reports.count == 5)
        let names = Set(reports.all.compactMap { $0.error?.name })
        #expect(names.isSubset(of: ["_PURGE_QUEUE", "_PURGE_INFLIGHT"]) && !names.isEmpty, "\(reports.all)")
        #expect(throws: KafkaSendError.closed) { try producer.send(KafkaMessage(topic: "c", key: "k", value: "late")) }
    }

    @Test func dispatcherRoutesByClusterID() throws {
        let a = try TestBroker(topics: ["t:1"])
        let b = try TestBroker(topics: ["t:1"])
        var ca = Self.cluster(a.bootstrap)
        ca.id = "a"
        var cb = Self.cluster(b.bootstrap)
        cb.id = "b"
        let dispatcher = try KafkaDispatcher(clusters: [ca, cb], extraProperties: Self.fastReconnect)
        #expect(dispatcher.clusterIDs == ["a", "b"])
        try dispatcher.send(KafkaMessage(topic: "t", key: "x", value: "to-a"), to: "a")
        try dispatcher.send(KafkaMessage(topic: "t", key: "x", value: "to-b"), to: "b")
        #expect(throws: KafkaDispatchError.unknownCluster("c")) { try dispatcher.send(KafkaMessage(topic: "t", key: "x", value: "?"), to: "c") }
        #expect(dispatcher.flush(timeout: .seconds(10)))
        dispatcher.close(timeout: .seconds(2))
        #expect(try Kcat.consume(bootstrap: a.bootstrap, topic: "t", expecting: 1).map(\.value) == ["to-a"])
        #expect(try Kcat.consume(bootstrap: b.bootstrap, topic: "t", expecting: 1).map(\.value) == ["to-b"])
    }
}

import GoDuration
import Locking
func GoDurationMilliseconds(_ ms: Int64) -> GoDuration { GoDuration(nanoseconds: ms * 1_000_000) }
