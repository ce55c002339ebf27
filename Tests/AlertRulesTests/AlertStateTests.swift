import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Kapacitor's alert state machine, table by table: each case is a rule, a point sequence and the
/// events Kapacitor's alert node sends for it.
@Suite struct AlertStateTests {
    static func rules(_ yaml: String, clusters: [String] = ["main"]) throws -> [AlertRule] {
        try RuleLoader(clusters: clusters).rules(text: yaml, file: "test.yaml")
    }

    struct Seen: Equatable, CustomStringConvertible {
        var t: Int64
        var level: AlertLevel
        var duration: Int64
        var id: String
        var description: String { "\(t)s \(level) d=\(duration)s \(id)" }
    }

    /// Runs `(seconds, host, value)` points of measurement `cpu`, field `v`, through the rules.
    static func run(_ yaml: String, _ points: [(Int64, String, Double)], engine: RuleEngine? = nil) throws -> [Seen] {
        let e = try engine ?? RuleEngine(rules: rules(yaml))
        var out: [Seen] = []
        for (t, host, v) in points {
            let p = Point(measurement: "cpu", tags: [Tag(key: "host", value: host), Tag(key: "zone", value: "z1")],
                          fields: [Field(key: "v", value: .float(v))], time: t * 1_000_000_000)
            e.process(p) { out.append(Seen(t: $0.time / 1_000_000_000, level: $0.level, duration: $0.duration / 1_000_000_000, id: $0.id)) }
        }
        return out
    }

    static let base = """
        id: r
        measurement: cpu
        crit: '"v" < 10'

        """

