import AlertRelayTestSupport
import Dispatch
import Foundation
import Logging
import NIOPosix
import Testing
@testable import Relay

/// The post output on its own, against a python HTTP server the test starts.
@Suite struct PostOutputTests {
    /// Without a spool, a post that keeps failing for a reason that may pass (503) is tried again
    /// in place with back-off until it has waited the output's send timeout (5 minutes in the
    /// relay, as `[[kafka]] message-timeout`'s default; 1 s here), then reported failed and written
    /// as a dead letter with its body and the last answer — as a Kafka message is after
    /// `message-timeout` without a spool. Never dropped silently.
    @Test func aPostStillFailingAfterItsSendTimeoutIsADeadLetterWithoutASpool() async throws {
        let dir = SpoolTests.directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let http = try TestReceiver("http", then: 503)
        defer { http.stop() }
        let dead = DeadLetters(path: dir + "/dead.jsonl", logger: Logger(label: "t"))
        let tracker = LatencyTracker(keepMessages: true)
        let outcomes = DeliveryOutcomes(tracker: tracker, metrics: RelayMetrics(), deadLetters: dead, spool: nil, retry: nil)
        var settings = HTTPPostOutput.Settings()
        settings.sendTimeout = .seconds(1)
        settings.backoff = (.milliseconds(50), .milliseconds(200))
        // The last answer must be the server's 503: on a loaded machine the test server may take
        // longer than the default 10 s to answer, and a timed-out attempt would be the last reason.
        settings.requestTimeout = .seconds(100)
        let output = HTTPPostOutput(id: "post:ep", settings: settings, group: MultiThreadedEventLoopGroup.singleton,
                                    logger: Logger(label: "t")) { id, report in outcomes.report(output: id, report) }
        let record = OutputRecord(output: "post:ep", target: .post(url: "http://127.0.0.1:\(http.port)/a", headers: [], json: true),
                                  body: Array("{\"id\":\"x\"}".utf8))
        let start = ContinuousClock.now
        let sequence = try output.send(record)
        if let (early, entry) = tracker.sent(output: "post:ep", sequence: sequence, receivedAt: DispatchTime.now().uptimeNanoseconds, record: record) {
            outcomes.finish(output: "post:ep", early, entry)
        }
        // Generous: in the full suite a CPU-bound test can hold the cooperative pool the
        // output's worker runs on for most of a minute.
        let written = await eventually(timeout: .seconds(120)) { dead.count == 1 }
        let waited = ContinuousClock.now - start
        output.close(timeout: .seconds(1))
        #expect(written)
        #expect(waited >= .seconds(1), "\(waited)")
        // At least one attempt; more (tried again in place) unless the worker was held past the
        // send timeout before its first.
        #expect(http.requests.count >= 1)
        #expect(output.statistics.failed == 1 && output.statistics.delivered == 0)
        let text = try String(contentsOfFile: dir + "/dead.jsonl", encoding: .utf8)
        #expect(text.contains("\"output\":\"post:ep\"") && text.contains("returned 503 Service Unavailable"), "\(text)")
        #expect(text.contains("\"value\":\"{\\\"id\\\":\\\"x\\\"}\""), "\(text)")
        print("no spool: dead-lettered after \(waited), \(http.requests.count) attempts")
    }
}
