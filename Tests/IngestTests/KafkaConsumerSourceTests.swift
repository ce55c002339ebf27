import AlertRelayTestSupport
import Foundation
import KafkaDispatch
import LineProtocol
import Locking
import Logging
import Testing
@testable import Ingest

/// A sink that takes every batch and keeps it, so the test decides when each is "held"
/// (evaluated, alerts durably kept): the Kafka consumer may commit only then.
final class HoldingSink: PointSink {
    private let batches = Locked<[PointBatch]>([])
    func offer(_ batch: PointBatch) -> Bool {
        batches.withLock { $0.append(batch) }
        return true
    }
    func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) { resume() }
    var all: [PointBatch] { batches.withLock { $0 } }
    var points: [Point] { all.flatMap(\.points) }
    /// Evaluates batch `i` with no alert raised: it is held at once.
    func hold(_ i: Int) { all[i].acknowledgement?.evaluated() }
    func holdAll() { for b in all { b.acknowledgement?.evaluated() } }
}

/// A `[[kafka-consumer]]` source against `kafka-test-broker` (a real consumer group on librdkafka's
/// mock cluster), messages produced with kcat.
@Suite(.serialized) struct KafkaConsumerSourceTests {
    static func cluster(_ broker: TestBroker) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        c.enabled = true
        c.id = "input"
        c.brokers = broker.bootstrap.split(separator: ",").map(String.init)
        return c
    }

    static func config(topic: String, group: String) -> KafkaConsumerConfig {
        var k = KafkaConsumerConfig()
        k.cluster = "input"
        k.settings.topics = [topic]
        k.settings.groupID = group
        k.settings.start = .earliest
        k.precision = .seconds
        k.destination = PointDestination(database: "telegraf", retentionPolicy: "autogen")
        return k
    }

    /// Quicker group joins and rebalances than librdkafka's defaults (mock cluster, one machine).
    static let fast = [RdKafkaProperty("session.timeout.ms", "6000"), RdKafkaProperty("heartbeat.interval.ms", "300"),
                       RdKafkaProperty("fetch.wait.max.ms", "20"), RdKafkaProperty("log_level", "3")]

    /// The bad lines are logged on purpose: keep the test output to errors.
    static let quiet: Logger = {
        var l = Logger(label: "test")
        l.logLevel = .error
        return l
    }()

    static func start(_ broker: TestBroker, topic: String, group: String, sink: PointSink, readiness: ReadinessGate? = nil,
                      observer: (any PartitionAssignmentObserver)? = nil) throws -> KafkaConsumerSource {
        try KafkaConsumerSource.start(config(topic: topic, group: group), cluster: cluster(broker), sink: sink, observer: observer,
                                      readiness: readiness, extraProperties: fast, logger: quiet)
    }

    @Test func badLinesAreCountedAndTheGoodOnesBesideThemKept() async throws {
        let broker = try TestBroker(topics: ["lines:1"])
        defer { broker.stop() }
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "lines", values: (0..<10).map { i in
            "cpu,host=a value=\(i) \(1_700_000_000 + i)\nthis is not line protocol\ncpu,host=b value=\(i) \(1_700_000_000 + i)"
        })
        let sink = CountingSink()
        let readiness = ReadinessGate()
        let source = try Self.start(broker, topic: "lines", group: "g-lines", sink: sink, readiness: readiness)
        #expect(await eventually(timeout: .seconds(20)) { sink.pointCount == 20 })
        let s = source.statistics.snapshot
        #expect(s.messages == 10 && s.pointsAccepted == 20 && s.linesRejected == 10)
        #expect(readiness.reasons.isEmpty)
        #expect(source.assignedPartitions == [TopicPartition(topic: "lines", partition: 0)])
        let p = sink.points
        #expect(p.first?.time == 1_700_000_000_000_000_000)
        #expect(p.map(\.measurement).allSatisfy { $0 == "cpu" })
        await source.stop(grace: .seconds(1))
    }

    /// Offsets are committed only for the held prefix: a later batch held before an earlier one
    /// commits nothing; a restart in the same group reads everything after the last commit again.
    @Test func commitsFollowHeldBatchesInOrderAndARestartReplaysTheTail() async throws {
        let broker = try TestBroker(topics: ["seq:1"])
        defer { broker.stop() }
        let group = "g-seq"
        func line(_ i: Int) -> String { "seq,host=a n=\(i)i \(1_700_000_000 + i)" }
        let first = HoldingSink()
        var source = try Self.start(broker, topic: "seq", group: group, sink: first)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "seq", values: (0..<5).map(line))
        #expect(await eventually(timeout: .seconds(20)) { first.points.count == 5 })
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "seq", values: (5..<10).map(line))
        #expect(await eventually(timeout: .seconds(10)) { first.points.count == 10 })
        #expect(first.all.count >= 2)
        #expect(first.all.allSatisfy { $0.sourcePartition == TopicPartition(topic: "seq", partition: 0) && $0.destination.database == "telegraf" })
        // The last batch held, the first not: nothing may be committed.
        first.hold(first.all.count - 1)
        #expect(source.partitionStatus.first?.committed == nil)
        await source.stop(grace: .milliseconds(300))

        // Everything is read again; holding all of it commits offset 10.
        let second = HoldingSink()
        source = try Self.start(broker, topic: "seq", group: group, sink: second)
        #expect(await eventually(timeout: .seconds(20)) { second.points.count == 10 })
        #expect(second.points.compactMap { $0.field("n") }.count == 10)
        second.holdAll()
        #expect(await eventually(timeout: .seconds(5)) { source.partitionStatus.first?.committed == 10 })
        await source.stop(grace: .seconds(2))

        // Committed: a third start reads only what is new.
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "seq", values: [line(10)])
        let third = HoldingSink()
        source = try Self.start(broker, topic: "seq", group: group, sink: third)
        #expect(await eventually(timeout: .seconds(20)) { third.points.count == 1 })
        try? await Task.sleep(for: .milliseconds(300))
        #expect(third.points.count == 1)
        #expect(third.points.first?.time == 1_700_000_010_000_000_000)
        third.holdAll()
        await source.stop(grace: .seconds(2))
    }

    /// A full sink pauses the partition's poll thread until it has room: nothing is dropped.
    @Test func aFullSinkHoldsTheConsumerBackWithoutLoss() async throws {
        let broker = try TestBroker(topics: ["full:1"])
        defer { broker.stop() }
        let sink = CountingSink()
        sink.setFull(true)
        let source = try Self.start(broker, topic: "full", group: "g-full", sink: sink)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "full", values: (0..<50).map { "m v=\($0) \(1_700_000_000 + $0)" })
        #expect(await eventually(timeout: .seconds(20)) { source.statistics.snapshot.messages > 0 })
        #expect(sink.pointCount == 0)
        sink.setFull(false)
        #expect(await eventually(timeout: .seconds(10)) { sink.pointCount == 50 })
        #expect(source.statistics.snapshot.pointsDropped == 0)
        await source.stop(grace: .seconds(1))
    }

    /// The engine gives evaluated batches' points back; the poll thread, which made them, frees
    /// them (at its next message or idle poll). Every point is evaluated and committed as before,
    /// each freed once; once the source stopped, nothing more is taken back (the giver frees).
    @Test func evaluatedPointsGoBackToThePollThreadAndNoneIsLost() async throws {
        let broker = try TestBroker(topics: ["back:2"])
        defer { broker.stop() }
        let sink = TakingSink()
        let source = try Self.start(broker, topic: "back", group: "g-back", sink: sink)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "back", values: (0..<40).map { i in
            "m,host=h\(i % 4) v=\(i) \(1_700_000_000 + i)\nm,host=x v=\(i) \(1_700_000_000 + i)"
        }, partition: 0)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "back", values: (40..<60).map { "m v=\($0) \(1_700_000_000 + $0)" }, partition: 1)
        var evaluated: [Point] = []
        var batches = 0
        // As the engine: evaluate (here: look at the points), hold, give the points back.
        let deadline = ContinuousClock.now + .seconds(20)
        while evaluated.count < 100 && ContinuousClock.now < deadline {
            for var batch in sink.take() {
                evaluated.append(contentsOf: batch.points)
                batch.acknowledgement?.evaluated()
                #expect(batch.returnPath === source.returns)
                batch.givePointsBack()
                #expect(batch.points.isEmpty, "the engine keeps no reference to what it gave back")
                batches += 1
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(evaluated.count == 100)
        #expect(Set(evaluated.compactMap { $0.field("v") }.map { "\($0)" }).count == 60)
        let points = evaluated.count
        evaluated = []
        // The poll thread frees them at its next idle poll (1 s) at the latest.
        #expect(await eventually(timeout: .seconds(5)) { source.returns.counts.freed == points })
        #expect(source.returns.counts.returned == batches && source.returns.counts.refused == 0)
        #expect(await eventually(timeout: .seconds(5)) {
            source.partitionStatus.sorted { $0.partition < $1.partition }.map(\.committed) == [40, 20]
        })
        await source.stop(grace: .seconds(1))
        var late = [Point(measurement: "late", fields: [Field(key: "v", value: .float(1))], time: 0)]
        let taken = source.returns.give(&late)
        #expect(!taken && late.count == 1, "a stopped source takes nothing back: the engine frees it")
    }

    /// The observer hears of an assignment before any of its messages is handed on, and `/ready`
    /// (the gate) holds until it returned.
    @Test func theAssignmentObserverRunsBeforeTheFirstMessage() async throws {
        let broker = try TestBroker(topics: ["obs:2"])
        defer { broker.stop() }
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "obs", values: ["m v=1 1700000000"], partition: 1)
        let sink = CountingSink()
        let observer = RecordingObserver(sink: sink)
        let readiness = ReadinessGate()
        let source = try Self.start(broker, topic: "obs", group: "g-obs", sink: sink, readiness: readiness, observer: observer)
        #expect(!readiness.reasons.isEmpty)
        #expect(await eventually(timeout: .seconds(20)) { sink.pointCount == 1 })
        #expect(readiness.reasons.isEmpty)
        await source.stop(grace: .seconds(1))
        let events = observer.events
        #expect(events.first == .assigned(["obs[0]", "obs[1]"], pointsBefore: 0))
        #expect(events.last == .revoked(["obs[0]", "obs[1]"]))
    }
}

