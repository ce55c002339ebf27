import AlertRelayTestSupport
import Foundation
import Testing
@testable import LineProtocol

/// Differential tests against InfluxDB 1.6.7's own parser: Fixtures/oracle.jsonl was recorded by
/// Tools/lineprotocol-oracle (Go, Debian's golang-github-influxdb-influxdb-dev).
@Suite struct OracleTests {
    struct Expected: Decodable, Sendable, CustomTestStringConvertible {
        struct P: Decodable, Sendable {
            var measurement: String
            var tags: [[String]]
            var fields: [F]
            var time: String
        }

        struct F: Decodable, Sendable {
            var key: String
            var type: String
            var value: String
        }

        var name: String
        var input: String
        var precision: String
        var points: [P]
        var errors: Int
        var panic: Bool?
        var crlf: Bool?
        /// A record spans lines and fails, and one of its lines is a point: the expectation is
        /// InfluxDB's answer for each of its lines (see LineProtocolParser's deviations).
        var lineByLine: Bool?

        var testDescription: String { "\(name) \(String(reflecting: input))" }
    }

    static let defaultTime: Int64 = 1_700_000_000_123_456_789

    static func fixtures() throws -> [Expected] {
        try oracleFixture("oracle.jsonl")
    }

    static func matches(_ p: Point, _ e: Expected.P) -> Bool {
        guard p.measurement == e.measurement, String(p.time) == e.time,
              p.tags.map({ [$0.key, $0.value] }) == e.tags, p.fields.count == e.fields.count else { return false }
        for (f, ef) in zip(p.fields, e.fields) {
            guard f.key == ef.key, f.value.typeName == ef.type else { return false }
            switch f.value {
            case .float(let v): if Double(ef.value) != v { return false }
            case .integer(let v): if String(v) != ef.value { return false }
            case .unsigned(let v): if String(v) != ef.value { return false }
            case .string(let v): if v != ef.value { return false }
            case .boolean(let v): if String(v) != ef.value { return false }
            }
        }
        return true
    }

    @Test func theFixtureHasItsCases() throws {
        #expect(try Self.fixtures().count >= 500)
    }

    /// One reported case per fixture line.
    @Test(arguments: try OracleTests.fixtures())
    func matchesInfluxDB(_ c: Expected) throws {
        let precision = try #require(Precision(name: c.precision), "unknown precision \(c.precision)")
        let records = LineProtocolParser(precision: precision).records(Array(c.input.utf8), defaultTime: Self.defaultTime)
        var points: [Point] = []
        var errors = 0
        for r in records {
            switch r {
            case .point(let p, _): points.append(p)
            case .error: errors += 1
            }
        }
        guard c.panic != true else { return }  // InfluxDB crashed; not crashing is all we can compare
        // Deviation: a point InfluxDB accepts with no usable field is rejected here.
        let expectedPoints = c.points.filter { !$0.fields.isEmpty }
        let expectedErrors = c.errors + (c.points.count - expectedPoints.count)
        let ok = points.count == expectedPoints.count && errors == expectedErrors
            && zip(points, expectedPoints).allSatisfy { Self.matches($0, $1) }
        #expect(ok, "got \(points.count) points \(errors) errors \(points.prefix(2)) \(records.compactMap { if case .error(let e) = $0 { return e.reason } else { return nil } }); want \(expectedPoints.count) points \(expectedErrors) errors \(expectedPoints.prefix(2).map { ($0.measurement, $0.tags, $0.fields.map { ($0.key, $0.type, $0.value) }, $0.time) })")
    }

    /// Every fixture through one ``LineProtocolSession`` per precision that reuses the storage of
    /// the fixtures before (all shapes and sizes mixed): the same records as the one-off parser,
    /// which the test above pins to InfluxDB's.
    @Test func aRecyclingSessionGivesTheSameRecords() throws {
        var sessions: [String: LineProtocolSession] = [:]
        var points: [Point] = []
        var differing: [String] = []
        for c in try Self.fixtures() {
            let precision = try #require(Precision(name: c.precision), "unknown precision \(c.precision)")
            let parser = LineProtocolParser(precision: precision)
            let session = sessions[c.precision] ?? LineProtocolSession(parser)
            sessions[c.precision] = session
            let input = Array(c.input.utf8)
            session.recycle(&points)
            var records: [LineProtocolRecord] = []
            input.withUnsafeBytes { raw in session.parse(raw, defaultTime: Self.defaultTime) { records.append($0) } }
            var errors: [LineProtocolError] = []
            var direct: [Point] = []
            input.withUnsafeBytes { raw in session.parse(raw, defaultTime: Self.defaultTime, into: &direct) { errors.append($0) } }
            let expected = parser.records(input, defaultTime: Self.defaultTime)
            let expectedPoints = expected.compactMap { r -> Point? in if case .point(let p, _) = r { return p } else { return nil } }
            let expectedErrors = expected.compactMap { r -> LineProtocolError? in if case .error(let e) = r { return e } else { return nil } }
            if records != expected || direct != expectedPoints || errors != expectedErrors { differing.append(c.name) }
            points = direct + records.compactMap { r -> Point? in if case .point(let p, _) = r { return p } else { return nil } }
        }
        #expect(differing.isEmpty, "differ from the one-off parser: \(differing.prefix(10))")
    }
}
