import AlertRelayTestSupport
import Foundation
import GoTemplate
import LineProtocol
import Testing
@testable import AlertRules

/// Differential tests against Go: Fixtures/alert-json.jsonl was recorded by Tools/alert-json-oracle,
/// which encodes Kapacitor's `alert.Data` with encoding/json and renders it with text/template.
@Suite struct AlertJSONOracleTests {
    struct Input: Decodable {
        var id, message, details: String
        var time, pointTime, duration: Int64
        var level, previousLevel: String
        var recoverable: Bool
        var name: String
        var tags: [String: String]?
        var fields: [[String]]?
    }
    struct Rendering: Decodable { var text, out, err: String }
    struct Case: Decodable {
        var `case`: Input
        var json: String
        var templates: [Rendering]
    }

    static func cases() throws -> [Case] {
        try oracleFixture("alert-json.jsonl")
    }

    static func record(_ c: Input) -> AlertRecord {
        let tags = (c.tags ?? [:]).map { Tag(key: $0.key, value: $0.value) }.sorted { LambdaBinary.goOrder($0.key, $1.key) < 0 }
        let fields = (c.fields ?? []).map { f -> Field in
            let v: FieldValue
            switch f[1] {
            case "float": v = .float(Double(f[2])!)
            case "integer": v = .integer(Int64(f[2])!)
            case "unsigned": v = .unsigned(UInt64(f[2])!)
            case "string": v = .string(f[2])
            default: v = .boolean(f[2] == "true")
            }
            return Field(key: f[0], value: v)
        }
        let point = Point(measurement: c.name, tags: tags, fields: fields, time: c.pointTime)
        let event = AlertEvent(ruleID: "task", id: c.id, message: c.message, details: c.details, time: c.time, duration: c.duration,
                               level: AlertLevel(name: c.level)!, recoverable: c.recoverable, name: c.name, group: "nil",
                               category: "", point: point)
        return AlertRecord(event: event, previousLevel: AlertLevel(name: c.previousLevel)!)
    }

    @Test func alertJSONIsByteForByteGo() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 300)
        for c in cases {
            #expect(Self.record(c.case).json() == c.json, "case \(c.case.id)")
        }
    }

    @Test func kafkaTemplatesRenderAsGo() throws {
        var failures: [String] = []
        for c in try Self.cases() {
            let data = Self.record(c.case).templateValue()
            for r in c.templates {
                var out = ""
                var err = ""
                do {
                    let t = try Template(name: "kafka alert template", text: r.text)
                    do { try t.execute(data, into: &out) } catch { err = "\(error)" }
                } catch {
                    err = "\(error)"
                }
                if out != r.out || err.isEmpty != r.err.isEmpty {
                    failures.append("\(r.text)\n  go:   \(r.out) \(r.err)\n  ours: \(out) \(err)")
                }
            }
        }
        let report = failures.prefix(3).joined(separator: "\n")
        #expect(failures.count == 0, "\(failures.count) differences; first: \(report)")
    }
}
