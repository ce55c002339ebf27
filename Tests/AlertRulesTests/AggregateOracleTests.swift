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
}
