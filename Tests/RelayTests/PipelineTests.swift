import AlertRelayTestSupport
import AlertRules
import Foundation
import Ingest
import KafkaDispatch
import GoDuration
import LineProtocol
import Locking
import Logging
import Synchronization
import Testing
@testable import Relay

/// The pipeline's own paths, without processes: the queue's watermarks and stop, delivery to a
/// log handler, and a reload switching rules and outputs between batches.
@Suite struct PipelineTests {
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func batch(_ n: Int, at t: Int64 = 0, value: Double = 1) -> PointBatch {
        PointBatch(points: (0..<n).map { i in
            Point(measurement: "cpu", tags: [Tag(key: "host", value: "h\(i)")], fields: [Field(key: "v", value: .float(value))], time: t + Int64(i))
        }, source: "test")
    }

    // MARK: PipelineQueue

    @Test func aFullQueueRefusesAndResumesReadersAtItsLowWatermark() {
        let q = PipelineQueue(capacity: 100)
        let p = DatagramPoller(wake: q.wake, slots: 1)
        #expect(q.offer(Self.batch(60)))
        #expect(q.offer(Self.batch(40)))
        #expect(!q.offer(Self.batch(10)), "full")
        let resumed = Atomic<Int>(0)
        q.whenRoom(for: 10) { resumed.add(1, ordering: .relaxed) }
        #expect(resumed.load(ordering: .relaxed) == 0)
        let first = q.take(.no, poller: p)
        #expect(first.batch?.points.count == 60)
        q.evaluated(60)
        #expect(resumed.load(ordering: .relaxed) == 1, "40 queued: at the low watermark, a batch of 10 fits")
        q.whenRoom(for: 10) { resumed.add(1, ordering: .relaxed) }
        #expect(resumed.load(ordering: .relaxed) == 2, "room now: called at once")
    }

    @Test func aBatchLargerThanHalfTheQueueResumesOnlyWhenItFits() {
        let q = PipelineQueue(capacity: 100)
        let p = DatagramPoller(wake: q.wake, slots: 1)
        #expect(q.offer(Self.batch(30)))
        #expect(q.offer(Self.batch(30)))
        let resumed = Atomic<Int>(0)
        q.whenRoom(for: 80) { resumed.add(1, ordering: .relaxed) }
        _ = q.take(.no, poller: p)
        q.evaluated(30)
        #expect(resumed.load(ordering: .relaxed) == 0, "30 + 80 > 100")
        _ = q.take(.no, poller: p)
        q.evaluated(30)
        #expect(resumed.load(ordering: .relaxed) == 1)
        #expect(q.offer(Self.batch(150)), "an empty queue takes any batch")
    }

    @Test func controlsComeBeforeTheNextBatchAndAStopWaitsForTheQueue() async {
        let q = PipelineQueue(capacity: 100)
        let p = DatagramPoller(wake: q.wake, slots: 1)
        #expect(q.offer(Self.batch(5)))
        q.post { _ in }
        let w = q.take(.no, poller: p)
        #expect(w.controls.count == 1 && w.batch?.points.count == 5 && !w.stop)
        #expect(q.take(.no, poller: p).isEmpty)
        #expect(q.offer(Self.batch(5)))
        let drained = Atomic<Bool>(false)
        let drainer = Thread { drained.store(q.drain(timeout: .seconds(10)), ordering: .relaxed) }
        drainer.start()
        var stopped = false
        while !stopped {
            let w = q.take(.atMost(.seconds(1)), poller: p)
            if w.batch != nil { q.evaluated(5) }
            stopped = w.stop
        }
        #expect(!q.offer(Self.batch(1)), "stopping takes no more points")
        q.markFinished()
        #expect(await eventually(timeout: .seconds(5)) { drained.load(ordering: .relaxed) })
        let resumed = Atomic<Int>(0)
        q.whenRoom(for: 1) { resumed.add(1, ordering: .relaxed) }
        #expect(resumed.load(ordering: .relaxed) == 0, "a stopping pipeline never resumes readers")
    }

