import GoDuration
import Logging
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

    /// Durations as Go prints them (Kapacitor's logs: `timeout=10s`), whether a Swift `Duration`
    /// or a `GoDuration`.
    @Test(arguments: [
        (Duration.seconds(10), "10s"),
        (.milliseconds(250), "250ms"),
        (.seconds(90), "1m30s"),
        (.seconds(3600), "1h0m0s"),
        (.microseconds(1500), "1.5ms"),
        (.zero, "0s"),
        (.milliseconds(-1500), "-1.5s"),
    ])
    func durationsAsGoPrintsThem(_ d: Duration, _ written: String) {
        #expect(RelayLogHandler.text(.stringConvertible(d)) == written)
        #expect(RelayLogHandler.text(.stringConvertible(GoDuration(nanoseconds: Int64(d.components.seconds) * 1_000_000_000 + d.components.attoseconds / 1_000_000_000))) == written)
        #expect(RelayLogHandler.json(.stringConvertible(d)) == "\"\(written)\"")
    }

    /// JSON lines: numbers and booleans as JSON numbers and booleans, strings quoted (even when
    /// they hold digits: a tag value stays a string), lists and dictionaries as JSON's.
    @Test func jsonValuesKeepTheirTypes() {
        #expect(RelayLogHandler.json(.stringConvertible(12)) == "12")
        #expect(RelayLogHandler.json(.stringConvertible(UInt64.max)) == "18446744073709551615")
        #expect(RelayLogHandler.json(.stringConvertible(-3)) == "-3")
        #expect(RelayLogHandler.json(.stringConvertible(2.5)) == "2.5")
        #expect(RelayLogHandler.json(.stringConvertible(1e21)) == "1e+21")
        #expect(RelayLogHandler.json(.stringConvertible(Double.nan)) == "\"nan\"")
        #expect(RelayLogHandler.json(.stringConvertible(true)) == "true")
        #expect(RelayLogHandler.json(.string("12")) == "\"12\"")
        #expect(RelayLogHandler.json(.array([.stringConvertible(1), .string("a")])) == "[1,\"a\"]")
        #expect(RelayLogHandler.json(.dictionary(["b": .stringConvertible(2), "a": .string("x")])) == "{\"a\":\"x\",\"b\":2}")
    }
}