/// A sink that lets the test take each batch out (the only copy), as the engine takes them.
final class TakingSink: PointSink {
    private let batches = Locked<[PointBatch]>([])
    func offer(_ batch: PointBatch) -> Bool {
        batches.withLock { $0.append(batch) }
        return true
    }
    func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) { resume() }
    func take() -> [PointBatch] {
        batches.withLock { b in
            var taken: [PointBatch] = []
            swap(&taken, &b)
            return taken
        }
    }
}

/// Records assignment calls and how many points the sink had when each assignment arrived.
final class RecordingObserver: PartitionAssignmentObserver {
    enum Event: Equatable {
        case assigned([String], pointsBefore: Int)
        case revoked([String])
    }

    private let log = Locked<[Event]>([])
    let sink: CountingSink
    init(sink: CountingSink) { self.sink = sink }
    var events: [Event] { log.withLock { $0 } }

    func assigned(_ partitions: [TopicPartition]) async -> PartitionRestore {
        // A restore takes a while: no message may be handed on meanwhile.
        try? await Task.sleep(for: .milliseconds(300))
        let before = sink.pointCount
        log.withLock { $0.append(.assigned(partitions.sorted().map(\.description), pointsBefore: before)) }
        return PartitionRestore()
    }

    func revoked(_ partitions: [TopicPartition], lost: Bool, timeout: Duration) async {
        log.withLock { $0.append(.revoked(partitions.sorted().map(\.description))) }
    }
}
