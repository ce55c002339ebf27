/// The four kinds of string: basic (`"…"`, with escapes), literal (`'…'`, as written), and their
/// multi-line forms (`"""…"""`, `'''…'''`).
extension TOMLParser {
    /// `"…"`: escapes, no newline, no control character other than tab.
    mutating func basicString() throws(TOMLError) -> String {
        let open = cursor.position
        cursor.advance()
        var out: [UInt8] = []
        var run = cursor.offset
        while true {
            guard let b = cursor.peek else {
                throw TOMLError(position: open, reason: "the string opened here is not closed: expected '\"' before the end of the file")
            }
            switch b {
            case UInt8(ascii: "\""):
                out += cursor.bytes[run..<cursor.offset]
                cursor.advance()
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                out += cursor.bytes[run..<cursor.offset]
                try escape(into: &out, multiline: false)
                run = cursor.offset
            default:
                if cursor.atNewline {
                    throw TOMLError(position: open, reason: "the string opened here is not closed on its line (a string in \"…\" is one line; use \"\"\"…\"\"\" for several)")
                }
                if Self.isControl(b, allowingNewline: false) {
                    throw error("control character \(Self.describe(byte: b)) in a string: write it as \\u\(Self.hex(Int(b), digits: 4))")
                }
                cursor.advance()
            }
        }
    }

    /// `'…'`: as written, no newline, no control character other than tab.
    mutating func literalString() throws(TOMLError) -> String {
        let open = cursor.position
        cursor.advance()
        let start = cursor.offset
        while true {
            guard let b = cursor.peek else {
                throw TOMLError(position: open, reason: "the string opened here is not closed: expected \"'\" before the end of the file")
            }
            if b == UInt8(ascii: "'") {
                let s = cursor.text(from: start)
                cursor.advance()
                return s
            }
            if cursor.atNewline {
                throw TOMLError(position: open, reason: "the string opened here is not closed on its line (a string in '…' is one line; use '''…''' for several)")
            }
            if Self.isControl(b, allowingNewline: false) {
                throw error("control character \(Self.describe(byte: b)) in a literal string (literal strings cannot escape it: use a \"…\" string with \\u\(Self.hex(Int(b), digits: 4)))")
            }
            cursor.advance()
        }
    }

    /// `"""…"""` (`basic`: with escapes) and `'''…'''` (as written): a newline right after the
    /// opening quotes is dropped, `\r\n` reads as `\n`, and up to two quotes may stand right before
    /// the closing three; in the basic form a backslash at the end of a line joins it to the next
    /// non-blank text.
    mutating func multilineString(basic: Bool) throws(TOMLError) -> String {
        let quote = basic ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        let delimiter: StaticString = basic ? "\"\"\"" : "'''"
        let open = cursor.position
        cursor.advance(3)
        if cursor.atNewline { cursor.skipNewline() }
        var out: [UInt8] = []
        var run = cursor.offset
        while true {
            guard let b = cursor.peek else {
                let closing = basic ? "'\"\"\"'" : "\"'''\""
                throw TOMLError(position: open, reason: "the multi-line string opened here is not closed: expected \(closing) before the end of the file")
            }
            if b == quote, cursor.hasPrefix(delimiter) {
                out += cursor.bytes[run..<cursor.offset]
                cursor.advance(3)
                closingQuotes(quote, into: &out)
                return String(decoding: out, as: UTF8.self)
            }
            if basic, b == UInt8(ascii: "\\") {
                out += cursor.bytes[run..<cursor.offset]
                try escape(into: &out, multiline: true)
                run = cursor.offset
            } else if b == UInt8(ascii: "\r"), cursor.atNewline {
                out += cursor.bytes[run..<cursor.offset]
                out.append(UInt8(ascii: "\n"))
                cursor.skipNewline()
                run = cursor.offset
            } else if Self.isControl(b, allowingNewline: true) {
                let u = "\\u\(Self.hex(Int(b), digits: 4))"
                throw error(basic ? "control character \(Self.describe(byte: b)) in a string: write it as \(u)"
                                  : "control character \(Self.describe(byte: b)) in a literal string (literal strings cannot escape it: use a \"\"\"…\"\"\" string with \(u))")
            } else {
                cursor.advance()
            }
        }
    }

    /// One or two quotes right after the closing three belong to the string (`""""a""""` is `"a"`).
    private mutating func closingQuotes(_ quote: UInt8, into out: inout [UInt8]) {
        for _ in 0..<2 where cursor.peek == quote {
            out.append(quote)
            cursor.advance()
        }
    }

    /// The escape at the cursor (a backslash), appended to `out`; in a multi-line string a
    /// backslash followed by blanks and a newline removes them and the blank lines after.
    private mutating func escape(into out: inout [UInt8], multiline: Bool) throws(TOMLError) {
        let at = cursor.position
        cursor.advance()
        guard let c = cursor.peek else {
            throw TOMLError(position: at, reason: "a string ends in '\\' at the end of the file")
        }
        if multiline, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || cursor.atNewline {
            cursor.skipWhitespace()
            guard cursor.atNewline || cursor.atEnd else {
                throw TOMLError(position: at, reason: "'\\' followed by a space must end its line (a line-ending backslash); write '\\\\' for a backslash")
            }
            cursor.skipWhitespaceAndNewlines()
            return
        }
        let replacement: UInt8
        switch c {
        case UInt8(ascii: "b"): replacement = 0x08
        case UInt8(ascii: "t"): replacement = 0x09
        case UInt8(ascii: "n"): replacement = 0x0A
        case UInt8(ascii: "f"): replacement = 0x0C
        case UInt8(ascii: "r"): replacement = 0x0D
        case UInt8(ascii: "\""): replacement = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): replacement = UInt8(ascii: "\\")
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            cursor.advance()
            try unicodeEscape(digits: c == UInt8(ascii: "u") ? 4 : 8, at: at, into: &out)
            return
        default:
            let escape = c >= 0x21 && c < 0x7F ? "'\\\(String(UnicodeScalar(c)))'" : "'\\' followed by \(found())"
            throw TOMLError(position: at, reason: "invalid escape \(escape) in a string (valid: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX); write '\\\\' for a backslash, or use a '…' literal string")
        }
        out.append(replacement)
        cursor.advance()
    }

    /// `\uXXXX` / `\UXXXXXXXX`: exactly that many hex digits naming a Unicode scalar value.
    private mutating func unicodeEscape(digits: Int, at: TOMLPosition, into out: inout [UInt8]) throws(TOMLError) {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let b = cursor.peek, let d = Self.hexDigit(b) else {
                throw TOMLError(position: at, reason: "\\\(digits == 4 ? "u" : "U") needs exactly \(digits) hex digits (\(digits == 4 ? "\\u00E9" : "\\U0001F600"))")
            }
            value = value << 4 | UInt32(d)
            cursor.advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw TOMLError(position: at, reason: "\\\(digits == 4 ? "u" : "U")\(Self.hex(Int(value), digits: digits)) is not a Unicode scalar value (surrogates D800–DFFF and values above 10FFFF are not)")
        }
        UTF8.encode(scalar) { out.append($0) }
    }

    static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