    @Test func criticalThenRecovery() throws {
        let seen = try Self.run(Self.base, [(0, "a", 50), (10, "a", 5), (20, "a", 5), (30, "a", 50), (40, "a", 50)])
        #expect(seen == [Seen(t: 10, level: .critical, duration: 0, id: "cpu:nil"),
                         Seen(t: 20, level: .critical, duration: 10, id: "cpu:nil"),
                         Seen(t: 30, level: .ok, duration: 20, id: "cpu:nil")])
    }

    @Test func stateChangesOnly() throws {
        let seen = try Self.run(Self.base + "stateChangesOnly: true\n",
                                [(0, "a", 5), (10, "a", 5), (20, "a", 5), (30, "a", 50), (40, "a", 50), (50, "a", 5)])
        #expect(seen.map(\.t) == [0, 30, 50])
        #expect(seen.map(\.level) == [.critical, .ok, .critical])
        #expect(seen[1].duration == 30)
    }

    @Test func stateChangesOnlyWithResendInterval() throws {
        let seen = try Self.run(Self.base + "stateChangesOnly: 1m\n",
                                [(0, "a", 5), (30, "a", 5), (60, "a", 5), (90, "a", 5), (120, "a", 5), (130, "a", 50)])
        #expect(seen.map(\.t) == [0, 60, 120, 130])
        #expect(seen.map(\.duration) == [0, 60, 120, 130])
    }

    @Test func noRecoveries() throws {
        let seen = try Self.run(Self.base + "noRecoveries: true\n", [(0, "a", 5), (10, "a", 50), (20, "a", 5)])
        #expect(seen.map(\.level) == [.critical, .critical])
        // The recovery still resets the duration, as in Kapacitor.
        #expect(seen.map(\.duration) == [0, 0])
    }

    @Test func highestLevelWins() throws {
        let yaml = """
            id: r
            measurement: cpu
            info: '"v" > 50'
            warn: '"v" > 70'
            crit: '"v" > 90'
            """
        let seen = try Self.run(yaml, [(0, "a", 95), (10, "a", 75), (20, "a", 55), (30, "a", 10), (40, "a", 10)])
        #expect(seen.map(\.level) == [.critical, .warning, .info, .ok])
    }

    @Test func resetExpressionsHoldTheLevel() throws {
        let yaml = """
            id: r
            measurement: cpu
            warn: '"v" > 80'
            warnReset: '"v" < 70'
            """
        let seen = try Self.run(yaml, [(0, "a", 85), (10, "a", 75), (20, "a", 72), (30, "a", 65), (40, "a", 75)])
        #expect(seen.map(\.level) == [.warning, .warning, .warning, .ok])
    }

    @Test func groupByKeepsGroupsApart() throws {
        let seen = try Self.run(Self.base + "groupBy: [host]\n",
                                [(0, "a", 5), (0, "b", 50), (10, "b", 5), (20, "a", 50), (30, "b", 5)])
        #expect(seen == [Seen(t: 0, level: .critical, duration: 0, id: "cpu:host=a"),
                         Seen(t: 10, level: .critical, duration: 0, id: "cpu:host=b"),
                         Seen(t: 20, level: .ok, duration: 20, id: "cpu:host=a"),
                         Seen(t: 30, level: .critical, duration: 20, id: "cpu:host=b")])
    }

    @Test func groupByStarUsesEveryTagSorted() throws {
        let seen = try Self.run(Self.base + "groupBy: '*'\n", [(0, "a", 5)])
        #expect(seen.map(\.id) == ["cpu:host=a,zone=z1"])
        let named = try Self.run(Self.base + "groupBy: [zone, host]\n", [(0, "a", 5)])
        #expect(named.map(\.id) == ["cpu:host=a,zone=z1"])
    }

    @Test func flappingSuppressesEventsUntilStable() throws {
        var points: [(Int64, String, Double)] = []
        for i in 0..<20 { points.append((Int64(i) * 10, "a", i % 2 == 0 ? 5 : 50)) }
        for i in 20..<45 { points.append((Int64(i) * 10, "a", 5)) }
        let plain = try Self.run(Self.base + "history: 10\n", points)
        let flap = try Self.run(Self.base + "history: 10\nflapping: {low: 0.25, high: 0.5}\n", points)
        #expect(plain.count == 20 + 25)
        #expect(flap.count < plain.count)
        // Once the level is stable again the flapping ends and events resume.
        #expect(flap.last?.t == 440)
        #expect(flap.last?.level == .critical)
    }

    @Test func percentChangeIsKapacitorsWeightedShare() {
        let s = AlertState(history: 4, functionSlots: 0)
        s.addEvent(0, .critical, flapping: nil, stateChangesOnly: 0)
        // Kapacitor: weights 0.8, 0.933, 1.067 over the pairs starting at the newest entry.
        #expect(abs(s.percentChange() - (0.8 + 0.8 + 0.4 / 3) / 3) < 1e-12)
        #expect(s.levels == [.ok, .ok, .ok, .critical])
    }

    @Test func defaultTemplatesAndWhereFilter() throws {
        let e = try RuleEngine(rules: Self.rules(Self.base + "where: '\"host\" == ''a'''\n"))
        var events: [AlertEvent] = []
        for host in ["b", "a"] {
            e.process(Point(measurement: "cpu", tags: [Tag(key: "host", value: host)], fields: [Field(key: "v", value: .float(1))], time: 0)) {
                events.append($0)
            }
        }
        #expect(events.count == 1)
        #expect(events.first?.message == "cpu:nil is CRITICAL")
        #expect(events.first?.details.hasPrefix("{&#34;Name&#34;:&#34;cpu&#34;,&#34;TaskName&#34;:&#34;r&#34;") == true)
        #expect(e.statistics["r"]?.filteredOut == 1)
    }

    @Test func aMissingFieldIsCountedNotFatal() throws {
        let e = try RuleEngine(rules: Self.rules(Self.base))
        var errors: [String] = []
        e.onError = { _, m in errors.append(m) }
        var events = 0
        e.process(Point(measurement: "cpu", fields: [Field(key: "other", value: .float(1))], time: 0)) { _ in events += 1 }
        e.process(Point(measurement: "cpu", fields: [Field(key: "v", value: .float(1))], time: 1)) { _ in events += 1 }
        #expect(events == 1)
        #expect(errors == ["crit: left reference value \"v\" is missing value"])
        #expect(e.statistics["r"]?.expressionErrors == 1)
    }

    @Test func otherMeasurementsAreNotEvaluated() throws {
        let e = try RuleEngine(rules: Self.rules(Self.base))
        e.process(Point(measurement: "mem", fields: [Field(key: "v", value: .float(1))], time: 0)) { _ in Issue.record("event") }
        #expect(e.statistics["r"]?.evaluations == 0)
    }

    @Test func templatesSeeKapacitorsContext() throws {
        let yaml = Self.base + """
            groupBy: [host]
            alertId: '{{ .TaskName }}/{{ index .Tags "host" }}'
            message: '{{ .ID }} {{ .Level }} v={{ index .Fields "v" }} for {{ .Duration }} at {{ .Time.Unix }}'
            """
        let seen = try RuleEngine(rules: Self.rules(yaml))
        var messages: [String] = []
        for (t, v) in [(0, 5.0), (90, 5.0)] {
            seen.process(Point(measurement: "cpu", tags: [Tag(key: "host", value: "a")], fields: [Field(key: "v", value: .float(v))],
                               time: Int64(t) * 1_000_000_000)) { messages.append($0.message) }
        }
        #expect(messages == ["r/a CRITICAL v=5 for 0s at 0", "r/a CRITICAL v=5 for 1m30s at 90"])
    }

    @Test func reloadKeepsTheStateOfUnchangedRules() throws {
        let first = try RuleEngine(rules: Self.rules(Self.base + "stateChangesOnly: true\n"))
        _ = try Self.run("", [(0, "a", 5)], engine: first)
        let second = try RuleEngine(rules: Self.rules(Self.base + "stateChangesOnly: true\n"))
        second.adoptState(from: first)
        #expect(try Self.run("", [(10, "a", 5), (20, "a", 50)], engine: second).map(\.level) == [.ok])
    }
}

/// Alert state written to a file and read back into a new engine: a restart neither re-alerts
/// nor goes silent (Kapacitor issue 744).
@Suite struct AlertStateSnapshotTests {
    @Test func restoredStateContinuesWhereItStopped() throws {
        let yaml = AlertStateTests.base + "groupBy: [host]\nstateChangesOnly: true\ncritReset: '\"v\" > 50'\n"
        let first = try RuleEngine(rules: AlertStateTests.rules(yaml))
        #expect(try AlertStateTests.run("", [(0, "a", 5), (10, "b", 50)], engine: first).map(\.level) == [.critical])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try first.snapshot().write(to: path)
        let saved = try #require(try AlertStateSnapshot.read(from: path))
        #expect(saved.rules["r"]?.groups.count == 2)
        let second = try RuleEngine(rules: AlertStateTests.rules(yaml))
        #expect(second.restore(saved) == 2)
        // Still CRITICAL: no second alert; the recovery reports the whole duration.
        let seen = try AlertStateTests.run("", [(20, "a", 5), (30, "a", 40), (40, "a", 60)], engine: second)
        #expect(seen.map(\.level) == [.ok])
        #expect(seen.first?.duration == 40)
        // A rule whose grouping changed does not take the old groups.
        let regrouped = try RuleEngine(rules: AlertStateTests.rules(AlertStateTests.base + "stateChangesOnly: true\n"))
        #expect(regrouped.restore(saved) == 0)
    }
}
