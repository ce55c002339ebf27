/// Go's `fmt` as templates use it: the `%v` form of values (what actions print), and the entry
/// points of ``GoPrinter`` for `print`, `println` and `printf`.
enum GoFormat {
    // MARK: %v

    /// `fmt.Sprint(v)` for one value.
    static func v(_ value: TemplateValue) -> String {
        switch value {
        case .missing: return "<nil>"
        case .null, .nilInterface: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i), .int64(let i): return String(i)
        case .uint64(let u): return String(u)
        case .float64(let f): return shortestG(f)
        case .complex128(let re, let im): return "(" + shortestG(re) + (im >= 0 || im.isNaN ? "+" : "") + shortestG(im) + "i)"
        case .string(let s), .namedString(_, let s): return s
        case .time(let t): return t.description
        case .duration(let d): return d.description
        case .list(let items): return "[" + items.map(v).joined(separator: " ") + "]"
        case .map(let m): return "map[" + goSortedKeys(m).map { "\($0):\(v(m[$0]!))" }.joined(separator: " ") + "]"
        case .stringMap(let m): return "map[" + goSortedKeys(m).map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .nilMap: return "map[]"
        case .object(let o): return "{" + o.fieldNames.map { v(o.fields[$0] ?? .null) }.joined(separator: " ") + "}"
        case .stringer(_, let text), .namedInteger(_, _, let text): return text
        }
    }

    /// What an action prints for a value: a nil interface or no value prints `<no value>`.
    @inline(__always)
    static func vForPrint(_ value: TemplateValue) -> String {
        switch value {
        case .missing, .null: return "<no value>"
        case .string(let s): return s
        default: return v(value)
        }
    }

    /// `fmt.Sprint(a, b, …)`: spaces between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String { GoPrinter.sprint(args) }

    /// `fmt.Sprintln(a, b, …)`: always spaces, and a newline.
    static func sprintln(_ args: [TemplateValue]) -> String { GoPrinter.sprintln(args) }

    /// `fmt.Sprintf(format, args…)`.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String { GoPrinter.sprintf(format, args) }

    /// Decimal digits and exponent of the shortest representation of `f` (f finite, non-zero).
    static func shortestDigits(_ f: Double) -> (digits: [UInt8], pointPosition: Int) {
        // Swift's description is the shortest round-trip form, like Go's strconv with precision -1.
        let text = abs(f).description
        var mantissa = text
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        for c in mantissa.utf8 {
            if c == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            digits.append(c)
            if !seenPoint { point += 1 }
        }
        // Strip leading zeros (0.001 → digits 1, point -2) and trailing zeros.
        while digits.count > 1 && digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point + exponent)
    }

    /// `strconv.FormatFloat(f, 'g', -1, 64)` as `%v` prints a float64.
    static func shortestG(_ f: Double) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        // Fast path: in [1e-4, 1e6) Swift and Go both print the shortest digits in plain decimal;
        // Swift adds ".0" to whole numbers.
        let a = abs(f)
        if a >= 1e-4 && a < 1e6 {
            let d = f.description
            if !d.utf8.contains(UInt8(ascii: "e")) { return d.hasSuffix(".0") ? String(d.dropLast(2)) : d }
        }
        let (digits, dp) = shortestDigits(f)
        let sign = f < 0 ? "-" : ""
        let exp = dp - 1
        if exp < -4 || exp >= 6 {  // shortest: Go decides with precision 6
            // %e with as many digits as needed.
            var m = String(UnicodeScalar(digits[0]))
            if digits.count > 1 { m += "." + String(decoding: digits[1...], as: UTF8.self) }
            let es = exp < 0 ? "-" : "+"
            let ev = abs(exp)
            return sign + m + "e" + es + (ev < 10 ? "0" : "") + String(ev)
        }
        // %f with the digits as they are.
        let s = String(decoding: digits, as: UTF8.self)
        if dp <= 0 { return sign + "0." + String(repeating: "0", count: -dp) + s }
        if dp >= digits.count { return sign + s + String(repeating: "0", count: dp - digits.count) }
        let i = s.index(s.startIndex, offsetBy: dp)
        return sign + s[..<i] + "." + s[i...]
    }
}
