import Foundation

/// Go's `fmt` as templates use it: `%v` printing of values and `printf` with verbs, flags, width
/// and precision, including Go's error forms (`%!f(int64=97)`, `%!d(MISSING)`, `%!(EXTRA …)`).
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
        case .string(let s): return s
        case .time(let t): return t.description
        case .duration(let d): return d.description
        case .list(let items): return "[" + items.map(v).joined(separator: " ") + "]"
        case .map(let m): return "map[" + goSortedKeys(m).map { "\($0):\(v(m[$0]!))" }.joined(separator: " ") + "]"
        case .stringMap(let m): return "map[" + goSortedKeys(m).map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .nilMap: return "map[]"
        case .object(let o): return "{" + o.fieldNames.map { v(o.fields[$0] ?? .null) }.joined(separator: " ") + "}"
        case .stringer(_, let text): return text
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
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        var previousWasString = false
        for (i, a) in args.enumerated() {
            let isString: Bool
            if case .string = a { isString = true } else { isString = false }
            if i > 0 && !isString && !previousWasString { out += " " }
            out += v(a)
            previousWasString = isString
        }
        return out
    }

    /// `fmt.Sprintln(a, b, …)`: always spaces, and a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        args.map(v).joined(separator: " ") + "\n"
    }

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

    // MARK: printf

    struct Spec {
        var minus = false, plus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
    }

    /// `fmt.Sprintf(format, args…)`.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argIndex = 0
        var i = 0
        while i < f.count {
            if f[i] != "%" {
                out.unicodeScalars.append(f[i])
                i += 1
                continue
            }
            i += 1
            var spec = Spec()
            flags: while i < f.count {
                switch f[i] {
                case "-": spec.minus = true; spec.zero = false
                case "+": spec.plus = true
                case "#": spec.sharp = true
                case " ": spec.space = true
                case "0": spec.zero = !spec.minus
                default: break flags
                }
                i += 1
            }
            // Width.
            if i < f.count && f[i] == "*" {
                i += 1
                if argIndex < args.count, let w = intValue(args[argIndex]), abs(w) <= 1_000_000 {
                    spec.width = w
                    if w < 0 {
                        spec.minus = true
                        spec.width = -w
                        spec.zero = false
                    }
                } else {
                    out += "%!(BADWIDTH)"
                }
                argIndex += 1
            } else {
                let (w, present, next) = parseNumber(f, i)
                i = next
                if present { spec.width = w }
            }
            // Precision.
            if i < f.count && f[i] == "." {
                i += 1
                if i < f.count && f[i] == "*" {
                    i += 1
                    if argIndex < args.count, let p = intValue(args[argIndex]), p >= 0, p <= 1_000_000 {
                        spec.precision = p
                    } else {
                        out += "%!(BADPREC)"
                    }
                    argIndex += 1
                } else {
                    let (p, _, next) = parseNumber(f, i)
                    i = next
                    spec.precision = p
                }
            }
            guard i < f.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = f[i]
            i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard argIndex < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let arg = args[argIndex]
            argIndex += 1
            out += formatOne(arg, verb: verb, spec: spec)
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { "\($0.goTypeName)=\(v($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }

    /// Go's `parsenum`: digits from `start`; a number over a million swallows the rest of the format.
    static func parseNumber(_ f: [Unicode.Scalar], _ start: Int) -> (Int, Bool, Int) {
        var num = 0
        var present = false
        var i = start
        while i < f.count, f[i] >= "0", f[i] <= "9" {
            if num > 1_000_000 { return (0, false, f.count) }
            num = num * 10 + Int(f[i].value - 48)
            present = true
            i += 1
        }
        return (num, present, i)
    }

    static func intValue(_ v: TemplateValue) -> Int? {
        switch v {
        case .int(let i), .int64(let i): return Int(i)
        case .uint64(let u): return Int(exactly: u)
        default: return nil
        }
    }

    static func bad(_ verb: Unicode.Scalar, _ arg: TemplateValue) -> String {
        if case .null = arg { return "%!\(verb)(<nil>)" }
        return "%!\(verb)(\(arg.goTypeName)=\(v(arg)))"
    }

    static func pad(_ s: String, _ spec: Spec, zeroOK: Bool = true) -> String {
        guard let w = spec.width, s.count < w else { return s }
        let fill = w - s.count
        if spec.minus { return s + String(repeating: " ", count: fill) }
        if spec.zero && zeroOK {
            // Zeros go after the sign.
            if let first = s.first, first == "-" || first == "+" || first == " " {
                return String(first) + String(repeating: "0", count: fill) + s.dropFirst()
            }
            return String(repeating: "0", count: fill) + s
        }
        return String(repeating: " ", count: fill) + s
    }

    static func formatOne(_ arg: TemplateValue, verb: Unicode.Scalar, spec: Spec) -> String {
        if verb == "T" {
            if case .null = arg { return pad("<nil>", spec, zeroOK: false) }
            return pad(arg.goTypeName, spec, zeroOK: false)
        }
        switch arg {
        case .bool(let b):
            guard verb == "t" || verb == "v" else { return bad(verb, arg) }
            return pad(b ? "true" : "false", spec, zeroOK: false)
        case .int(let i), .int64(let i):
            return formatInteger(negative: i < 0, magnitude: i.magnitude, arg: arg, verb: verb, spec: spec)
        case .uint64(let u):
            return formatInteger(negative: false, magnitude: u, arg: arg, verb: verb, spec: spec)
        case .float64(let f):
            return formatFloat(f, arg: arg, verb: verb, spec: spec)
        case .complex128(let re, let im):
            guard "vgGeEfF".unicodeScalars.contains(verb) else { return bad(verb, arg) }
            var imSpec = spec
            imSpec.plus = true
            var reSpec = spec
            reSpec.width = nil
            imSpec.width = nil
            let body = "(" + formatFloat(re, arg: arg, verb: verb, spec: reSpec) + formatFloat(im, arg: arg, verb: verb, spec: imSpec) + "i)"
            return pad(body, spec, zeroOK: false)
        case .string(let s), .stringer(_, let s):
            switch verb {
            case "v", "s":
                var t = s
                if let p = spec.precision { t = String(t.unicodeScalars.prefix(p)) }
                return pad(t, spec, zeroOK: false)
            case "q":
                return pad(spec.sharp && !s.contains("`") ? "`" + s + "`" : GoQuote.quote(s, asciiOnly: spec.plus), spec, zeroOK: false)
            case "x", "X":
                // Precision counts bytes, and may end inside a multi-byte character.
                var bytes = Array(s.utf8)
                if let p = spec.precision, p < bytes.count { bytes = Array(bytes.prefix(p)) }
                let hex = bytes.map { GoQuote.hex(UInt32($0), 2) }
                var joined = spec.space ? hex.joined(separator: " ") : hex.joined()
                if spec.sharp { joined = (spec.space ? hex.map { "0x" + $0 }.joined(separator: " ") : "0x" + joined) }
                return pad(verb == "X" ? joined.uppercased() : joined, spec, zeroOK: false)
            default:
                return bad(verb, arg)
            }
        case .duration(let d):
            switch verb {
            case "v", "s": return pad(d.description, spec, zeroOK: false)
            case "d": return formatInteger(negative: d.nanoseconds < 0, magnitude: d.nanoseconds.magnitude, arg: arg, verb: verb, spec: spec)
            default: return bad(verb, arg)
            }
        case .time(let t):
            guard verb == "v" || verb == "s" else { return bad(verb, arg) }
            return pad(t.description, spec, zeroOK: false)
        case .list(let items):
            guard verb != "T" else { return pad(arg.goTypeName, spec, zeroOK: false) }
            return "[" + items.map { formatOne($0, verb: verb, spec: spec) }.joined(separator: " ") + "]"
        case .map(let m):
            return "map[" + goSortedKeys(m).map { formatOne(.string($0), verb: verb, spec: spec) + ":" + formatOne(m[$0]!, verb: verb, spec: spec) }.joined(separator: " ") + "]"
        case .stringMap(let m):
            return "map[" + goSortedKeys(m).map { formatOne(.string($0), verb: verb, spec: spec) + ":" + formatOne(.string(m[$0]!), verb: verb, spec: spec) }.joined(separator: " ") + "]"
        case .null:
            return verb == "v" ? pad("<nil>", spec, zeroOK: false) : "%!\(verb)(<nil>)"
        case .missing:
            return verb == "v" ? pad("<nil>", spec, zeroOK: false) : "%!\(verb)(<nil>)"
        default:
            guard verb == "v" || verb == "s" else { return bad(verb, arg) }
            return pad(v(arg), spec, zeroOK: false)
        }
    }

    static func formatInteger(negative: Bool, magnitude: UInt64, arg: TemplateValue, verb: Unicode.Scalar, spec: Spec) -> String {
        var digits: String
        var prefix = ""
        switch verb {
        case "d", "v": digits = String(magnitude)
        case "b": digits = String(magnitude, radix: 2); if spec.sharp { prefix = "0b" }
        case "o": digits = String(magnitude, radix: 8); if spec.sharp { prefix = "0" }
        case "O": digits = String(magnitude, radix: 8); prefix = "0o"
        case "x": digits = String(magnitude, radix: 16); if spec.sharp { prefix = "0x" }
        case "X": digits = String(magnitude, radix: 16).uppercased(); if spec.sharp { prefix = "0X" }
        case "c":
            guard let s = Unicode.Scalar(UInt32(truncatingIfNeeded: magnitude)), !negative else { return pad("\u{FFFD}", spec, zeroOK: false) }
            return pad(String(s), spec, zeroOK: false)
        case "q":
            guard let s = Unicode.Scalar(UInt32(truncatingIfNeeded: magnitude)), !negative else { return pad("'\u{FFFD}'", spec, zeroOK: false) }
            return pad(GoQuote.quoteRune(s), spec, zeroOK: false)
        case "U":
            var u = "U+" + GoQuote.hex(UInt32(truncatingIfNeeded: magnitude), 4).uppercased()
            if spec.sharp, let s = Unicode.Scalar(UInt32(truncatingIfNeeded: magnitude)), GoUnicode.isPrint(s) { u += " '\(s)'" }
            return pad(u, spec, zeroOK: false)
        default:
            return bad(verb, arg)
        }
        if let p = spec.precision {
            if p == 0 && magnitude == 0 { digits = "" }
            if digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
        }
        let sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : ""
        let body = prefix + digits
        if spec.zero && !spec.minus && spec.precision == nil, let w = spec.width, sign.count + body.count < w {
            return sign + prefix + String(repeating: "0", count: w - sign.count - body.count) + digits
        }
        return pad(sign + body, spec, zeroOK: false)
    }

    static func formatFloat(_ f: Double, arg: TemplateValue, verb: Unicode.Scalar, spec: Spec) -> String {
        var body: String
        switch verb {
        case "v", "g", "G":
            if let p = spec.precision {
                body = String(format: "%.\(p == 0 ? 1 : p)g", f)
            } else {
                body = shortestG(f)
            }
            if verb == "G" { body = body.uppercased() }
        case "f", "F":
            body = String(format: "%.\(spec.precision ?? 6)f", f)
        case "e", "E":
            body = String(format: "%.\(spec.precision ?? 6)e", f)
            if verb == "E" { body = body.uppercased() }
        default:
            return bad(verb, arg)
        }
        if f.isNaN { body = "NaN" } else if f.isInfinite { body = f < 0 ? "-Inf" : "+Inf" }
        if !body.hasPrefix("-") {
            if spec.plus { body = "+" + body } else if spec.space { body = " " + body }
        }
        return pad(body, spec, zeroOK: f.isFinite)
    }
}
