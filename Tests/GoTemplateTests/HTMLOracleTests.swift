import Testing
@testable import GoTemplate

/// Fixtures/html.jsonl (Tools/template-oracle html) against Go 1.19's html/template: issue 17
/// item 7 — contextual autoescaping. Every context template of the generator with every value
/// (text, RCDATA, quoted and unquoted attributes, attribute names, URLs and their parts, srcset,
/// script values, strings, regexps and comments, event handlers, style values, strings and URLs,
/// HTML comments), whole templates (branches, loops, nested and derived templates, predefined
/// escapers, entities in attributes, Go's escaping errors) and a Kapacitor e-mail details template.
@Suite struct HTMLOracleTests {
    static let cases = OracleCase.load("html.jsonl")

    @Test func fixtureIsRecorded() { #expect(Self.cases.count >= 200) }

    @Test(arguments: cases) func matchesGo(_ c: OracleCase) { c.expectMatchesGo() }
}
