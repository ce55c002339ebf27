import AlertRelayTestSupport
import AlertRules
import Foundation
import Testing
@testable import Relay

/// The systemd watchdog's verdict follows the rule engine thread, not the clock alone. (The
/// keep-alives themselves, from a relay process, are in `EndToEndTests.notifySocketSeesStartReloadsAndStop`.)
@Suite struct SystemdWatchdogTests {
    static func pipeline() -> RelayPipeline {
        let quiet = PipelineTests.quiet
        return RelayPipeline(rules: RuleSet(rules: []), outputs: .init(dispatcher: nil), capacity: 10,
                             hostname: "test", logger: quiet, stateWriter: StateFileWriter(logger: quiet))
    }

    /// A running engine, woken at the start of a period, turns: alive. Without a wake an idle
    /// engine does not turn, and the next verdict says so.
    @Test func aRunningEngineIsAliveOnceWoken() async {
        let pipeline = Self.pipeline()
        pipeline.start()
        var verdict = EngineWatchdog(pipeline.liveness)
        let before = pipeline.liveness.state.turns
        pipeline.wake()
        #expect(await eventually(timeout: .seconds(20)) { pipeline.liveness.state.turns > before })
        let woken = verdict.engineAlive()
        #expect(woken)
        let again = verdict.engineAlive()
        #expect(!again, "no turn since the last verdict")
        _ = pipeline.drain(timeout: .seconds(5))
    }

    /// An engine thread that takes no work (standing in for a stuck one) is not alive however
    /// often it is woken — unless it is in a bounded wait for room, which counts as alive.
    @Test func anEngineThatDoesNotTurnIsNotAliveUnlessWaitingForRoom() async throws {
        let pipeline = Self.pipeline()
        var verdict = EngineWatchdog(pipeline.liveness)
        pipeline.wake()
        try await Task.sleep(for: .milliseconds(200))
        let stuck = verdict.engineAlive()
        #expect(!stuck)
        let waiting = pipeline.liveness.waitingForRoom { verdict.engineAlive() }
        #expect(waiting)
    }

    /// Not under systemd, or the watchdog meant for another process: no notifier, no keep-alives.
    @Test func environmentDecides() throws {
        #expect(SystemdNotifier.fromEnvironment([:]) == nil)
        let mine = try #require(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@alertrelay-test", "WATCHDOG_USEC": "200000"]))
        #expect(mine.watchdogInterval == .milliseconds(200))
        let other = SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@alertrelay-test", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other != nil && other?.watchdogInterval == nil)
    }
}
