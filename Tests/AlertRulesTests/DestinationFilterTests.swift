import LineProtocol
import Testing
@testable import AlertRules

/// Rules read the databases and retention policies they name, as Kapacitor's `dbrp` and
/// `from().database()` select a task's points; the engine decides once per batch.
@Suite struct DestinationFilterTests {
    static func point(_ host: String) -> Point {
        Point(measurement: "cpu", tags: [Tag(key: "host", value: host)], fields: [Field(key: "v", value: .float(1))], time: 1)
    }

    static func firing(_ engine: RuleEngine, at destination: PointDestination?) -> [String] {
        engine.select(destination: destination)
        var rules: [String] = []
        engine.process([point("a")]) { rules.append($0.ruleID) }
        return rules.sorted()
    }

    @Test func yamlAndTICKscriptSelectTheirDatabases() throws {
        let loader = RuleLoader(clusters: [])
        let yaml = try loader.rules(text: """
            - id: db-only
              database: telegraf
              crit: '"v" > 0'
            - id: db-and-rp
              database: telegraf
              retentionPolicy: autogen
              crit: '"v" > 0'
            - id: pairs
              dbrp: [{database: apps, retentionPolicy: autogen}, {database: telegraf, retentionPolicy: weekly}]
              crit: '"v" > 0'
            - id: every
              crit: '"v" > 0'
            """, file: "r.yaml")
        let tick = try loader.rules(tick: """
            dbrp "apps"."autogen"
            stream|from().measurement('cpu')|alert().crit(lambda: "v" > 0)
            """, file: "apps-task.tick")
        #expect(tick.first?.destinations == DestinationFilter(dbrps: [PointDestination(database: "apps", retentionPolicy: "autogen")]))
        let engine = RuleEngine(rules: yaml + tick)
        #expect(Self.firing(engine, at: PointDestination(database: "telegraf", retentionPolicy: "autogen")) == ["db-and-rp", "db-only", "every"])
        #expect(Self.firing(engine, at: PointDestination(database: "telegraf", retentionPolicy: "weekly")) == ["db-only", "every", "pairs"])
        #expect(Self.firing(engine, at: PointDestination(database: "apps", retentionPolicy: "autogen")) == ["apps-task", "every", "pairs"])
        #expect(Self.firing(engine, at: PointDestination()) == ["every"])
        // No destination (alertrelay test without --database): every rule reads the points.
        #expect(Self.firing(engine, at: nil) == ["apps-task", "db-and-rp", "db-only", "every", "pairs"])
    }

    @Test func badDestinationKeysAreErrors() {
        do {
            _ = try RuleLoader(clusters: []).rules(text: "id: r\ncrit: '\"v\" > 0'\ndbrp: [{database: x}]\n", file: "r.yaml")
            Issue.record("accepted a dbrp without a retention policy")
        } catch {
            #expect(error.description.hasPrefix("r.yaml:3:8: rule \"r\": dbrp needs database and retentionPolicy"), "\(error)")
        }
    }
}
