import AlertRelayTestSupport
import Foundation
import GoTemplate
import LineProtocol
import Testing
@testable import AlertRules

/// Kapacitor 1.5.9's own stream alert tests (`integrations/streamer_test.go`), each TICKscript
/// written as our YAML rule, replayed on the test's data as Kapacitor's harness replays it, and
/// checked against the alert data the test expects its handler to receive, in order, and — for the
/// tests with an httpOut after the alert — against what that httpOut serves: the alert node's last
/// emitted point, with the output properties (idField, idTag, levelField, levelTag, messageField,
/// durationField) applied.
/// Fixture: Tools/kapacitor-streamer/make-fixtures.py.
@Suite struct KapacitorStreamerTests {
    struct Series: Decodable, Sendable, Equatable {
        var name: String
        var tags: [String: String]?
        var columns: [String]
        var values: [[JSONValue]]
    }

    struct Expected: Decodable, Sendable {
        var ID: String
        var Message: String
        var Details: String?
        var Time: String?
        var Duration: Int64?
        var Level: String?
        var PreviousLevel: String?
        var Recoverable: Bool?
        var Series: [Series]?
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var rule: String
        /// The test's own TICKscript (handlers that reach the test's servers left out).
        var tick: String
        var points: [String]
        var expected: [Expected]?
        var expectedCount: Int?
        /// What the test's httpOut serves after the run (its values JSON-decoded: numbers as floats).
        var emitted: [Series]?
        var testDescription: String { name }
    }

