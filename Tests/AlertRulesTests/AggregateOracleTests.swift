import AlertRelayTestSupport
import LineProtocol
import Testing
@testable import AlertRules

/// Every aggregate and selector against InfluxDB 1.6.7's own InfluxQL reducers (the reducers
/// Kapacitor's InfluxQL node runs), on 3,000 random windows of floats and integers with repeated
/// values and times: the value, its type, and which point a selector picks.
/// Fixture: Tools/aggregate-oracle/generate.sh.
@Suite struct AggregateOracleTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var fn: String
        var percentile: Double?
        var type: String
        var values: [String]
        var times: [Int64]
        var result: String?
        var resultType: String?
        var index: Int
        var testDescription: String { "\(fn)\(percentile.map { "(\($0))" } ?? "") of \(type) \(values)" }
    }

    static let cases: [Case] = (try? oracleFixture("aggregate-oracle.jsonl")) ?? []

    @Test func theFixtureIsThere() { #expect(Self.cases.count == 3000) }

    @Test(arguments: cases)
    func reducesAsInfluxDB(_ c: Case) throws {
        var f = try #require(AggregateFunction.byName[c.fn])
        if case .percentile = f { f = .percentile(c.percentile ?? 0) }
        let samples = zip(c.values, c.times).enumerated().map { i, vt in
            AggregateFunction.Sample(value: c.type == "integer" ? .integer(Int64(vt.0)!) : .float(Double(vt.0)!), time: vt.1, index: i)
        }
        let got = f.reduce(samples)
        guard let result = c.result else {
            #expect(got == nil)
            return
        }
        let (value, selected) = try #require(got)
        switch value {
        case .float(let d):
            #expect(c.resultType == "float")
            if result == "NaN" { #expect(d.isNaN) } else { #expect(d.bitPattern == Double(result)!.bitPattern, "\(d) vs \(result)") }
        case .integer(let i):
            #expect(c.resultType == "integer")
            #expect(String(i) == result)
        default:
            Issue.record("unexpected \(value)")
        }
        if f.isSelector { #expect(selected == c.index, "selected point") }
    }

    /// A window of all floats or all integers has its count, sum and mean reduced straight from
    /// its buffer: the window step emits, bit for bit, what the reducers above give, and a window
    /// of mixed types after it (the general path, with its error) leaves the next one intact.
    @Test func windowsReduceTheirBufferAsTheReducers() throws {
        let second: Int64 = 1_000_000_000
        func point(_ v: FieldValue, _ t: Int64) -> Point { Point(measurement: "m", fields: [Field(key: "v", value: v)], time: t) }
        for c in Self.cases where ["count", "sum", "mean"].contains(c.fn) && !c.values.isEmpty {
            let f = try #require(AggregateFunction.byName[c.fn])
            let values: [FieldValue] = c.values.map { c.type == "integer" ? .integer(Int64($0)!) : .float(Double($0)!) }
            let expected = try #require(f.reduce(values.enumerated().map { .init(value: $1, time: Int64($0), index: $0) })).value
            let state = WindowedAggregateStep(window: WindowSpec(period: second), function: f, field: "v").makeGroupState(groupTags: [])
            var out = StepOutput()
            // Window 1: the case's values. Window 2: a float then an integer (the integer is an
            // error). Window 3: the case's values again.
            for (i, v) in values.enumerated() { state.process(point(v, Int64(i)), &out) }
            state.process(point(.float(1), second), &out)
            state.process(point(.integer(2), second + 1), &out)
            for (i, v) in values.enumerated() { state.process(point(v, 2 * second + Int64(i)), &out) }
            state.process(point(values[0], 3 * second), &out)
            let got = out.points.map { $0.field(c.fn) }
            #expect(got.count == 3 && out.errors == ["field v has wrong type: got integer exp float"])
            for i in [0, 2] {
                switch (got[i], expected) {
                case (.float(let a)?, .float(let b)): #expect(a.bitPattern == b.bitPattern, "\(c.testDescription): \(a) vs \(b)")
                default: #expect(got[i] == expected, "\(c.testDescription)")
                }
            }
        }
    }
}
