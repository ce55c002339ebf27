import Testing
@testable import GoTemplate

/// Fixtures/methods.jsonl (Tools/template-oracle methods) against Go 1.19: issue 17 item 5 — the methods of time.Time, time.Duration, time.Month and time.Weekday, Go's results and Go's errors.
@Suite struct MethodOracleTests {
    static let cases = OracleCase.load("methods.jsonl")

    @Test func fixtureIsRecorded() { #expect(Self.cases.count >= 200) }

    @Test(arguments: cases) func matchesGo(_ c: OracleCase) { c.expectMatchesGo() }
}
