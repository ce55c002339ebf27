import Testing
@testable import GoTemplate

/// Fixtures/printf.jsonl (Tools/template-oracle printf) against Go 1.19: issue 17 items 2–4 — `%+v`, nil arguments and elements, bad verbs with flags, width and precision, as Go's fmt prints them.
@Suite struct PrintfOracleTests {
    static let cases = OracleCase.load("printf.jsonl")

    @Test func fixtureIsRecorded() { #expect(Self.cases.count >= 90) }

    @Test(arguments: cases) func matchesGo(_ c: OracleCase) { c.expectMatchesGo() }
}
