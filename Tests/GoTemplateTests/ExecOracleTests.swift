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

    static let knownDifferences = known()

    @Test func theFixtureHasItsCases() {
        #expect(OracleCase.load("exec.jsonl").count > 600)
    }

    /// One reported case per fixture line; a case listed in KnownDifferences.txt must still differ
    /// (a fix is noticed and the list kept short).
    @Test(arguments: OracleCase.load("exec.jsonl"))
    func executesAsGo(_ c: OracleCase) {
        let (out, err) = c.run()
        let same = out == c.out && err == c.expectedErr
        if Self.knownDifferences.contains(c.name) {
            #expect(!same, "now matching Go, remove from KnownDifferences.txt")
        } else {
            #expect(out == c.out, "output")
            #expect(err == c.expectedErr, "error")
        }
    }
}
