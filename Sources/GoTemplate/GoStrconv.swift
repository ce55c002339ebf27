#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of Go's `strconv` the template language leans on: literal unquoting and number
/// parsing with Go's syntax (base prefixes, underscores, hex floats).
enum GoStrconv {
    struct SyntaxError: Error {}

    // MARK: Unquote

    /// `strconv.UnquoteChar`: one character of a quoted literal; returns it and the rest.
    static func unquoteChar(_ s: Substring.UnicodeScalarView, quote: Unicode.Scalar) throws(SyntaxError) -> (Unicode.Scalar, Substring.UnicodeScalarView) {
        guard let c = s.first else { throw SyntaxError() }
        if c == quote && (quote == "'" || quote == "\"") { throw SyntaxError() }
        if c != "\\" { return (c, s.dropFirst()) }
        var rest = s.dropFirst()
        guard let e = rest.first else { throw SyntaxError() }
        rest = rest.dropFirst()
        switch e {
        case "a": return ("\u{07}", rest)
        case "b": return ("\u{08}", rest)
        case "f": return ("\u{0C}", rest)
        case "n": return ("\n", rest)
        case "r": return ("\r", rest)
        case "t": return ("\t", rest)
        case "v": return ("\u{0B}", rest)
        case "x", "u", "U":
            let n = e == "x" ? 2 : e == "u" ? 4 : 8
            guard rest.count >= n else { throw SyntaxError() }
            var v: UInt32 = 0
            for _ in 0..<n {
                guard let d = rest.first, let h = hexValue(d) else { throw SyntaxError() }
                v = v << 4 | h
                rest = rest.dropFirst()
            }
            if e == "x" {
                // A single byte; as a rune it is the byte value (callers building strings keep bytes).
                return (Unicode.Scalar(UInt8(v)), rest)
            }
            guard let r = Unicode.Scalar(v) else { throw SyntaxError() }
            return (r, rest)
        case "0"..."7":
            var v = e.value - 48
            for _ in 0..<2 {
                guard let d = rest.first, d >= "0", d <= "7" else { throw SyntaxError() }
                v = v * 8 + (d.value - 48)
                rest = rest.dropFirst()
            }
            guard v <= 255 else { throw SyntaxError() }
            return (Unicode.Scalar(UInt8(v)), rest)
        case "\\": return ("\\", rest)
        case "'", "\"":
            guard e == quote else { throw SyntaxError() }
            return (e, rest)
        default:
            throw SyntaxError()
        }
    }

    static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    /// `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals. `\x`/octal escapes give bytes.
    static func unquote(_ s: String) throws(SyntaxError) -> String {
        let scalars = Substring(s).unicodeScalars
        guard scalars.count >= 2, let q = scalars.first, scalars.last == q else { throw SyntaxError() }
        let body = scalars.dropFirst().dropLast()
        switch q {
        case "`":
            if body.contains("`") { throw SyntaxError() }
            var out = String.UnicodeScalarView()
            for c in body where c != "\r" { out.append(c) }
            return String(out)
        case "\"", "'":
            if q == "\"" && body.contains("\n") { throw SyntaxError() }
            var bytes: [UInt8] = []
            var rest = body
            var count = 0
            while !rest.isEmpty {
                let isByteEscape = rest.first == "\\" && rest.dropFirst().first.map { $0 == "x" || ($0 >= "0" && $0 <= "7") } == true
                let (c, r) = try unquoteChar(rest, quote: q)
                rest = r
                count += 1
                if isByteEscape {
                    bytes.append(UInt8(c.value))
                } else {
                    bytes.append(contentsOf: Array(String(c).utf8))
                }
                if q == "'" && !rest.isEmpty { throw SyntaxError() }
            }
            if q == "'" && count != 1 { throw SyntaxError() }
            return String(decoding: bytes, as: UTF8.self)
        default:
            throw SyntaxError()
        }
    }

    // MARK: Numbers

