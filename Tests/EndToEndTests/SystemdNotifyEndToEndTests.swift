import AlertRelayTestSupport
import Foundation
import Testing

/// systemd `Type=notify`: what the relay tells `$NOTIFY_SOCKET` as it starts, reloads and stops.
extension EndToEndTests {
    /// READY=1 once listening; per SIGHUP RELOADING=1 (with MONOTONIC_USEC) then READY=1, saying
    /// whether the reload was applied (ERRNO=0) or refused (ERRNO=22 and why, while the previous
    /// configuration keeps running); STOPPING=1 on SIGTERM; WATCHDOG=1 every half of WATCHDOG_USEC.
    @Test func notifySocketSeesStartReloadsAndStop() async throws {
        let broker = try TestBroker(topics: ["w:1"])
        defer { broker.stop() }
        let notify = try NotifySocket()
        let relay = try RelayProcess(config: Self.config(broker), rules: ["w.yaml": Self.watchRule(threshold: 10)],
                                     environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
        var keepAlives = 0
        let ready = notify.nextState(keepAlives: &keepAlives)
        #expect(ready?["READY"] == "1", "\(String(describing: ready))")
        #expect(ready?["STATUS"]?.hasPrefix("serving: 1 rules, 0 handlers, listeners udp:127.0.0.1:") == true, "\(String(describing: ready))")

        // A good reload.
        try relay.writeRule("w.yaml", Self.watchRule(threshold: 20))
        let before = Self.monotonicMicroseconds()
        relay.signal(SIGHUP)
        let reloading = notify.nextState(keepAlives: &keepAlives)
        #expect(reloading?["RELOADING"] == "1", "\(String(describing: reloading))")
        let stamp = reloading?["MONOTONIC_USEC"].flatMap(Int64.init) ?? 0
        #expect(stamp >= before && stamp <= Self.monotonicMicroseconds(), "MONOTONIC_USEC \(stamp) is CLOCK_MONOTONIC now")
        let applied = notify.nextState(keepAlives: &keepAlives)
        #expect(applied?["READY"] == "1" && applied?["ERRNO"] == "0", "\(String(describing: applied))")
        #expect(applied?["STATUS"] == "reloaded: 1 rules, 0 handlers", "\(String(describing: applied))")

        // A refused reload: the broken file is named, the unit is ready again (on the old files).
        try relay.writeRule("w.yaml", "id: w\ncrit: [unclosed\n")
        relay.signal(SIGHUP)
        #expect(notify.nextState(keepAlives: &keepAlives)?["RELOADING"] == "1")
        let refused = notify.nextState(keepAlives: &keepAlives)
        #expect(refused?["READY"] == "1" && refused?["ERRNO"] == "22", "\(String(describing: refused))")
        #expect(refused?["STATUS"]?.hasPrefix("reload refused; the running configuration is kept: ") == true,
                "\(String(describing: refused))")
        #expect(refused?["STATUS"]?.contains("rules/w.yaml:3:1: YAML:") == true, "\(String(describing: refused))")

        // The watchdog: keep-alives every 200 ms while the engine turns.
        try? await Task.sleep(for: .seconds(1))
        relay.signal(SIGTERM)
        let stopping = notify.nextState(keepAlives: &keepAlives)
        #expect(stopping?["STOPPING"] == "1", "\(String(describing: stopping))")
        relay.process.waitUntilExit()
        #expect(relay.stop() == 0)
        print("systemd notify: \(keepAlives) watchdog keep-alives over the test")
        #expect(keepAlives >= 4, "\(keepAlives) keep-alives")
        #expect(notify.next(timeout: .milliseconds(300)) == nil, "nothing after STOPPING=1")
    }

    static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}
