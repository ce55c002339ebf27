import AlertRelayTestSupport
import Foundation
import Locking
import Synchronization
import Testing
@testable import KafkaDispatch

/// The producer's delivery-report thread sleeps until librdkafka has an event: a report is served
/// as soon as it exists (no poll tick in between), an idle producer's thread does not wake, and
/// `close` still ends it at once.
@Suite(.serialized) struct KafkaReportWakeUpTests {
    /// Voluntary context switches (sleeps) of this process's thread named `name`, -1 if none.
    static func sleeps(ofThread name: String) -> Int {
        let task = "/proc/self/task"
        for t in (try? FileManager.default.contentsOfDirectory(atPath: task)) ?? [] {
            let comm = (try? String(contentsOfFile: "\(task)/\(t)/comm", encoding: .utf8)) ?? ""
            guard comm.trimmingCharacters(in: .whitespacesAndNewlines) == name else { continue }
            let status = (try? String(contentsOfFile: "\(task)/\(t)/status", encoding: .utf8)) ?? ""
            for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
                return Int(line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? -1
            }
        }
        return -1
    }

    /// A cluster `id` (its poll thread is `kafka-poll-<id>`) that sends each message within 1 ms.
    static func cluster(_ bootstrap: String, id: String) -> KafkaClusterConfig {
        var cluster = KafkaProducerIntegrationTests.cluster(bootstrap)
        cluster.id = id
        cluster.batchTimeout = GoDurationMilliseconds(1)
        return cluster
    }

    @Test func reportsArriveWithoutAPollTickAndAnIdleReportThreadSleeps() async throws {
        let broker = try TestBroker(topics: ["wake:1"])
        defer { broker.stop() }
        let cluster = Self.cluster(broker.bootstrap, id: "wake")
        let reported = Locked<[UInt64: ContinuousClock.Instant]>([:])
        let producer = try KafkaProducer(config: cluster, extraProperties: KafkaProducerIntegrationTests.fastReconnect) { r in
            let now = ContinuousClock.now
            reported.withLock { $0[r.sequence] = now }
        }
        // The first message waits for the connection and the topic's metadata; the latency is the next ones'.
        let first = try producer.send(KafkaMessage(topic: "wake", key: nil, value: "warm-up"))
        #expect(await eventually(timeout: .seconds(10)) { reported.withLock { $0[first] != nil } })
        var latencies: [Duration] = []
        for i in 0..<20 {
            let sentAt = ContinuousClock.now
            let seq = try producer.send(KafkaMessage(topic: "wake", key: nil, value: "m\(i)"))
            #expect(await eventually(timeout: .seconds(5)) { reported.withLock { $0[seq] != nil } })
            if let at = reported.withLock({ $0[seq] }) { latencies.append(at - sentAt) }
            // Apart, so that each report is served by the report thread, not by the next send.
            try await Task.sleep(for: .milliseconds(20))
        }
        let median = latencies.sorted()[latencies.count / 2]
        print("delivery report latency over 20 lone messages: median \(median), max \(latencies.max() ?? .zero)")
        #expect(median < .milliseconds(50), "a report waited for a poll tick: median \(median)")

        // Idle: the report thread sleeps through (statistics arrive every 5 s: at most one wake-up).
        let before = Self.sleeps(ofThread: "kafka-poll-wake")
        #expect(before >= 0, "the report thread is named kafka-poll-wake")
        try await Task.sleep(for: .seconds(2))
        let woke = Self.sleeps(ofThread: "kafka-poll-wake") - before
        print("the idle report thread woke \(woke) times in 2 s (a 100 ms poll: ~20)")
        #expect(woke <= 2, "the idle report thread woke \(woke) times in 2 s")

        let closing = ContinuousClock.now
        producer.close(timeout: .seconds(5))
        #expect(ContinuousClock.now - closing < .seconds(2), "close ended the report thread's wait at once")
        #expect(Self.sleeps(ofThread: "kafka-poll-wake") == -1, "the report thread ended")
    }

    /// Senders serve the reports that arrive while they send (see `ReportWake`); when they stop,
    /// what is left is the poll thread's: every report arrives without a flush.
    @Test func reportsLeftWhenSendersStopAreServedWithoutAFlush() async throws {
        let broker = try TestBroker(topics: ["handover:4"])
        defer { broker.stop() }
        let cluster = Self.cluster(broker.bootstrap, id: "handover")
        let reported = Atomic<Int>(0)
        let onSenders = Atomic<Int>(0)
        let producer = try KafkaProducer(config: cluster, extraProperties: KafkaProducerIntegrationTests.fastReconnect) { r in
            #expect(r.isDelivered)
            reported.add(1, ordering: .relaxed)
            if Self.threadName().hasPrefix("sender-") { onSenders.add(1, ordering: .relaxed) }
        }
        defer { producer.close(timeout: .seconds(5)) }
        let perSender = 3_000
        await withTaskGroup(of: Void.self) { group in
            for s in 0..<2 {
                group.addTask {
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        DetachedThread.start("sender-\(s)") {
                            for i in 0..<perSender {
                                _ = try? producer.sendBlocking(KafkaMessage(topic: "handover", key: "k\(i % 97)", value: "s\(s)-\(i)"),
                                                               waitingUpTo: .seconds(10))
                            }
                            done.resume()
                        }
                    }
                }
            }
        }
        #expect(await eventually(timeout: .seconds(15)) { reported.load(ordering: .relaxed) == 2 * perSender },
                "\(reported.load(ordering: .relaxed)) of \(2 * perSender) reports without a flush")
        print("reports served on the sending threads: \(onSenders.load(ordering: .relaxed)) of \(2 * perSender)")
    }

    /// The calling thread's name.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
