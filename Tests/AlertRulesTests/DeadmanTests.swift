import LineProtocol
import Testing
@testable import AlertRules

/// Kapacitor's deadman: every interval, points per interval per group; CRITICAL at or below the
/// threshold, with Kapacitor's default id and message, OK when points flow again.
@Suite struct DeadmanTests {
    static let s: Int64 = 1_000_000_000

    static func engine(_ yaml: String) throws -> RuleEngine {
        RuleEngine(rules: try RuleLoader(clusters: []).rules(text: yaml, file: "d.yaml"))
    }

    /// Feeds (second, host) points, advancing the clock to each point's time first, as `test` does.
    static func run(_ e: RuleEngine, _ points: [(Int64, String)], until end: Int64) -> [String] {
        var out: [String] = []
        let emit: (AlertEvent) -> Void = { out.append("\($0.time / s) \($0.level) \($0.id) | \($0.message)") }
        for (t, host) in points {
            e.advanceClock(to: t * s, emit: emit)
            e.process(Point(measurement: "cpu", tags: [Tag(key: "host", value: host)], fields: [Field(key: "v", value: .float(1))], time: t * s), emit: emit)
        }
        e.advanceClock(to: end * s, emit: emit)
        return out
    }

    @Test func aSilentGroupIsDeadAndComesBackAlive() throws {
        let e = try Self.engine("id: r\nmeasurement: cpu\ngroupBy: [host]\ndeadman: {threshold: 0, interval: 10s}\n")
        var pts: [(Int64, String)] = (0..<40).map { ($0, "a") }
        pts += (0..<6).map { ($0, "b") } + (32..<40).map { ($0, "b") }
        pts.sort { $0.0 < $1.0 }
        let events = Self.run(e, pts, until: 40)
        // Like any Kapacitor alert without stateChangesOnly, it repeats every interval while dead.
        #expect(events == [
            "20 CRITICAL host=b:from1 for task 'r' | host=b:from1 for task 'r' is dead: 0.000 points/10s.",
            "30 CRITICAL host=b:from1 for task 'r' | host=b:from1 for task 'r' is dead: 0.000 points/10s.",
            "40 OK host=b:from1 for task 'r' | host=b:from1 for task 'r' is alive: 8.000 points/10s.",
        ])
        #expect(e.nextClockDeadline == 50 * Self.s)
    }

    @Test func aRuleThatSawNothingIsDeadInTheNilGroup() throws {
        let e = try Self.engine("id: quiet\nmeasurement: cpu\ndeadman: {interval: 1m, threshold: 5}\nstateChangesOnly: true\n")
        var out: [String] = []
        e.advanceClock(to: 0) { _ in }
        for minute in 1...3 { e.advanceClock(to: Int64(minute) * 60 * Self.s) { out.append("\($0.level) \($0.message)") } }
        #expect(out == ["CRITICAL nil:from1 for task 'quiet' is dead: 0.000 points/1m0s."])
    }

    @Test func deadmanAfterStepsNamesTheWatchedNode() throws {
        let e = try Self.engine("id: r\nmeasurement: cpu\nsteps:\n  - window: {period: 10s}\n  - count: v\ndeadman: {interval: 10s}\n")
        #expect(e.rules[0].deadman?.nodeName == "count3")
    }

    @Test func levelsCannotBeGivenBesideADeadman() {
        #expect(throws: RuleLoadErrors.self) { try Self.engine("id: r\ndeadman: {}\ncrit: '\"v\" > 1'\n") }
    }
}
