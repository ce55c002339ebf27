import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// Differential tests against Go 1.19's text/template execution: Fixtures/exec.jsonl was recorded
/// by Tools/template-oracle. Go type names inside messages may differ where our data model has no
/// Go type (the issue allows it); every other difference is listed in KnownDifferences.txt.
@Suite struct ExecOracleTests {
    struct Case: Decodable {
        var name: String
        var template: String
        var data: String
        var options: [String]?
        var kind: String?
        var out: String
        var err: String?
    }

    static func known() -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/KnownDifferences.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let name = line.split(separator: " ").first.map(String.init) ?? ""
            return name.isEmpty || name.hasPrefix("#") ? nil : name
        })
    }

    @Test func everyExecCaseMatchesGo() throws {
        let cases: [Case] = try oracleFixture("exec.jsonl")
        let known = Self.known()
        var failures: [String] = []
        var fixed: [String] = []
        for c in cases {
            var out = ""
            var err: String?
            do {
                let details = c.kind == "alert_details"
                let t = try Template(name: c.name, text: c.template, functions: details ? KapacitorContext.detailsFunctions : [:],
                                     options: c.options ?? [], htmlEscaping: details)
                var data = try TemplateValue(json: c.data)
                if let kind = c.kind.flatMap(KapacitorContext.Kind.init(rawValue:)) {
                    data = try KapacitorContext.build(kind, from: data)
                }
                try t.execute(data, into: &out)
            } catch let e as TemplateParseError {
                err = e.description
            } catch let e as TemplateExecutionError {
                err = e.description
            }
            // The oracle declares Kapacitor's context types in its package main; Kapacitor's are in
            // package alert, and so are ours (type names may differ, the issue allows it).
            let expectedErr = c.kind == nil ? c.err : c.err?.replacingOccurrences(of: "type main.", with: "type alert.")
            let same = out == c.out && err == expectedErr
            if !same && !known.contains(c.name) {
                failures.append("\(c.name) \(String(reflecting: c.template)):\n    got  \(String(reflecting: out)) \(String(reflecting: err ?? ""))\n    want \(String(reflecting: c.out)) \(String(reflecting: expectedErr ?? ""))")
            }
            if same && known.contains(c.name) { fixed.append(c.name) }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) differ:\n\(failures.joined(separator: "\n"))")
        #expect(fixed.isEmpty, "now matching Go, remove from KnownDifferences.txt: \(fixed)")
    }
}
