import AlertRelayTestSupport
import AlertRules
import Foundation
import Ingest
import KafkaDispatch
import LineProtocol
import Locking
import Logging
import Testing
@testable import Relay

/// The changelog through a real broker (kafka-test-broker): the writer's records land in the
/// partition of the input partition's number, the batches are released only after the broker
/// acknowledged them, and a reader restores from them an engine that raises the same next alerts.
@Suite(.serialized) struct StateChangelogKafkaTests {
    static func cluster(_ bootstrap: String) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        c.enabled = true
        c.id = "changelog"
        c.brokers = bootstrap.split(separator: ",").map(String.init)
        return c
    }
    static let quiet = [RdKafkaProperty("reconnect.backoff.max.ms", "500"), RdKafkaProperty("log_level", "0")]
    static let rules = """
        id: level
        measurement: cpu
        groupBy: [host]
        stateChangesOnly: true
        warn: '"v" > 50'
        crit: '"v" > 90'
        ---
        id: mean
        measurement: cpu
        groupBy: [host]
        window: {period: 4s, every: 2s}
        mean: v
        crit: '"mean" > 60'

        """

    static func points(host h: Int, _ times: ClosedRange<Int64>) -> [Point] {
        times.map { t in
            Point(measurement: "cpu", tags: [Tag(key: "host", value: "h\(h)")],
                  fields: [Field(key: "v", value: .float(Double((t * 7 + Int64(h) * 13) % 100)))], time: t * 1_000_000_000)
        }
    }

    static func alerts(_ e: RuleEngine, _ owner: StateOwner, _ pts: [Point]) -> [String] {
        e.select(owner: owner)
        var out: [String] = []
        e.process(pts) { out.append("\($0.ruleID) \($0.id) \($0.time) \($0.level)") }
        return out
    }

    @Test func writtenStateRestoresThroughTheBroker() throws {
        // librdkafka's mock cluster has no CreateTopics: the topic is made by the broker process.
        let broker = try TestBroker(topics: ["grp-state:6"])
        let cluster = Self.cluster(broker.bootstrap)
        let reader = try KafkaPartitionReader(config: cluster, extraProperties: Self.quiet)
        defer { reader.close() }
        #expect(try reader.partitionCount(topic: "grp-state", timeout: .seconds(10)) == 6)
        #expect(throws: KafkaReadError.self) { try reader.createTopic("other-state", partitions: 6, timeout: .seconds(1)) }
        #expect(try reader.readToEnd(topic: "grp-state", partition: 5, timeout: .seconds(10)).isEmpty)

        let loaded = try RuleLoader(clusters: []).rules(text: Self.rules, file: "r.yaml")
        let engine = RuleEngine(rules: loaded)
        engine.trackChanges()
        let writer = try StateChangelogWriter(cluster: cluster, topic: "grp-state", extraProperties: Self.quiet,
                                              logger: Logger(label: "test"))
        defer { writer.close(timeout: .seconds(5)) }
        let owners = [StateOwner(topic: "metrics", partition: 5), StateOwner(topic: "metrics", partition: 2)]
        let committed = Locked<[Int]>([])
        // Records per changelog partition: each flush's changed groups of it and a resume marker
        // (a group whose level and triggers a batch left as they were is not rewritten).
        var flushed: [Int32: Int] = [:]
        for round in 0..<4 {
            for (i, owner) in owners.enumerated() {
                let n = round * 2 + i
                let source = PointsAcknowledgement { committed.withLock { $0.append(n) } }
                let inner = writer.began(owner, end: Int64(n * 100 + 100), acknowledgement: source)
                let t = Int64(round * 5)
                _ = Self.alerts(engine, owner, Self.points(host: i * 2, t...(t + 4)) + Self.points(host: i * 2 + 1, t...(t + 4)))
                inner.evaluated()
                source.evaluated()
                #expect(!source.isHeld, "held until the changelog has the batch's state")
            }
            let changes = engine.takeChanges()
            for o in owners { flushed[o.partition, default: 0] += changes.records(for: o).count + 1 }
            writer.flush(changes, owners: owners)
        }
        let done = ConditionLocked(false)
        writer.whenWritten(owners) {
            done.withLock { $0 = true }
            done.broadcast()
        }
        let written = done.wait(timeout: .seconds(20), until: { !$0 }) { v, _ in v }
        #expect(written)
        // The source's acknowledgements ran just before `whenWritten`'s callback, on the same thread.
        #expect(committed.withLock { $0.sorted() } == Array(0..<8))
        #expect(writer.recordsWritten == UInt64(flushed.values.reduce(0, +)))
        #expect(flushed.values.reduce(0, +) > 30, "4 flushes × 2 partitions × (at most 2 hosts × 2 rules + a resume marker)")

        let records = try reader.readToEnd(topic: "grp-state", partition: 5, timeout: .seconds(10))
        #expect(records.count == flushed[5] && records.map(\.offset) == Array(Int64(0)..<Int64(flushed[5] ?? 0)))
        #expect(try reader.readToEnd(topic: "grp-state", partition: 0, timeout: .seconds(10)).isEmpty)
        let restored = StateChangelogRecord.restored(records.map { StateChangelogRecord(key: $0.key ?? [], value: $0.value) },
                                                     topic: "metrics", rules: engine.changelogHeaders)
        #expect(restored.groups == 4)
        #expect(restored.resumeOffset == 700, "the end of partition 5's last batch (round 3, n = 6)")
        let successor = RuleEngine(rules: loaded)
        #expect(successor.restore(restored, owner: owners[0]) == 4)
        let next = Self.points(host: 0, 20...50) + Self.points(host: 1, 20...50)
        let expected = Self.alerts(engine, owners[0], next)
        #expect(expected.count > 10)
        #expect(Self.alerts(successor, owners[0], next) == expected)
    }

    @Test func tombstonesAreNullValues() throws {
        let broker = try TestBroker(topics: ["g-state:2"])
        let cluster = Self.cluster(broker.bootstrap)
        let writer = try StateChangelogWriter(cluster: cluster, topic: "g-state", extraProperties: Self.quiet, logger: Logger(label: "test"))
        let owner = StateOwner(topic: "m", partition: 1)
        let source = PointsAcknowledgement {}
        let inner = writer.began(owner, end: nil, acknowledgement: source)
        inner.evaluated()
        source.evaluated()
        let engine = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: Self.rules, file: "r.yaml"),
                                limits: GroupLimits(maxGroups: 100, maxGroupsPerRule: 1, expiry: 5_000_000_000))
        engine.trackChanges()
        _ = Self.alerts(engine, owner, [Point(measurement: "cpu", tags: [Tag(key: "host", value: "gone")], fields: [Field(key: "v", value: .float(1))], time: 0)])
        for t in Int64(10)...Int64(20) {
            _ = Self.alerts(engine, owner, [Point(measurement: "cpu", tags: [Tag(key: "host", value: "x")], fields: [Field(key: "v", value: .float(1))], time: t * 1_000_000_000)])
        }
        writer.flush(engine.takeChanges(), owners: [owner])
        let done = ConditionLocked(false)
        writer.whenWritten([owner]) {
            done.withLock { $0 = true }
            done.broadcast()
        }
        #expect(done.wait(timeout: .seconds(20), until: { !$0 }) { v, _ in v })
        writer.close(timeout: .seconds(5))
        let reader = try KafkaPartitionReader(config: cluster, extraProperties: Self.quiet)
        defer { reader.close() }
        let records = try reader.readToEnd(topic: "g-state", partition: 1, timeout: .seconds(10))
        let tombstones = records.filter { $0.value == nil }.compactMap { StateChangelogRecord.parse(key: $0.key ?? [])?.group }
        #expect(Set(tombstones) == ["host=gone"], "both rules' groups of host gone expired")
        #expect(tombstones.count == 2)
        #expect(source.isHeld)
    }
}
