import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Windows and running steps are kept in the state file: a restart in the middle of a window
/// emits the same window as an uninterrupted run.
@Suite struct StepStatePersistenceTests {
    static let yaml = """
        id: r
        measurement: cpu
        groupBy: [host]
        steps:
          - window: {period: 10s}
          - max: {field: v, as: peak}
          - derivative: {field: peak, unit: 10s}
          - eval: {lambda: 'sigma("peak")', as: s, keep: true}
          - stateCount: {lambda: '"peak" > 0'}
        crit: 'TRUE'

        """

    static func points(_ range: ClosedRange<Int64>) -> [Point] {
        range.map { t in Point(measurement: "cpu", tags: [Tag(key: "host", value: "a"), Tag(key: "dc", value: "x")],
                               fields: [Field(key: "v", value: .float(Double(t % 7))), Field(key: "n", value: .integer(t))], time: t * 1_000_000_000) }
    }

    static func run(_ e: RuleEngine, _ pts: [Point]) -> [String] {
        var out: [String] = []
        for p in pts { e.process(p) { ev in out.append("\(ev.time) \(ev.level) \(ev.point.fields.map { "\($0.key)=\($0.value)" }.sorted())") } }
        return out
    }

    @Test func aRestartMidWindowLosesNothing() throws {
        let rules = try RuleLoader(clusters: []).rules(text: Self.yaml, file: "p.yaml")
        let straight = Self.run(RuleEngine(rules: rules), Self.points(0...65))
        let first = RuleEngine(rules: rules)
        var resumed = Self.run(first, Self.points(0...34))
        let data = first.snapshot().encoded()
        let second = RuleEngine(rules: rules)
        #expect(second.restore(try AlertStateSnapshot.decoded(data)) == 1)
        resumed += Self.run(second, Self.points(35...65))
        #expect(straight.count == 5, "six windows; the derivative primes on the first")
        #expect(resumed == straight)
    }

    @Test func changedStepsStartAfresh() throws {
        let rules = try RuleLoader(clusters: []).rules(text: Self.yaml, file: "p.yaml")
        let first = RuleEngine(rules: rules)
        _ = Self.run(first, Self.points(0...34))
        let changed = try RuleLoader(clusters: []).rules(text: Self.yaml.replacingOccurrences(of: "period: 10s", with: "period: 20s"), file: "p.yaml")
        let second = RuleEngine(rules: changed)
        second.restore(first.snapshot())
        #expect(second.state(rule: "r", group: "host=a")?.steps == nil)
    }

    /// sigma() leaves its slot's min and max at ±infinity, which JSON cannot hold: the state file
    /// of any rule using it could not be written.
    @Test func statefulFunctionsWithInfinitiesAreSaved() throws {
        let rules = try RuleLoader(clusters: []).rules(text: "id: s\nmeasurement: cpu\ncrit: 'sigma(\"v\") > 3'\n", file: "s.yaml")
        let e = RuleEngine(rules: rules)
        e.process(Self.points(0...3)[0]) { _ in }
        let snapshot = e.snapshot()
        let back = try AlertStateSnapshot.decoded(snapshot.encoded())
        #expect(back.rules == snapshot.rules)
    }
}
