import Testing
@testable import GoTemplate

/// GoJSONBytes writes the bytes GoJSON's `String` functions write (those are pinned to Go's
/// encoding/json by the oracle tests): strings with every kind of escape, integers at their
/// limits, times, and html/template's text escaping.
@Suite struct GoJSONBytesTests {
    static let strings = [
        "", "plain", "quote \" backslash \\ slash /", "<b>&amp;</b>", "tab\tnewline\ncr\r", "\u{0}\u{1}\u{1f}\u{7f}",
        "line\u{2028}para\u{2029}end", "\u{2028}", "é ü 日本 🙂", "\u{e2}\u{80}", "a+b='c'", String(repeating: "x\"", count: 300),
        "\u{FFFD}", "trailing \\",
    ]

    @Test func stringsMatchGoJSON() {
        for s in Self.strings {
            for html in [true, false] {
                var want = ""
                GoJSON.appendString(s, to: &want, escapeHTML: html)
                var w = GoJSONBytes(capacity: 0)
                w.string(s, escapeHTML: html)
                #expect(String(decoding: w.bytes, as: UTF8.self) == want, "\(s.debugDescription) escapeHTML \(html)")
            }
        }
    }

    @Test func numbersMatchStringFormatting() {
        for v: Int64 in [0, 1, -1, 9, 10, -10, 99, 100, 1_234_567_890, .max, .min, .max - 1, .min + 1] {
            var w = GoJSONBytes(capacity: 0)
            w.int(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
        }
        for v: UInt64 in [0, 7, 10, 18_446_744_073_709_551_615, 10_000_000_000_000_000_000] {
            var w = GoJSONBytes(capacity: 0)
            w.uint(v)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
        }
        for f in [0.0, -0.0, 1.5, 1e21, 1e-7, 0.000001, 123456789.125, -3.25] {
            var w = GoJSONBytes(capacity: 0)
            w.float(f)
            #expect(String(decoding: w.bytes, as: UTF8.self) == GoJSON.float(f))
        }
    }

    @Test func timesMatchRFC3339Nano() {
        let instants: [Int64] = [0, 1, 10, 999_999_999, 1_000_000_000, 1_700_000_000_123_456_789, 1_700_000_000_100_000_000,
                                 -1, -1_000_000_001, .max, .min]
        for n in instants {
            let t = GoTime(unixNano: n)
            var w = GoJSONBytes(capacity: 0)
            w.rfc3339Nano(t)
            #expect(String(decoding: w.bytes, as: UTF8.self) == t.rfc3339Nano, "\(n)")
        }
        var zoned = GoTime(unixNano: 1_700_000_000_000_000_000)
        zoned.offsetSeconds = 7200
        zoned.zoneName = ""
        var w = GoJSONBytes(capacity: 0)
        w.rfc3339Nano(zoned)
        #expect(String(decoding: w.bytes, as: UTF8.self) == zoned.rfc3339Nano)
    }

    @Test func htmlTextEscapingMatchesHTMLEscaping() {
        for s in Self.strings + ["\u{0}x\u{0}", "+&<>\"'", "{\"a\":\"\\u003cb\\u003e\"}\n"] {
            #expect(GoJSONBytes.htmlEscapedText(Array(s.utf8)) == HTMLEscaping.text(s), "\(s.debugDescription)")
        }
    }
}