    /// Go's `underscoreOK`: underscores only between digits, or after a base prefix.
    static func underscoreOK(_ s: [UInt8]) -> Bool {
        var saw = UInt8(ascii: "^")
        var i = 0
        var t = s[...]
        if let f = t.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { t = t.dropFirst() }
        let b = Array(t)
        var hex = false
        if b.count >= 2 && b[0] == UInt8(ascii: "0") && [UInt8(ascii: "b"), UInt8(ascii: "o"), UInt8(ascii: "x")].contains(b[1] | 0x20) {
            i = 2
            saw = UInt8(ascii: "0")
            hex = b[1] | 0x20 == UInt8(ascii: "x")
        }
        while i < b.count {
            let c = b[i]
            if (c >= 0x30 && c <= 0x39) || (hex && (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "f")) {
                saw = UInt8(ascii: "0")
                i += 1
                continue
            }
            if c == UInt8(ascii: "_") {
                if saw != UInt8(ascii: "0") { return false }
                saw = UInt8(ascii: "_")
                i += 1
                continue
            }
            if saw == UInt8(ascii: "_") { return false }
            saw = UInt8(ascii: "!")
            i += 1
        }
        return saw != UInt8(ascii: "_")
    }

    /// `strconv.ParseUint(s, 0, 64)`.
    static func parseUint(_ text: String) -> UInt64? {
        let s = Array(text.utf8)
        guard !s.isEmpty else { return nil }
        var base: UInt64 = 10
        var i = 0
        var prefixed = false
        if s[0] == UInt8(ascii: "0") {
            if s.count >= 3 {
                switch s[1] | 0x20 {
                case UInt8(ascii: "b"): base = 2; i = 2; prefixed = true
                case UInt8(ascii: "o"): base = 8; i = 2; prefixed = true
                case UInt8(ascii: "x"): base = 16; i = 2; prefixed = true
                default: base = 8; i = 1
                }
            } else if s.count == 2 {
                base = 8
                i = 1
            }
        }
        _ = prefixed
        var v: UInt64 = 0
        var underscores = false
        var digits = 0
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "_") {
                underscores = true
                i += 1
                continue
            }
            let d: UInt64
            switch c {
            case 0x30...0x39: d = UInt64(c - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard d < base else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = a
            digits += 1
            i += 1
        }
        if underscores && !underscoreOK(s) { return nil }
        if digits == 0 && !(s.count == 1 || (s.count == 2 && base == 8)) { return nil }
        return v
    }

    /// `strconv.ParseInt(s, 0, 64)`.
    static func parseInt(_ text: String) -> Int64? {
        var t = Substring(text)
        var negative = false
        if let f = t.first, f == "+" || f == "-" {
            negative = f == "-"
            t = t.dropFirst()
        }
        guard !t.isEmpty, let u = parseUint(String(t)) else { return nil }
        if negative {
            if u > UInt64(Int64.max) + 1 { return nil }
            return u == UInt64(Int64.max) + 1 ? Int64.min : -Int64(u)
        }
        return u > UInt64(Int64.max) ? nil : Int64(u)
    }

    /// `strconv.ParseFloat(s, 64)`: decimal or hex (`0x1p-2`), underscores as Go allows; nil on a
    /// syntax error or overflow.
    static func parseFloat(_ text: String) -> Double? {
        var s = Array(text.utf8)
        guard !s.isEmpty else { return nil }
        if s.contains(UInt8(ascii: "_")) {
            guard underscoreOK(s) else { return nil }
            s.removeAll { $0 == UInt8(ascii: "_") }
        }
        // Validate Go's float syntax (strtod accepts more: "inf", "nan", leading spaces).
        var i = 0
        if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        var hex = false
        if i + 1 < s.count && s[i] == UInt8(ascii: "0") && s[i + 1] | 0x20 == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        var mantissa = 0
        func isDigit(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (hex && (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "f"))
        }
        while i < s.count && isDigit(s[i]) { i += 1; mantissa += 1 }
        if i < s.count && s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count && isDigit(s[i]) { i += 1; mantissa += 1 }
        }
        guard mantissa > 0 else { return nil }
        let expChar = hex ? UInt8(ascii: "p") : UInt8(ascii: "e")
        if i < s.count && s[i] | 0x20 == expChar {
            i += 1
            if i < s.count && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) { i += 1 }
            var expDigits = 0
            while i < s.count && s[i] >= 0x30 && s[i] <= 0x39 { i += 1; expDigits += 1 }
            guard expDigits > 0 else { return nil }
        } else if hex {
            return nil  // Go requires the p exponent in a hex float.
        }
        guard i == s.count else { return nil }
        let value = s.withUnsafeBufferPointer { buf -> Double in
            var z = Array(buf) + [0]
            return z.withUnsafeMutableBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { strtod($0, nil) }
            }
        }
        return value.isInfinite ? nil : value
    }
}
