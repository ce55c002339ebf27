import AlertRelayTestSupport
import AlertRules
import Foundation
import Locking
import Logging
import Testing
@testable import Relay

/// The systemd watchdog keep-alives follow the rule engine thread, not the clock alone.
@Suite struct SystemdWatchdogTests {
    /// Keeps the messages logged, to wait for the watchdog's own account of a missed turn.
    struct CapturingLogHandler: LogHandler {
        let lines: Locked<[String]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.withLock { $0.append(event.message.description) } }
    }

    /// With `WATCHDOG_USEC=200000` (a period of 100 ms): a pipeline whose engine thread runs
    /// sends `WATCHDOG=1` each period; one whose engine thread never takes work (standing in for a
    /// stuck engine) sends none, and says why in the log. Either way `STOPPING=1` ends the
    /// service. The test waits for what it checks (keep-alives, the log line), not for a time:
    /// in the full suite the cooperative pool may start the service late.
    @Test(arguments: [true, false])
    func keepAlivesOnlyWhileTheEngineTurns(engineRuns: Bool) async throws {
        let socket = try NotifySocket()
        let notifier = try #require(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "200000"]))
        #expect(notifier.watchdogInterval == .milliseconds(200))
        let quiet = PipelineTests.quiet
        let lines = Locked<[String]>([])
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        let pipeline = RelayPipeline(rules: RuleSet(rules: []), outputs: .init(dispatcher: nil, sendTimeouts: [:]), capacity: 10,
                                     hostname: "test", logger: quiet, stateWriter: StateFileWriter(logger: quiet))
        if engineRuns { pipeline.start() }
        let service = SystemdService(notifier: notifier, pipeline: pipeline, logger: logger)
        let task = Task { try await service.run() }
        var keepAlives = 0
        if engineRuns {
            // Three keep-alives, read off the cooperative pool (recv blocks).
            keepAlives = await withCheckedContinuation { c in
                Thread {
                    var n = 0
                    while n < 3, let m = socket.next(timeout: .seconds(20)), m["WATCHDOG"] == "1" { n += 1 }
                    c.resume(returning: n)
                }.start()
            }
            #expect(keepAlives == 3, "\(keepAlives) keep-alives")
        } else {
            #expect(await eventually(timeout: .seconds(20)) { lines.withLock { $0.contains { $0.contains("withholding the systemd watchdog keep-alive") } } })
        }
        task.cancel()
        try await task.value
        let last = socket.nextState(timeout: .seconds(5), keepAlives: &keepAlives)
        #expect(last?["STOPPING"] == "1", "\(String(describing: last))")
        if engineRuns {
            _ = pipeline.drain(timeout: .seconds(5))
        } else {
            #expect(keepAlives == 0, "\(keepAlives) keep-alives from an engine that never turned")
        }
    }

    /// Not under systemd, or the watchdog meant for another process: no notifier, no keep-alives.
    @Test func environmentDecides() {
        #expect(SystemdNotifier.fromEnvironment([:]) == nil)
        let other = SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@alertrelay-test", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other != nil && other?.watchdogInterval == nil)
    }
}
