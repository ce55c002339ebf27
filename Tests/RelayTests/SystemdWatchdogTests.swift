import AlertRelayTestSupport
import AlertRules
import Logging
import Testing
@testable import Relay

/// The systemd watchdog keep-alives follow the rule engine thread, not the clock alone.
@Suite struct SystemdWatchdogTests {
    /// With `WATCHDOG_USEC=1000000`: a pipeline whose engine thread runs gets `WATCHDOG=1` every
    /// 500 ms (at least two in 2.6 s, leaving room for a machine busy with other tests); one whose
    /// engine thread never takes work (standing in for a stuck engine) gets none. Either way
    /// `STOPPING=1` ends the service.
    @Test(arguments: [true, false])
    func keepAlivesOnlyWhileTheEngineTurns(engineRuns: Bool) async throws {
        let socket = try NotifySocket()
        let notifier = try #require(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"]))
        #expect(notifier.watchdogInterval == .seconds(1))
        let quiet = PipelineTests.quiet
        let pipeline = RelayPipeline(rules: RuleSet(rules: []), outputs: .init(dispatcher: nil, sendTimeouts: [:]), capacity: 10,
                                     hostname: "test", logger: quiet, stateWriter: StateFileWriter(logger: quiet))
        if engineRuns { pipeline.start() }
        let service = SystemdService(notifier: notifier, pipeline: pipeline, logger: quiet)
        let task = Task { try await service.run() }
        try await Task.sleep(for: .milliseconds(2600))
        task.cancel()
        try await task.value
        var keepAlives = 0
        let last = socket.nextState(timeout: .seconds(2), keepAlives: &keepAlives)
        #expect(last?["STOPPING"] == "1", "\(String(describing: last))")
        print("engine \(engineRuns ? "running" : "not turning"): \(keepAlives) keep-alives in 2.6 s")
        if engineRuns {
            #expect(keepAlives >= 2, "\(keepAlives)")
            _ = pipeline.drain(timeout: .seconds(5))
        } else {
            #expect(keepAlives == 0, "\(keepAlives)")
        }
    }

    /// Not under systemd, or the watchdog meant for another process: no notifier, no keep-alives.
    @Test func environmentDecides() {
        #expect(SystemdNotifier.fromEnvironment([:]) == nil)
        let other = SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@alertrelay-test", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other != nil && other?.watchdogInterval == nil)
    }
}
