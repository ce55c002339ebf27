import AlertRelayTestSupport
import Dispatch
import Foundation
@testable import KafkaDispatch
import Logging
import Locking
import Testing
@testable import Relay

/// Keeps what was logged, and changes `errno` on every call, as any real log handler may.
struct ErrnoClobberingLogHandler: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        errno = ENOENT
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.message) \(fields)") }
    }
}

/// Delivery reports, dead letters and the retry state, without a broker.
@Suite struct DeliveryOutcomeTests {
    static func directory() -> String { SpoolTests.directory() }

    /// The dead-letter file's write error is the one that happened, not whatever `errno` the
    /// logging in between left (before: "No such file or directory" from the log handler).
    @Test func deadLetterWriteErrorsNameTheirCause() throws {
        let dir = Self.directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = Locked<[String]>([])
        let logger = Logger(label: "t") { _ in ErrnoClobberingLogHandler(lines: lines) }
        let dead = DeadLetters(path: dir, logger: logger)  // a directory: open fails with EISDIR
        dead.record(cluster: "c", message: KafkaMessage(topic: "t", key: "k", value: "v"), topic: "t", reason: "too large")
        let error = lines.withLock { $0 }.first { $0.hasPrefix("cannot write the dead-letter file") } ?? ""
        #expect(error.contains("Is a directory"), "\(lines.withLock { $0 })")
    }

    /// Dead-letter times are RFC 3339 UTC as before, written without a formatter per record.
    @Test func deadLetterTimesMatchISO8601DateFormatter() {
        #expect(DeadLetters.timestamp(0) == "1970-01-01T00:00:00Z")
        let now = time(nil)
        #expect(DeadLetters.timestamp(now) == ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(now))))
        var t = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<10_000 { t += Double(DeadLetters.timestamp(now + i).utf8.count) }
        let perRecord = Double(DispatchTime.now().uptimeNanoseconds - start) / 10_000
        print("dead-letter timestamp: \(Int(perRecord)) ns per record (\(Int(t)) bytes)")
    }

    /// A failure reported before the engine recorded the send (librdkafka can fail a message at
    /// once) still writes the dead letter with the message's value (before: without it).
    @Test func anEarlyFailureReportStillDeadLettersTheValue() throws {
        let dir = Self.directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = DeadLetters(path: dir + "/dead.jsonl", logger: Logger(label: "t"))
        let tracker = LatencyTracker(keepMessages: true)
        let outcomes = DeliveryOutcomes(tracker: tracker, metrics: RelayMetrics(), deadLetters: dead, spool: nil, retry: nil)
        let report = KafkaDeliveryReport(sequence: 7, topic: "t", partition: -1, offset: -1, latencyMicroseconds: 5,
                                         error: KafkaError(rdKafkaCode: 10))
        outcomes.report(output: "kafka:c", OutputReport(report))  // before `sent`
        let message = KafkaMessage(topic: "t", key: "k", value: "the body")
        let early = try #require(tracker.sent(output: "kafka:c", sequence: 7, receivedAt: 0, record: OutputRecord(cluster: "c", message: message)))
        outcomes.finish(output: "kafka:c", early.0, early.1)
        let text = try String(contentsOfFile: dir + "/dead.jsonl", encoding: .utf8)
        #expect(text.contains("\"key\":\"k\",\"value\":\"the body\""), "\(text)")
        #expect(dead.count == 1)
    }

    /// One delivery event's reports, finished together (one tracker lock, one spool write): the
    /// delivered ones acknowledged in the spool, a permanent failure dead-lettered (and
    /// acknowledged, the dead letter holds it), one that beat its `sent` finished by the engine's
    /// bookkeeping; a restart would send none of them again.
    @Test func aDeliveryEventsReportsAreFinishedTogether() throws {
        let dir = Self.directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = Logger(label: "t")
        let spool = try Spool(dir: dir + "/spool", maxBytes: 1 << 20, fsyncEach: false, logger: logger)
        _ = try spool.recover()
        let dead = DeadLetters(path: dir + "/dead.jsonl", logger: logger)
        let tracker = LatencyTracker(keepMessages: true)
        let retry = SpoolRetry(maxAge: nil)
        let outcomes = DeliveryOutcomes(tracker: tracker, metrics: RelayMetrics(), deadLetters: dead, spool: spool, retry: retry)
        let records = (0..<5).map { OutputRecord(cluster: "c", message: KafkaMessage(topic: "t", key: "k\($0)", value: "v\($0)")) }
        var sent: [LatencyTracker.Sent] = []
        for (i, r) in records.enumerated() {
            let pending = SpoolRetry.Pending(order: UInt64(i + 1), id: try spool.append(r), record: nil, receivedAt: 0)
            #expect(retry.admit(pending, output: "kafka:c", timeout: .seconds(60)))
            sent.append(LatencyTracker.Sent(sequence: UInt64(100 + i), record: r, pending: pending))
        }
        func report(_ i: Int, error: Int32? = nil) -> OutputReport {
            OutputReport(KafkaDeliveryReport(sequence: UInt64(100 + i), topic: "t", partition: 0, offset: Int64(i), latencyMicroseconds: 1,
                                             error: error.map { KafkaError(rdKafkaCode: $0) }))
        }
        outcomes.report(output: "kafka:c", [report(4)])  // before `sent`: kept as early
        let early = tracker.sent(output: "kafka:c", sent)
        #expect(early.map(\.0.sequence) == [104])
        for (r, e) in early { outcomes.finish(output: "kafka:c", r, e) }
        outcomes.report(output: "kafka:c", [report(0), report(1), report(2, error: 10), report(3)])  // 10: MSG_SIZE_TOO_LARGE
        #expect(dead.count == 1)
        #expect(retry.waiting["kafka:c", default: 0] == 0)
        let again = try Spool(dir: dir + "/spool", maxBytes: 1 << 20, fsyncEach: false, logger: logger).recover()
        #expect(again.isEmpty, "every record acknowledged: \(again.count) left")
    }

