import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// Differential tests against Go 1.19's text/template execution: Fixtures/exec.jsonl was recorded
/// by Tools/template-oracle. Go type names inside messages may differ where our data model has no
/// Go type (the issue allows it); every other difference is listed in KnownDifferences.txt.
@Suite struct ExecOracleTests {
    static func known() -> Set<String> {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/KnownDifferences.txt")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let name = line.split(separator: " ").first.map(String.init) ?? ""
            return name.isEmpty || name.hasPrefix("#") ? nil : name
        })
    }

    @Test func everyExecCaseMatchesGo() throws {
        let cases = OracleCase.load("exec.jsonl")
        #expect(cases.count > 600)
        let known = Self.known()
        var failures: [String] = []
        var fixed: [String] = []
        for c in cases {
            let (out, err) = c.run()
            let same = out == c.out && err == c.expectedErr
            if !same && !known.contains(c.name) {
                failures.append("\(c.name) \(String(reflecting: c.template)):\n    got  \(String(reflecting: out)) \(String(reflecting: err ?? ""))\n    want \(String(reflecting: c.out)) \(String(reflecting: c.expectedErr ?? ""))")
            }
            if same && known.contains(c.name) { fixed.append(c.name) }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) differ:\n\(failures.joined(separator: "\n"))")
        #expect(fixed.isEmpty, "now matching Go, remove from KnownDifferences.txt: \(fixed)")
    }
}
