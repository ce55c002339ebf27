import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// `{{ .Time.Format "layout" }}` against Go 1.19 (Tools/template-oracle timeformat): layouts x
/// instants x zones, and the zero time.
@Suite struct TimeFormatOracleTests {
    struct Case: Decodable {
        var layout: String
        var ns: Int64?
        var zero: Bool?
        var offset: Int
        var zone: String
        var out: String
    }

    @Test func everyLayoutFormatsAsGo() throws {
        let cases: [Case] = try oracleFixture("timeformat.jsonl")
        #expect(cases.count > 1000)
        let template = try Template(name: "t", text: "{{.T.Format .L}}")
        var failures: [String] = []
        for c in cases {
            var t = c.zero == true ? GoTime.zero : GoTime(unixNano: c.ns ?? 0)
            t.offsetSeconds = c.offset
            t.zoneName = c.zone
            let out = try template.render(.map(["T": .time(t), "L": .string(c.layout)]))
            if out != c.out { failures.append("\(c.layout) @\(c.ns ?? 0)\(c.zone): go \(c.out) ours \(out)") }
        }
        let first = failures.prefix(5).joined(separator: "\n")
        #expect(failures.count == 0, "\(failures.count) differences:\n\(first)")
    }

    @Test func formatNeedsOneStringArgument() throws {
        let t = try Template(name: "t", text: "{{.T.Format}}")
        #expect(throws: TemplateExecutionError.self) { try t.render(.map(["T": .time(GoTime(unixNano: 0))])) }
        let u = try Template(name: "t", text: "{{.T.Format 3}}")
        #expect(throws: TemplateExecutionError.self) { try u.render(.map(["T": .time(GoTime(unixNano: 0))])) }
        let piped = try Template(name: "t", text: "{{\"2006\" | .T.Format}}")
        #expect(try piped.render(.map(["T": .time(GoTime(unixNano: 0))])) == "1970")
    }
}
