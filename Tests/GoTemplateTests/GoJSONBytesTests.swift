import Testing
@testable import GoTemplate

/// GoJSONBytes writes encoding/json's bytes: strings with every kind of escape (literal
/// expectations), integers at their limits, times (against GoJSON's `String` functions, which the
/// oracle tests pin to Go), and html/template's text escaping.
@Suite struct GoJSONBytesTests {
    /// Inputs, and encoding/json's output with HTML escaping and without (`SetEscapeHTML(false)`).
    static let strings: [(String, html: String, plain: String)] = [
        ("", #""""#, #""""#),
        ("plain", #""plain""#, #""plain""#),
        ("quote \" backslash \\ slash /", #""quote \" backslash \\ slash /""#, #""quote \" backslash \\ slash /""#),
        ("<b>&amp;</b>", #""\u003cb\u003e\u0026amp;\u003c/b\u003e""#, #""<b>&amp;</b>""#),
        ("tab\tnewline\ncr\r", #""tab\tnewline\ncr\r""#, #""tab\tnewline\ncr\r""#),
        ("\u{0}\u{1}\u{1f}\u{7f}", #""\u0000\u0001\u001f"# + "\u{7f}\"", #""\u0000\u0001\u001f"# + "\u{7f}\""),
        ("line\u{2028}para\u{2029}end", #""line\u2028para\u2029end""#, #""line\u2028para\u2029end""#),
        ("\u{2028}", #""\u2028""#, #""\u2028""#),
        ("é ü 日本 🙂", #""é ü 日本 🙂""#, #""é ü 日本 🙂""#),
        ("\u{e2}\u{80}", "\"\u{e2}\u{80}\"", "\"\u{e2}\u{80}\""),
        ("a+b='c'", #""a+b='c'""#, #""a+b='c'""#),
        (String(repeating: "x\"", count: 300), "\"" + String(repeating: #"x\""#, count: 300) + "\"",
         "\"" + String(repeating: #"x\""#, count: 300) + "\""),
        ("\u{FFFD}", "\"\u{FFFD}\"", "\"\u{FFFD}\""),
        ("trailing \\", #""trailing \\""#, #""trailing \\""#),
    ]

    /// Both writers (bytes, and GoJSON's `String` one that shares its escaping) give encoding/json's output.
    @Test func stringsMatchEncodingJSON() {
        for (s, html, plain) in Self.strings {
            for escapeHTML in [true, false] {
                let want = escapeHTML ? html : plain
                var w = GoJSONBytes(capacity: 0)
                w.string(s, escapeHTML: escapeHTML)
                #expect(String(decoding: w.bytes, as: UTF8.self) == want, "\(s.debugDescription) escapeHTML \(escapeHTML)")
                var out = ""
                GoJSON.appendString(s, to: &out, escapeHTML: escapeHTML)
                #expect(out == want, "GoJSON: \(s.debugDescription) escapeHTML \(escapeHTML)")
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

    /// The float writer copies Swift's shortest text where it has no exponent and falls back to
    /// GoJSON's digit path elsewhere: both sides of each switch (Swift's exponent from 2^53 and
    /// below 1e-4, encoding/json's at 1e21 and 1e-6), whole numbers, negatives, long digit strings.
    @Test func floatsMatchGoJSONOnBothPaths() {
        var values: [Double] = [1, -1, 100, 45.5, 0.1 + 0.2, 1.0 / 3.0, -2.0 / 3.0, 99.99, 12.5, 1e15, 1e16, 9_007_199_254_740_992,
                                (9_007_199_254_740_992 as Double).nextUp, 1.2345678901234567e17, 1e20, 9.999999999999999e20, 1e21, 1.0000000000000001e21,
                                1e-4, 9.99e-5, 1e-5, 1.5e-6, 1e-6, 9.999999e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi, -.pi * 1e10,
                                Double(Int64.max), 0.000123, 123.456e-3, 70.1, 80.25, .nan, .infinity, -.infinity]
        var x = 1.0
        for _ in 0..<60 {
            values += [x, -x, x + 0.5, 1 / x]
            x *= 7.3
        }
        for f in values {
            var w = GoJSONBytes(capacity: 0)
            w.float(f)
            #expect(String(decoding: w.bytes, as: UTF8.self) == GoJSON.float(f), "\(f)")
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
        for s in Self.strings.map(\.0) + ["\u{0}x\u{0}", "+&<>\"'", "{\"a\":\"\\u003cb\\u003e\"}\n"] {
            #expect(GoJSONBytes.htmlEscapedText(Array(s.utf8)) == HTMLEscaping.text(s), "\(s.debugDescription)")
        }
    }

    /// encoding/json's escape of each ASCII byte, from its rules: `\"`, `\\`, `\n`, `\r`, `\t`,
    /// other control bytes as `\u00xx` (lowercase hex), and with HTML escaping `<`, `>`, `&` too.
    @Test func everyASCIIByteIsEscapedAsEncodingJSONDoes() {
        let hex = Array("0123456789abcdef")
        for b in 0..<128 {
            let s = String(decoding: [UInt8(b)], as: UTF8.self)
            for escapeHTML in [true, false] {
                let want: String
                switch b {
                case 0x22: want = "\\\""
                case 0x5C: want = "\\\\"
                case 0x0A: want = "\\n"
                case 0x0D: want = "\\r"
                case 0x09: want = "\\t"
                case 0..<0x20: want = "\\u00" + String(hex[b >> 4]) + String(hex[b & 0xF])
                case 0x3C where escapeHTML, 0x3E where escapeHTML, 0x26 where escapeHTML: want = "\\u00" + String(hex[b >> 4]) + String(hex[b & 0xF])
                default: want = s
                }
                var w = GoJSONBytes(capacity: 0)
                w.string("a" + s + "b", escapeHTML: escapeHTML)
                #expect(String(decoding: w.bytes, as: UTF8.self) == "\"a" + want + "b\"", "byte \(b) escapeHTML \(escapeHTML)")
            }
        }
    }

    /// A writer kept and reset between texts (the engine's render buffer) writes each text as a
    /// fresh writer does: nothing of the last text stays, and its clock text (cached per second)
    /// is right when the second changes, goes back, repeats with other nanoseconds, or leaves the
    /// years it formats itself.
    @Test func aReusedWriterWritesEveryTextAsAFreshOne() {
        let instants: [Int64] = [1_700_000_000_123_456_789, 1_700_000_000_000_000_001, 1_700_000_000_999_999_999, 1_700_000_001_000_000_000,
                                 1_699_999_999_500_000_000, 1_700_000_000_100_000_000, 0, -1, -1_000_000_001, .max, 1_700_000_000_000_000_000,
                                 .min, 1_764_288_010_000_000_000, 1_764_288_010_000_000_000, 1_764_374_410_250_000_000]
        let texts = Self.strings.map(\.0).reversed() + Self.strings.map(\.0)
        var reused = GoJSONBytes(capacity: 16)
        for (i, n) in instants.enumerated() {
            let t = GoTime(unixNano: n)
            func write(_ out: inout GoJSONBytes) {
                out.rfc3339Nano(t)
                out.string(texts[i % texts.count])
                out.int(n)
                out.rfc3339Nano(t)
            }
            var fresh = GoJSONBytes(capacity: 0)
            write(&fresh)
            reused.reset()
            write(&reused)
            #expect(reused.bytes == fresh.bytes, "\(n)")
            #expect(reused.copiedString().hasPrefix(t.rfc3339Nano), "\(n)")
        }
        var zoned = GoTime(unixNano: 1_700_000_000_000_000_000)
        zoned.offsetSeconds = 7200
        zoned.zoneName = ""
        reused.reset()
        reused.rfc3339Nano(zoned)
        #expect(reused.copiedString() == zoned.rfc3339Nano)
        // A copy taken leaves the buffer the writer's: the next text does not change it.
        let copy = reused.bytes
        reused.reset()
        reused.raw("x")
        #expect(String(decoding: copy, as: UTF8.self) == zoned.rfc3339Nano)
        #expect(reused.bytes == [UInt8(ascii: "x")])
    }
}
