import Testing
@testable import GoTemplate

/// Fixtures/typed.jsonl (Tools/template-oracle typed) against Go 1.19: issue 17 item 6 — typed
/// integers written as strings (`{"$uint":"18446744073709551615"}`, `{"$int":"-5"}`) and floats
/// written with a point (`3.0` is a float64). CLITests runs the same cases through `render --cases`.
@Suite struct TypedDataOracleTests {
    static let cases = OracleCase.load("typed.jsonl")

    @Test func fixtureIsRecorded() { #expect(Self.cases.count >= 40) }

    @Test(arguments: cases) func matchesGo(_ c: OracleCase) { c.expectMatchesGo() }
}