    @Test func anIdleTakeSleepsAtMostWhatItWasAllowed() {
        let q = PipelineQueue(capacity: 10)
        let p = DatagramPoller(wake: q.wake, slots: 1)
        let elapsed = ContinuousClock().measure { #expect(q.take(.atMost(.milliseconds(50)), poller: p).isEmpty) }
        #expect(elapsed >= .milliseconds(45) && elapsed < .seconds(2))
    }

    /// The engine sleeps in poll, not on the condition: work queued from another thread (a
    /// control, a batch, the stop) ends the sleep at once.
    @Test func workQueuedWhileTheEngineSleepsWakesItsPoll() {
        let q = PipelineQueue(capacity: 10)
        let p = DatagramPoller(wake: q.wake, slots: 1)
        DetachedThread.start("test-post") {
            usleep(50_000)  // lets the take reach poll first (if it has not, the test is only weaker)
            q.post { _ in }
        }
        var w = PipelineQueue.Work()
        let elapsed = ContinuousClock().measure { w = q.take(.untilWork, poller: p) }
        #expect(w.controls.count == 1, "the control that woke it")
        #expect(elapsed < .seconds(5))
        // Busy again: a second post while awake needs no wake-up, and the next take finds it at once.
        q.post { _ in }
        #expect(q.take(.untilWork, poller: p).controls.count == 1)
        #expect(q.take(.atMost(.milliseconds(20)), poller: p).isEmpty, "no stale signal left to wake an idle take")
    }

    // MARK: The engine thread

    static func rules(_ yaml: String, clusters: [String] = []) throws -> RuleSet {
        RuleSet(rules: try RuleLoader(clusters: clusters).rules(text: yaml, file: "r.yaml"))
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Events go to a log handler's file; a reload swaps the rules between two batches, keeps the
    /// state of the rule that stayed, hands back the outputs it replaced, and counts itself.
    @Test func deliveryAndReloadOnTheEngineThread() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("alerts.log").path
        let rule = "id: cpu\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"v\" > 90'\nstateChangesOnly: true\nlog: {path: \(log)}\n"
        let events = Locked<[String]>([])
        let pipeline = RelayPipeline(rules: try Self.rules(rule), outputs: .init(dispatcher: nil), capacity: 1000,
                                     hostname: "test", logger: Self.quiet, stateWriter: StateFileWriter(logger: Self.quiet)) { e in
            events.withLock { $0.append("\(e.ruleID) \(e.id) \(e.level)") }
        }
        pipeline.start()
        #expect(pipeline.offer(Self.batch(2, value: 95)))
        #expect(await eventually(timeout: .seconds(5)) { Self.lines(log).count == 2 })
        let replaced = Locked<Int>(0)
        let second = "id: other\nmeasurement: cpu\ncrit: '\"v\" > 0'\n"
        pipeline.reload(rules: try Self.rules(rule + "---\n" + second), outputs: .init(dispatcher: nil), hostname: "test",
                        capacity: 500, persistence: nil) { old in replaced.withLock { $0 += old.dispatcher == nil ? 1 : 100 } }
        #expect(pipeline.capacity == 500, "the capacity changes at once")
        #expect(pipeline.offer(Self.batch(2, at: 10, value: 96)))
        #expect(await eventually(timeout: .seconds(5)) { events.withLock { $0.count } == 4 })
        #expect(pipeline.drain(timeout: .seconds(5)))
        #expect(replaced.withLock { $0 } == 1)
        // cpu's groups were already CRITICAL: with stateChangesOnly no new event; the new rule fires for each point.
        #expect(events.withLock { $0 } == ["cpu cpu:host=h0 CRITICAL", "cpu cpu:host=h1 CRITICAL", "other cpu:nil CRITICAL", "other cpu:nil CRITICAL"])
        #expect(Self.lines(log).count == 2, "the file got the first rule's two events only")
        let s = pipeline.snapshot
        #expect(s.reloads.ok == 1 && s.pointsProcessed == 4 && s.events == 4)
    }

    // MARK: The source acknowledgement

    /// A Kafka pipeline as the relay builds one (no spool): dispatcher, tracker, outcomes.
    static func kafkaOutputs(brokers: [String], messageTimeout: GoDuration, deadLetters: DeadLetters,
                             librdkafka: [String: String] = [:]) throws -> RelayPipeline.Outputs {
        var cluster = KafkaClusterConfig()
        cluster.enabled = true
        cluster.id = "c"
        cluster.brokers = brokers
        cluster.batchTimeout = GoDuration(nanoseconds: 5_000_000)
        cluster.messageTimeout = messageTimeout
        cluster.librdkafka = librdkafka
        let tracker = LatencyTracker(keepMessages: true)
        let outcomes = DeliveryOutcomes(tracker: tracker, metrics: RelayMetrics(), deadLetters: deadLetters, spool: nil, retry: nil)
        let dispatcher = try KafkaDispatcher(clusters: [cluster], extraProperties: [RdKafkaProperty("log_level", "0")],
                                             logger: quiet) { id, report in outcomes.report(output: OutputID.kafka(id), OutputReport(report)) }
        let output = KafkaOutput(cluster: "c", producer: dispatcher.producer(for: "c")!, sendTimeout: messageTimeout.swiftDuration)
        return RelayPipeline.Outputs(dispatcher: dispatcher, all: [output.id: output], latency: tracker, deadLetters: deadLetters,
                                     outcomes: outcomes)
    }

    static let kafkaRule = "id: cpu\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"v\" > 90'\nkafka: {cluster: c, topic: cpu}\n"

    /// Without a spool, a batch is safe only when the broker has its alerts: evaluated is not
    /// enough. The broker is down while the batch is evaluated, then comes back.
    @Test func anAcknowledgementWaitsForTheBrokerToHaveItsAlerts() async throws {
        let broker = try TestBroker(topics: ["cpu:1"])
        defer { broker.stop() }
        let deadLetters = DeadLetters(path: "", logger: Self.quiet)
        let outputs = try Self.kafkaOutputs(brokers: [broker.bootstrap], messageTimeout: GoDuration(nanoseconds: 300_000_000_000),
                                            deadLetters: deadLetters)
        let pipeline = RelayPipeline(rules: try Self.rules(Self.kafkaRule, clusters: ["c"]), outputs: outputs, capacity: 1000, hostname: "test",
                                     logger: Self.quiet, stateWriter: StateFileWriter(logger: Self.quiet))
        pipeline.start()
        broker.takeDown()
        let quiet = PointsAcknowledgement {}
        var calm = Self.batch(3, value: 1)
        calm.acknowledgement = quiet
        let raised = PointsAcknowledgement {}
        var hot = Self.batch(4, at: 10, value: 95)
        hot.acknowledgement = raised
        #expect(pipeline.offer(calm) && pipeline.offer(hot))
        #expect(await eventually(timeout: .seconds(30)) { pipeline.snapshot.pointsProcessed == 7 })
        #expect(await eventually(timeout: .seconds(10)) { quiet.isHeld }, "no alerts: safe once evaluated")
        #expect(!raised.isHeld, "four alerts wait in librdkafka for the broker")
        broker.bringUp()
        #expect(await eventually(timeout: .seconds(60)) { raised.isHeld })
        #expect(try Kcat.consume(bootstrap: broker.bootstrap, topic: "cpu").count == 4, "held means the broker has all four")
        #expect(deadLetters.count == 0)
        #expect(pipeline.drain(timeout: .seconds(5)))
        outputs.dispatcher?.close(timeout: .seconds(1))
    }

    /// A message that can never be delivered is held once it is written as a dead letter.
    @Test func aDeadLetteredAlertReleasesItsBatch() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ack-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let broker = try TestBroker(topics: ["cpu:1"])
        defer { broker.stop() }
        let deadLetters = DeadLetters(path: dir + "/dead.jsonl", logger: Self.quiet)
        // librdkafka refuses a message larger than message.max.bytes at once (MSG_SIZE_TOO_LARGE).
        let outputs = try Self.kafkaOutputs(brokers: [broker.bootstrap], messageTimeout: GoDuration(nanoseconds: 300_000_000_000),
                                            deadLetters: deadLetters, librdkafka: ["message.max.bytes": "1000"])
        let pipeline = RelayPipeline(rules: try Self.rules(Self.kafkaRule, clusters: ["c"]), outputs: outputs, capacity: 1000, hostname: "test",
                                     logger: Self.quiet, stateWriter: StateFileWriter(logger: Self.quiet))
        pipeline.start()
        let ack = PointsAcknowledgement {}
        let big = Point(measurement: "cpu", tags: [Tag(key: "host", value: String(repeating: "h", count: 2000))],
                        fields: [Field(key: "v", value: .float(95))], time: 1)
        #expect(pipeline.offer(PointBatch(points: [big], source: "test", acknowledgement: ack)))
        #expect(await eventually(timeout: .seconds(30)) { ack.isHeld })
        #expect(deadLetters.count == 1)
        #expect(pipeline.drain(timeout: .seconds(5)))
        outputs.dispatcher?.close(timeout: .seconds(1))
    }
}
