import LineProtocol
import Testing
@testable import AlertRules

/// The YAML of the steps: the short form, `steps:`, and every mistake at its file:line:column.
@Suite struct RuleStepLoaderTests {
    static let head = "id: r\nmeasurement: cpu\ncrit: '\"mean\" < 10'\n"

    func load(_ yaml: String) throws -> AlertRule {
        try #require(try RuleLoader(clusters: []).rules(text: yaml, file: "s.yaml").first)
    }

    func error(_ yaml: String) -> String {
        do {
            _ = try RuleLoader(clusters: []).rules(text: yaml, file: "s.yaml")
            return ""
        } catch {
            return error.description
        }
    }

    @Test func shortFormIsAWindowAndOneAggregate() throws {
        let r = try load(Self.head + "window: {period: 5m, every: 1m}\nmean: usage_idle\n")
        #expect(r.steps.map(\.description) == [#"window(period: 5m0s, every: 1m0s) | mean("usage_idle").as("mean")"#])
        let p = try load(Self.head + "window: {period: 1m, align: true}\npercentile: {field: latency, percentile: 95, as: p95}\n")
        #expect(p.steps.map(\.description) == [#"window(period: 1m0s, every: 1m0s, align) | percentile("latency", 95).as("p95")"#])
    }

    @Test func stepsInOrder() throws {
        let r = try load(Self.head + """
            steps:
              - window: {period: 10s}
              - sum: requests
              - derivative: {field: sum, unit: 1s, nonNegative: true, as: rate}
              - eval: {lambdas: ['"rate" * 60.0'], as: [perMinute], keep: true}
              - stateCount: {lambda: '"perMinute" > 100'}
              - default: {fields: {x: 1}, tags: {dc: here}}
              - shift: -1s
            """)
        #expect(r.steps.map(\.description) == [
            #"window(period: 10s, every: 10s) | sum("requests").as("sum")"#,
            #"derivative("sum").unit(1s).nonNegative().as("rate")"#,
            #"eval(lambda: "rate" * 60.0).as('perMinute').keep()"#,
            #"stateCount(lambda: "perMinute" > 100).as('state_count')"#,
            "default().field('x', integer(1)).tag('dc', 'here')",
            "shift(-1s)",
        ])
    }

    @Test(arguments: [
        (head + "mean: usage_idle\n", "s.yaml:4:7: rule \"r\": mean needs a window before it (for example window: {period: 1m})"),
        (head + "window: {period: 1m}\n", "s.yaml:4:9: rule \"r\": a window must be followed by an aggregate"),
        (head + "window: {period: 1m}\nmean: a\nmax: b\n", "s.yaml:6:1: rule \"r\": one aggregate per window (mean and max): write longer chains under steps:"),
        (head + "window: {period: 1m}\nsteps:\n  - mean: a\n", "s.yaml:4:1: rule \"r\": window cannot be both a key of the rule and in steps"),
        (head + "derivative: value\n", "s.yaml:4:1: rule \"r\": derivative is a step of a chain: write the chain under steps:"),
        (head + "steps:\n  - windw: {period: 1m}\n", "s.yaml:5:5: rule \"r\" step: unknown key \"windw\" (did you mean \"window\"?)"),
        (head + "steps:\n  - window: {period: 1m}\n    mean: x\n", "s.yaml:5:5: rule \"r\": each step is one key"),
        (head + "window: {every: 1m}\nmean: x\n", "s.yaml:4:9: rule \"r\": window: period is required"),
        (head + "window: {period: 0s}\nmean: x\n", "s.yaml:4:18: rule \"r\": window: period must be positive"),
        (head + "window: {period: 1m}\npercentile: latency\n", "s.yaml:5:13: rule \"r\": percentile: write {field: NAME, percentile: P}"),
        (head + "window: {period: 1m}\npercentile: {field: x, percentile: 101}\n", "s.yaml:5:36: rule \"r\": percentile: percentile must be from 0 to 100"),
        (head + "window: {period: 1m}\nmean: {field: x, usePointTimes: true}\n", "s.yaml:5:18: rule \"r\": mean: unknown key \"usePointTimes\""),
        (head + "steps:\n  - eval: {lambdas: ['1.0', '2.0'], as: [a]}\n", "s.yaml:5:41: rule \"r\": eval: 2 lambdas but 1 names in as"),
        (head + "steps:\n  - eval: {lambda: '\"a\" +', as: b}\n", "s.yaml:5:"),
        (head + "steps:\n  - movingAverage: {field: x}\n", "s.yaml:5:20: rule \"r\": movingAverage: window is required"),
        (head + "window: {period: 1m}\ntop: x\n", "s.yaml:5:6: rule \"r\": top: write {n: N, field: NAME}"),
        (head + "steps:\n  - window: {period: 1m}\n  - top: {n: 2, field: x}\n  - eval: {lambda: '1.0', as: y}\n", "s.yaml:5:13: rule \"r\": top emits a batch, which only the alert takes: it must be the last step"),
    ])
    func mistakesAreLoadErrorsWithTheirPlace(_ yaml: String, _ message: String) {
        let e = error(yaml)
        #expect(e.hasPrefix(message), "\(e)")
    }

    /// Kapacitor's TestStream_AlertComplexWhere: a stateful function in `where` has one state for
    /// the rule, and AND short-circuits (sigma advances only on serverA's points).
    @Test func statefulWhereKeepsOneStateForTheRule() throws {
        let r = try load("id: w\nmeasurement: cpu\nwhere: '\"host\" == ''a'' AND sigma(\"v\") > 2'\ncrit: 'TRUE'\n")
        let engine = RuleEngine(rules: [r])
        var events = 0
        var errors: [String] = []
        engine.onError = { errors.append($1) }
        for (i, v) in [10.0, 11, 10, 11, 10, 50].enumerated() {
            for host in ["a", "b"] {
                engine.process(Point(measurement: "cpu", tags: [Tag(key: "host", value: host)], fields: [Field(key: "v", value: .float(host == "b" ? 1000 : v))], time: Int64(i))) { _ in events += 1 }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(events == 1)
    }
}