    /// The hold: the first retriable failure asks for a purge; while held, new messages wait;
    /// once nothing is in flight the re-send comes (after the back-off) with everything in first-send order.
    @Test func aRetriableFailureHoldsTheClusterAndResendsInOrder() async throws {
        let retry = SpoolRetry(maxAge: nil, baseDelay: .milliseconds(20))
        let work = Locked<[SpoolRetry.Work]>([])
        retry.setHandler { w in work.withLock { $0.append(w) } }
        let t = Duration.seconds(60)
        for i: UInt64 in 1...4 { #expect(retry.admit(Self.pending(i), output: "c", timeout: t)) }
        retry.delivered(output: "c", order: 1)
        retry.failed(Self.pending(3), output: "c")  // failed first: 2 and 4 are still in librdkafka
        #expect(work.withLock { $0 } == [.purge(output: "c")])
        #expect(!retry.admit(Self.pending(5), output: "c", timeout: t))  // held: waits
        retry.failed(Self.pending(2), output: "c")  // purged
        #expect(retry.takeResend(output: "c").isEmpty)  // 4 is still in flight: not yet
        retry.failed(Self.pending(4), output: "c")
        #expect(await eventually(timeout: .seconds(2)) { work.withLock { $0 }.contains(.resend(output: "c")) })
        #expect(retry.takeResend(output: "c").map(\.order) == [2, 3, 4, 5])
        #expect(retry.admit(Self.pending(6), output: "c", timeout: t))  // the hold is over
        #expect(retry.resent == 4)
        // Other clusters are not held by this one.
        #expect(retry.admit(Self.pending(1), output: "other", timeout: t))
    }

    /// message-timeout is kept here, not by librdkafka: when the oldest message in flight outlives
    /// it, the cluster is held and its queue purged; a message that lands in time holds nothing.
    @Test func theOldestMessageOutlivingMessageTimeoutHoldsTheCluster() async throws {
        let retry = SpoolRetry(maxAge: nil, baseDelay: .milliseconds(20))
        let work = Locked<[SpoolRetry.Work]>([])
        retry.setHandler { w in work.withLock { $0.append(w) } }
        let timeout = Duration.milliseconds(200)
        #expect(retry.admit(Self.pending(1), output: "on-time", timeout: timeout))
        retry.delivered(output: "on-time", order: 1)
        #expect(retry.admit(Self.pending(1), output: "c", timeout: timeout))
        retry.delivered(output: "c", order: 1)
        #expect(retry.admit(Self.pending(2), output: "c", timeout: timeout))  // never reported
        #expect(await eventually(timeout: .seconds(10)) { !work.withLock { $0 }.isEmpty })
        try await Task.sleep(for: .milliseconds(300))  // the "on-time" cluster's timer has fired too
        #expect(work.withLock { $0 } == [.purge(output: "c")])
        #expect(retry.timeouts == 1)
        #expect(!retry.admit(Self.pending(3), output: "c", timeout: timeout))  // held
        #expect(retry.admit(Self.pending(2), output: "on-time", timeout: timeout))  // not held
        retry.failed(Self.pending(2), output: "c")  // the purge returns it
        #expect(await eventually(timeout: .seconds(10)) { work.withLock { $0 }.contains(.resend(output: "c")) })
        #expect(retry.takeResend(output: "c").map(\.order) == [2, 3])
    }

    static func pending(_ order: UInt64) -> SpoolRetry.Pending {
        SpoolRetry.Pending(order: order, id: SpoolID(segment: 1, offset: Int64(order) * 100), record: nil, receivedAt: 0)
    }
}
