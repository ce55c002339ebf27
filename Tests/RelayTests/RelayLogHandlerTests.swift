import Testing
@testable import Relay

/// logfmt values as go-logfmt writes them: a tag value from the network holding control
/// characters must not reach the log raw.
@Suite struct RelayLogHandlerTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", "\"\""),
        ("two words", "\"two words\""),
        ("a=b", "\"a=b\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("esc\u{1B}[31mred", "\"esc\\u001b[31mred\""),
        ("tab\there", "\"tab\\there\""),
        ("nul\u{0}byte", "\"nul\\u0000byte\""),
        ("back\u{8}space", "\"back\\u0008space\""),
        ("line\nbreak", "\"line\\nbreak\""),
        ("cr\rhere", "\"cr\\rhere\""),
        ("bad\u{FFFD}utf8", "\"bad\u{FFFD}utf8\""),
        ("ünïcødé", "ünïcødé"),
    ])
    func logfmtQuotesAndEscapesAsGoLogfmt(value: String, written: String) {
        #expect(RelayLogHandler.logfmt(value) == written)
    }
}
