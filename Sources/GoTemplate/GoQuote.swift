/// Go's Unicode classes as `unicode.IsLetter`, `IsDigit` and `strconv.IsPrint` define them.
enum GoUnicode {
    static func isLetter(_ r: Unicode.Scalar) -> Bool {
        if r.isASCII { return (r >= "a" && r <= "z") || (r >= "A" && r <= "Z") }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isDigit(_ r: Unicode.Scalar) -> Bool {
        if r.isASCII { return r >= "0" && r <= "9" }
        return r.properties.generalCategory == .decimalNumber
    }

    /// Letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ r: Unicode.Scalar) -> Bool {
        if r.isASCII { return r.value >= 0x20 && r.value < 0x7F }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

/// Go's `strconv.Quote` and `%#U`.
public enum GoQuote {
    /// `strconv.Quote(s)`: a double-quoted Go string literal.
    public static func quote(_ s: String, asciiOnly: Bool = false) -> String {
        var out = "\""
        for r in s.unicodeScalars {
            appendQuoted(r, quote: "\"", asciiOnly: asciiOnly, to: &out)
        }
        return out + "\""
    }

    /// `strconv.QuoteRune(r)` (`QuoteRuneToASCII` when `asciiOnly`).
    static func quoteRune(_ r: Unicode.Scalar, asciiOnly: Bool = false) -> String {
        var out = "'"
        appendQuoted(r, quote: "'", asciiOnly: asciiOnly, to: &out)
        return out + "'"
    }

    static func appendQuoted(_ r: Unicode.Scalar, quote: Unicode.Scalar, asciiOnly: Bool, to out: inout String) {
        if r == quote || r == "\\" {
            out += "\\"
            out.unicodeScalars.append(r)
            return
        }
        if asciiOnly ? (r.isASCII && GoUnicode.isPrint(r)) : GoUnicode.isPrint(r) {
            out.unicodeScalars.append(r)
            return
        }
        switch r {
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        default:
            if r.value < 0x20 || r.value == 0x7F {
                out += "\\x" + hex(r.value, 2)
            } else if r.value < 0x10000 {
                out += "\\u" + hex(r.value, 4)
            } else {
                out += "\\U" + hex(r.value, 8)
            }
        }
    }

    /// `strconv.CanBackquote(s)`: no control characters but tab, no backquote, DEL or BOM.
    static func canBackquote(_ s: String) -> Bool {
        for r in s.unicodeScalars {
            if r == "\u{FEFF}" || r == "`" || r == "\u{7F}" || (r.value < 0x20 && r != "\t") { return false }
        }
        return true
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `%#U`: `U+0041 'A'`, or just `U+0001` for an unprintable rune; EOF (nil) is Go's -1.
    static func unicodeFormat(_ r: Unicode.Scalar?) -> String {
        guard let r else { return "U+FFFFFFFFFFFFFFFF" }
        let code = "U+" + hex(r.value, 4).uppercased()
        return GoUnicode.isPrint(r) ? "\(code) '\(String(r))'" : code
    }
}
