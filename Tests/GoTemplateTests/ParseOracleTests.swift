import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// Differential tests against Go 1.19's text/template parser: Fixtures/parse.jsonl was recorded by
/// Tools/template-oracle from Go's own parse, lex and exec test tables plus hand-written cases.
@Suite struct ParseOracleTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var left: String?
        var right: String?
        var trees: [String: String]?
        var err: String?

        var testDescription: String { "\(name) \(String(reflecting: text))" }
    }

    static func cases() throws -> [Case] { try oracleFixture("parse.jsonl") }

    @Test func theFixtureHasItsCases() throws {
        #expect(try Self.cases().count > 500)
    }

    /// One reported case per fixture line.
    @Test(arguments: try ParseOracleTests.cases())
    func parsesAsGo(_ c: Case) {
        do {
            let trees = try Parser.parse(name: c.name, text: c.text, leftDelim: c.left ?? "", rightDelim: c.right ?? "",
                                         functions: BuiltinNames.all.union(["json", "jsonCompact"]))
            let got = trees.mapValues { Node.list($0.root).description }
            #expect(c.err == nil, "parsed, Go says \(c.err ?? "")")
            if c.err == nil { #expect(got == c.trees ?? [:]) }
        } catch {
            #expect(error.description == c.err, "error \(String(reflecting: error.description)), Go \(String(reflecting: c.err ?? "no error"))")
        }
    }
}
