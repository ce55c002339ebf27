import LineProtocol
import Testing
@testable import AlertRules

/// `httpOut(name)`: a chain step that keeps each group's latest point, or the alert's output;
/// served as Kapacitor's `models.Result` JSON.
@Suite struct HTTPOutTests {
    static func point(_ host: String, _ value: Double, _ seconds: Int64) -> Point {
        Point(measurement: "cpu", tags: [Tag(key: "host", value: host)], fields: [Field(key: "value", value: .float(value))],
              time: seconds * 1_000_000_000)
    }

    /// The events of `points`, and the engine, which holds the groups (and so the rows).
    static func run(_ rules: [AlertRule], _ points: [Point]) -> ([AlertEvent], RuleEngine) {
        let engine = RuleEngine(rules: rules)
        var events: [AlertEvent] = []
        for p in points { engine.process(p) { events.append($0) } }
        return (events, engine)
    }

    @Test func aChainStepServesEachGroupsLatestPointInTheOrderGroupsCame() throws {
        let rules = try RuleLoader(clusters: []).rules(text: """
            id: cpu_mean
            measurement: cpu
            groupBy: [host]
            steps:
              # Unaligned: each group's window closes 10 s after its first point (b: 11 s, a: 12 s).
              - window: {period: 10s, every: 10s}
              - mean: value
              - httpOut: mean
            crit: '"mean" > 90'
            """, file: "r.yaml")
        let table = try #require(rules[0].httpOutTables.first)
        #expect(table.path == "/kapacitor/v1/tasks/cpu_mean/mean")
        #expect(table.json() == "{\"series\":null}", "nothing passed yet")
        let (_, engine) = Self.run(rules, [Self.point("b", 90, 1), Self.point("a", 92, 2), Self.point("b", 94, 3), Self.point("b", 1, 12),
                             Self.point("a", 1, 13)])
        #expect(table.json() == """
            {"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","mean"],"values":[["1970-01-01T00:00:11Z",92]]},\
            {"name":"cpu","tags":{"host":"a"},"columns":["time","mean"],"values":[["1970-01-01T00:00:12Z",92]]}]}
            """)
        withExtendedLifetime(engine) {}
    }

    @Test func afterTheAlertItServesWhatTheAlertEmittedWithItsOutputProperties() throws {
        let rules = try RuleLoader(clusters: []).rules(tick: """
            stream
                |from()
                    .measurement('cpu')
                    .groupBy('host')
                |alert()
                    .crit(lambda: "value" > 90)
                    .levelTag('level')
                    .log('/dev/null')
                |httpOut('alerts')
            """, file: "cpu_alert.tick")
        let table = try #require(rules[0].httpOut)
        #expect(table.path == "/kapacitor/v1/tasks/cpu_alert/alerts")
        let (events, engine) = Self.run(rules, [Self.point("a", 95, 1), Self.point("b", 10, 2), Self.point("a", 96, 3)])
        #expect(events.count == 2, "b never fired: no event, no output")
        #expect(table.json() == """
            {"series":[{"name":"cpu","tags":{"host":"a","level":"CRITICAL"},"columns":["time","value"],"values":[["1970-01-01T00:00:03Z",96]]}]}
            """)
        withExtendedLifetime(engine) {}
    }

    @Test func aTICKscriptHttpOutInTheChainBecomesAStep() throws {
        let rules = try RuleLoader(clusters: []).rules(tick: """
            stream
                |from().measurement('cpu')
                |window().period(10s).every(10s)
                |count('value')
                |httpOut('counts')
                |alert().crit(lambda: "count" > 100).log('/dev/null')
            """, file: "t.tick")
        #expect(rules[0].steps.map(\.description).last == "httpOut('counts')")
        #expect(rules[0].httpOut == nil)
    }

    @Test(arguments: [
        ("stream|from().measurement('cpu')|alert().crit(lambda: TRUE).log('/dev/null')|httpOut('a')|httpOut('b')",
         "after the alert's httpOut is not supported"),
        ("stream|from().measurement('cpu')|httpOut('a')|alert().crit(lambda: TRUE).log('/dev/null')|httpOut('a')",
         "two httpOut nodes are named \"a\""),
        ("stream|from().measurement('cpu')|httpOut('a/b')|alert().crit(lambda: TRUE).log('/dev/null')",
         "httpOut needs a name without '/'"),
        ("stream|from().measurement('cpu')|window().period(1m)|top(3, 'value')|httpOut('a')|alert().crit(lambda: TRUE).log('/dev/null')",
         "put httpOut after the alert"),
    ])
    func misplacedOrMisnamedHttpOutIsRefused(_ script: String, _ message: String) {
        #expect {
            _ = try RuleLoader(clusters: []).rules(tick: script, file: "t.tick")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aGroupThatExpiresTakesItsRowAlong() throws {
        let rules = try RuleLoader(clusters: []).rules(text: """
            id: r
            measurement: cpu
            groupBy: [host]
            steps:
              - httpOut: last
            crit: '"value" > 90'
            """, file: "r.yaml")
        let table = try #require(rules[0].httpOutTables.first)
        do {
            let engine = RuleEngine(rules: rules)
            engine.process(Self.point("a", 1, 1)) { _ in }
            engine.process(Self.point("b", 2, 2)) { _ in }
            #expect(table.count == 2)
        }
        #expect(table.count == 0, "the engine and its groups are gone: so are the rows")
    }
}