    /// A number or a string of a series row.
    enum JSONValue: Decodable, Sendable, Equatable, CustomStringConvertible {
        case number(Double)
        case string(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .string(try c.decode(String.self)) }
        }
        var description: String {
            switch self {
            case .number(let d): return "\(d)"
            case .string(let s): return "\"\(s)\""
            }
        }
    }

    /// Kapacitor's alert JSON as a handler receives it (read with JSONDecoder: Foundation's
    /// JSONSerialization on Linux can read a float one unit in the last place off).
    struct Record: Decodable {
        struct DataField: Decodable { var series: [Series]? }
        var id: String
        var message: String
        var details: String
        var time: String
        var duration: Int64
        var level: String
        var previousLevel: String
        var recoverable: Bool
        var data: DataField
    }

    static let cases: [Case] = (try? oracleFixture("kapacitor-streamer.jsonl")) ?? []

    /// What one replay gave: the alert records a handler received, and the points the alert node
    /// emitted, in order.
    struct Replay {
        var records: [Record] = []
        var emitted: [Point] = []
        /// What the task's httpOut after the alert serves at the end (tests with `emitted`).
        var served: String?
    }

    struct Served: Decodable { var series: [Series]? }

    /// Replays `c`: each alert record (Kapacitor's alert JSON) a handler received, and what the
    /// alert node emitted.
    static func replay(_ c: Case, tick: Bool = false) throws -> Replay {
        let rules: [AlertRule]
        if tick {
            // The task's alert gets a log handler to read what it sends.
            // The test's httpOut after the alert, which the fixture leaves out, comes back.
            let script = c.tick.replacingOccurrences(of: "|alert()", with: "|alert()\n\t\t.log('/dev/null')")
                + (c.emitted == nil ? "" : "\n\t|httpOut('\(c.name)')\n")
            rules = try RuleLoader(clusters: []).rules(tick: script, file: c.name + ".tick")
        } else {
            rules = try RuleLoader(clusters: []).rules(text: c.rule + "log:\n  - path: /dev/null\n"
                                                        + (c.emitted == nil ? "" : "httpOut: \(c.name)\n"), file: c.name + ".yaml")
        }
        let engine = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: [])
        var out = Replay()
        let parser = LineProtocolParser(precision: .nanoseconds)
        var errors: [String] = []
        engine.onError = { errors.append($1) }
        parser.parse(Array(c.points.joined(separator: "\n").utf8), defaultTime: 0) { record in
            guard case .point(let p, _) = record else {
                Issue.record("bad fixture line: \(record)")
                return
            }
            engine.process(p) { event in
                out.emitted += event.emitted
                for d in router.route(event) {
                    guard case .log(_, _, let line) = d.output else { continue }
                    do { out.records.append(try JSONDecoder().decode(Record.self, from: Data(line))) } catch {
                        Issue.record("unreadable alert JSON \(String(decoding: line, as: UTF8.self)): \(error)")
                    }
                }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        out.served = rules[0].httpOut?.json()
        return out
    }

    @Test(arguments: cases)
    func kapacitorTestPasses(_ c: Case) throws {
        try check(c, try Self.replay(c))
    }

    /// The same, from the test's TICKscript itself.
    @Test(arguments: cases)
    func kapacitorTestPassesFromItsTICKscript(_ c: Case) throws {
        try check(c, try Self.replay(c, tick: true))
    }

    func check(_ c: Case, _ replay: Replay) throws {
        let got = replay.records
        if let series = c.emitted {
            // httpOut serves the last output of the node before it: what the alert emitted last,
            // read back from the httpOut's own JSON.
            #expect(replay.emitted.last.map { [Self.series($0)] } == series.map(Self.comparable), "emitted: \(replay.emitted)")
            let served = try JSONDecoder().decode(Served.self, from: Data((replay.served ?? "").utf8))
            #expect((served.series ?? []).map(Self.comparable) == series.map(Self.comparable), "served: \(replay.served ?? "nothing")")
        }
        if let n = c.expectedCount { #expect(got.count == n, "events: \(got.map { "\($0.time) \($0.level)" })") }
        guard let expected = c.expected else { return }
        // One expectation with no count: Kapacitor's harness compares every request with it.
        let everyRequest = c.expectedCount == nil && expected.count == 1
        if everyRequest { #expect(!got.isEmpty) } else { #expect(got.count == expected.count) }
        for (i, record) in got.enumerated() {
            guard let e = everyRequest ? expected[0] : (i < expected.count ? expected[i] : nil) else { break }
            let event = "event \(i + 1)"
            #expect(record.id == e.ID, "\(event)")
            #expect(record.message == e.Message, "\(event)")
            if let d = e.Details { #expect(record.details == d, "\(event)") }
            if let t = e.Time { #expect(record.time == t, "\(event)") }
            if let d = e.Duration { #expect(record.duration == d, "\(event)") }
            if let l = e.Level { #expect(record.level == l, "\(event)") }
            if let l = e.PreviousLevel { #expect(record.previousLevel == l, "\(event)") }
            if let r = e.Recoverable { #expect(record.recoverable == r, "\(event)") }
            guard let series = e.Series else { continue }
            let gotSeries = record.data.series ?? []
            #expect(gotSeries.count == series.count, "\(event)")
            for (s, g) in zip(series, gotSeries) {
                #expect(g.name == s.name, "\(event)")
                #expect((g.tags ?? [:]) == (s.tags ?? [:]), "\(event) tags")
                #expect(g.columns == s.columns, "\(event) columns")
                #expect(g.values == s.values, "\(event) values")
            }
        }
    }

    /// A point as an httpOut result row holds it, in the comparable form of ``Series``.
    static func series(_ p: Point) -> Series {
        let fields = AlertRecord.sortedFields(of: p)
        var row: [JSONValue] = [.string(GoTime(unixNano: p.time).rfc3339Nano)]
        for (_, v) in fields {
            switch v {
            case .float(let d): row.append(.number(d))
            case .integer(let i): row.append(.number(Double(i)))
            case .unsigned(let u): row.append(.number(Double(u)))
            case .string(let s): row.append(.string(s))
            case .boolean(let b): row.append(.string(b ? "true" : "false"))
            }
        }
        var tags: [String: String] = [:]
        for t in p.tags { tags[t.key] = t.value }
        return Series(name: p.measurement, tags: tags, columns: ["time"] + fields.map(\.0), values: [row])
    }

    static func comparable(_ s: Series) -> Series {
        var s = s
        if s.tags?.isEmpty ?? true { s.tags = [:] }
        return s
    }

    @Test func everyTranslatedTestIsHere() {
        #expect(Self.cases.count == 15)
        #expect(Self.cases.filter { $0.emitted != nil }.count == 5)
    }
}
