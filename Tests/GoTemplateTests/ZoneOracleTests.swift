import Testing
@testable import GoTemplate

/// Fixtures/zone.jsonl (Tools/template-oracle zone) against Go 1.19: issue 17 item 1 — times with a fixed offset print Go's zone (the offset where the zone has no name); Kapacitor's contexts are UTC.
@Suite struct ZoneOracleTests {
    static let cases = OracleCase.load("zone.jsonl")

    @Test func fixtureIsRecorded() { #expect(Self.cases.count >= 100) }

    @Test(arguments: cases) func matchesGo(_ c: OracleCase) { c.expectMatchesGo() }
}
