import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// Differential tests against Go 1.19's text/template parser: Fixtures/parse.jsonl was recorded by
/// Tools/template-oracle from Go's own parse, lex and exec test tables plus hand-written cases.
@Suite struct ParseOracleTests {
    struct Case: Decodable {
        var name: String
        var text: String
        var left: String?
        var right: String?
        var trees: [String: String]?
        var err: String?
    }

    @Test func everyParseCaseMatchesGo() throws {
        let cases: [Case] = try oracleFixture("parse.jsonl")
        #expect(cases.count > 500)
        var failures: [String] = []
        for c in cases {
            do {
                let trees = try Parser.parse(name: c.name, text: c.text, leftDelim: c.left ?? "", rightDelim: c.right ?? "",
                                             functions: BuiltinNames.all.union(["json", "jsonCompact"]))
                let got = trees.mapValues { Node.list($0.root).description }
                if let err = c.err {
                    failures.append("\(c.name) \(String(reflecting: c.text)): parsed, Go says \(err)")
                } else if got != c.trees ?? [:] {
                    failures.append("\(c.name) \(String(reflecting: c.text)): got \(got), Go \(c.trees ?? [:])")
                }
            } catch {
                if error.description != c.err {
                    failures.append("\(c.name) \(String(reflecting: c.text)): error \(String(reflecting: error.description)), Go \(String(reflecting: c.err ?? "no error"))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) differ:\n\(failures.prefix(30).joined(separator: "\n"))")
    }
}
