/// Go's `encoding/json` encoder for ``TemplateValue``s: the bytes `json.Marshal` produces.
///
/// Map keys sorted; `<`, `>`, `&` escaped as `\u003c`… (unless `escapeHTML` is false), U+2028 and
/// U+2029 escaped; floats as encoding/json formats them (`1e+21`, `1e-07`, `0.000001`); times as
/// RFC 3339 with nanoseconds; durations as integer nanoseconds; struct fields in declaration order.
public enum GoJSON {
    /// `json.Marshal(v)` (or `json.NewEncoder(w).Encode(v)` without its trailing newline).
    public static func encode(_ value: TemplateValue, escapeHTML: Bool = true) -> String {
        var out = ""
        append(value, to: &out, escapeHTML: escapeHTML)
        return out
    }

    static func append(_ value: TemplateValue, to out: inout String, escapeHTML: Bool) {
        switch value {
        case .missing, .null, .nilMap, .nilInterface: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i), .int64(let i): out += String(i)
        case .uint64(let u): out += String(u)
        case .float64(let f): out += float(f)
        case .complex128: out += "null"  // json.Marshal refuses complex numbers; templates never send them
        case .string(let s), .stringer(_, let s), .namedString(_, let s): appendString(s, to: &out, escapeHTML: escapeHTML)
        case .time(let t): appendString(t.rfc3339Nano, to: &out, escapeHTML: escapeHTML)
        case .duration(let d): out += String(d.nanoseconds)
        case .namedInteger(_, let v, _): out += String(v)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                append(item, to: &out, escapeHTML: escapeHTML)
            }
            out += "]"
        case .map(let m):
            appendObject(m, to: &out, escapeHTML: escapeHTML) { append($0, to: &$1, escapeHTML: escapeHTML) }
        case .stringMap(let m):
            appendObject(m, to: &out, escapeHTML: escapeHTML) { appendString($0, to: &$1, escapeHTML: escapeHTML) }
        case .object(let o):
            out += "{"
            var first = true
            appendFields(o, to: &out, first: &first, escapeHTML: escapeHTML)
            out += "}"
        }
    }

    /// A map as a JSON object, keys in Go's byte order.
    static func appendObject<V>(_ m: [String: V], to out: inout String, escapeHTML: Bool, _ value: (V, inout String) -> Void) {
        out += "{"
        for (i, k) in goSortedKeys(m).enumerated() {
            if i > 0 { out += "," }
            appendString(k, to: &out, escapeHTML: escapeHTML)
            out += ":"
            value(m[k]!, &out)
        }
        out += "}"
    }

    /// A struct's fields, embedded structs' fields inlined as encoding/json does.
    static func appendFields(_ o: TemplateObject, to out: inout String, first: inout Bool, escapeHTML: Bool) {
        for k in o.fieldNames {
            if o.embedded.contains(k), case .object(let inner) = o.fields[k] {
                appendFields(inner, to: &out, first: &first, escapeHTML: escapeHTML)
                continue
            }
            if !first { out += "," }
            first = false
            appendString(k, to: &out, escapeHTML: escapeHTML)
            out += ":"
            append(o.fields[k] ?? .null, to: &out, escapeHTML: escapeHTML)
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string literal as encoding/json writes it, appended to `out`. The escaping is
    /// ``GoJSONBytes``'s (one table-driven pass); a string with nothing to escape is appended as it is.
    public static func appendString(_ s: String, to out: inout String, escapeHTML: Bool = true) {
        var source = s
        let escaped: [UInt8]? = source.withUTF8 { u in
            let table = escapeHTML ? GoJSONBytes.htmlSafeClass : GoJSONBytes.plainClass
            guard u.contains(where: { table[Int($0)] != 0 }) else { return nil }
            var writer = GoJSONBytes(capacity: u.count + u.count / 2 + 16)
            writer.string(utf8: u, escapeHTML: escapeHTML)
            return writer.bytes
        }
        if let escaped {
            out += String(decoding: escaped, as: UTF8.self)
        } else {
            out += "\""
            out += s
            out += "\""
        }
    }

    /// encoding/json's float64: shortest digits, `e` notation below 1e-6 or from 1e21, and a
    /// two-digit negative exponent shortened (`1e-07`).
    public static func float(_ f: Double) -> String {
        if f.isNaN || f.isInfinite { return "null" }  // json.Marshal fails on these; Kapacitor never sends them
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        let a = abs(f)
        if a < 1e-6 || a >= 1e21 {
            let (digits, dp) = GoFormat.shortestDigits(f)
            var m = String(UnicodeScalar(digits[0]))
            if digits.count > 1 { m += "." + String(decoding: digits[1...], as: UTF8.self) }
            let exp = dp - 1
            var e = (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
            // Go: clean up e-09 to e-9.
            if e.count == 3 && e.hasPrefix("-0") { e = "-" + e.dropFirst(2) }
            return (f < 0 ? "-" : "") + m + "e" + e
        }
        return plainFloat(f)
    }

    /// `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits, never an exponent.
    public static func plainFloat(_ f: Double) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        let (digits, dp) = GoFormat.shortestDigits(f)
        let s = String(decoding: digits, as: UTF8.self)
        let sign = f < 0 ? "-" : ""
        if dp <= 0 { return sign + "0." + String(repeating: "0", count: -dp) + s }
        if dp >= digits.count { return sign + s + String(repeating: "0", count: dp - digits.count) }
        let i = s.index(s.startIndex, offsetBy: dp)
        return sign + s[..<i] + "." + s[i...]
    }

    /// Why `json.Marshal` would refuse `value` (its error's text), found in the order Go encodes it;
    /// nil when it encodes.
    static func unsupported(_ value: TemplateValue) -> String? {
        switch value {
        case .float64(let f) where !f.isFinite: return "json: unsupported value: " + GoFloat.format(f, UInt8(ascii: "g"), -1)
        case .complex128: return "json: unsupported type: complex128"
        case .time(let t) where !(0...9999).contains(t.civil.year):
            return "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]"
        case .list(let items): return items.lazy.compactMap(unsupported).first
        case .map(let m): return goSortedKeys(m).lazy.compactMap { unsupported(m[$0]!) }.first
        case .object(let o): return o.fieldNames.lazy.compactMap { o.fields[$0].flatMap(unsupported) }.first
        default: return nil
        }
    }
}
