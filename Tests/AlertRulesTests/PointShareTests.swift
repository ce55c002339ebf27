import LineProtocol
import Testing
@testable import AlertRules

/// The rules of one point share its group key hash, the key its group was found under and its
/// threshold field (``PointShare``): an engine with many rules per measurement raises exactly the
/// alerts each rule raises alone.
@Suite struct PointShareTests {
    static let yaml = """
        - {id: host-warn, measurement: cpu, groupBy: [host], warn: '"v" > 50', crit: '"v" > 90', stateChangesOnly: true}
        - {id: host-low, measurement: cpu, groupBy: [host], crit: '"v" < 5'}
        - {id: host-cpu, measurement: cpu, groupBy: [cpu, host], warn: '"v" > 40', crit: '"w" > 3'}
        - {id: all, measurement: cpu, groupBy: ['*'], crit: '"v" > 70', stateChangesOnly: true}
        - {id: one-group, measurement: cpu, crit: '"v" >= 95'}
        - {id: host-again, measurement: cpu, groupBy: [host], info: '"v" > 20', warn: '"w" > 1'}
        - {id: tag-named-v, measurement: cpu, groupBy: [host], crit: '"v" > 10'}

        """

    /// Hosts and cpus that repeat, values that cross every threshold, a point now and then with
    /// a tag named like the field (the threshold then leaves it to the expression) or without `w`.
    static func points() -> [Point] {
        (0..<3000).map { i in
            var tags = [Tag(key: "cpu", value: "cpu\(i % 3)"), Tag(key: "host", value: "h\(i % 7)")]
            if i % 97 == 0 { tags.append(Tag(key: "v", value: "tag")) }
            var fields = [Field(key: "v", value: i % 5 == 0 ? .integer(Int64(i * 7 % 100)) : .float(Double(i * 13 % 100)))]
            if i % 11 != 0 { fields.append(Field(key: "w", value: .float(Double(i % 5)))) }
            return Point(measurement: "cpu", tags: tags.sorted { $0.key < $1.key }, fields: fields, time: Int64(i) * 1_000_000_000)
        }
    }

    static func run(_ engine: RuleEngine, _ points: [Point]) -> [String] {
        var out: [String] = []
        // In batches, as the relay hands them over, and one at a time.
        engine.process(Array(points[..<1000])) { out.append("\($0.ruleID) \($0.id) \($0.time) \($0.level)") }
        for p in points[1000..<1500] { engine.process(p) { out.append("\($0.ruleID) \($0.id) \($0.time) \($0.level)") } }
        engine.process(Array(points[1500...])) { out.append("\($0.ruleID) \($0.id) \($0.time) \($0.level)") }
        return out
    }

    @Test func manyRulesPerPointRaiseWhatEachRaisesAlone() throws {
        let rules = try RuleLoader(clusters: []).rules(text: Self.yaml, file: "r.yaml")
        let points = Self.points()
        let together = Self.run(RuleEngine(rules: rules), points)
        var alone: [String: [String]] = [:]
        for r in rules { alone[r.id] = Self.run(RuleEngine(rules: [r]), points) }
        for r in rules {
            let mine = together.filter { $0.hasPrefix(r.id + " ") }
            #expect(mine == alone[r.id], "\(r.id)")
            #expect(!mine.isEmpty, "\(r.id) raises alerts on this input")
        }
        let engine = RuleEngine(rules: rules)
        _ = Self.run(engine, points)
        #expect(engine.statistics["host-cpu"]?.groups == 21)
        #expect(engine.statistics["host-warn"]?.groups == 7)
    }
}
