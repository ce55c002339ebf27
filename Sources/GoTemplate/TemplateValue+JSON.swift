import GoDuration

/// Why JSON data could not become a ``TemplateValue``.
public struct TemplateDataError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where (byte offset).
    public var description: String

    /// An error saying `description`.
    public init(description: String) { self.description = description }
}

extension TemplateValue {
    /// Reads JSON with `alertrelay render`'s data rule: a number written without `.`, `e` or `E`
    /// that fits int64 is an `int64`, every other number a `float64`; objects are
    /// `map[string]interface{}`, arrays `[]interface{}`; one-key objects `{"$int":…}`, `{"$uint":…}`
    /// (a number or a decimal string: `{"$uint":"18446744073709551615"}`),
    /// `{"$float":…}`, `{"$time":"RFC3339Nano" or ns}`, `{"$duration":"1m30s" or ns}` and
    /// `{"$strmap":{…}}` (a `map[string]string`) give those types.
    public init(json: String) throws(TemplateDataError) {
        var reader = JSONReader(bytes: Array(json.utf8))
        reader.skipSpace()
        self = try reader.value()
        reader.skipSpace()
        if reader.i != reader.bytes.count { throw TemplateDataError(description: "unexpected text after JSON value at byte \(reader.i)") }
    }
}

private struct JSONReader {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    func fail(_ what: String) -> TemplateDataError { TemplateDataError(description: "\(what) at byte \(i)") }

    mutating func value() throws(TemplateDataError) -> TemplateValue {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end of JSON") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["):
            i += 1
            var items: [TemplateValue] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .list(items)
            }
            while true {
                items.append(try value())
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
                throw fail("expected , or ]")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func literal(_ word: String, _ v: TemplateValue) throws(TemplateDataError) -> TemplateValue {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("invalid literal") }
        i += w.count
        return v
    }

    mutating func number() throws(TemplateDataError) -> TemplateValue {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let n = Int64(text) { return .int64(n) }
        guard let d = Double(text) else { throw fail("invalid number \(text)") }
        return .float64(d)
    }

    mutating func string() throws(TemplateDataError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, var v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                        throw fail("bad \\u escape")
                    }
                    i += 4
                    if v >= 0xD800 && v < 0xDC00, i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                       let lo = UInt32(String(decoding: bytes[i + 2..<i + 6], as: UTF8.self), radix: 16), lo >= 0xDC00 && lo < 0xE000 {
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(v) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }

    /// The integer of `{"$int":…}` or `{"$uint":…}`, written as a JSON number or a decimal string
    /// (which keeps all 64 bits through JSON readers that use float64).
    mutating func typedInteger(_ key: String) throws(TemplateDataError) -> TemplateValue {
        skipSpace()
        let text: String
        if i < bytes.count && bytes[i] == UInt8(ascii: "\"") {
            text = try string()
        } else {
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            text = String(decoding: bytes[start..<i], as: UTF8.self)
        }
        if key == "$uint", !text.hasPrefix("+"), let u = UInt64(text) { return .uint64(u) }
        if key == "$int", let n = Int64(text) { return .int(n) }
        throw fail("\(key) needs a decimal integer within the \(key == "$uint" ? "uint64" : "int64") range, as a number or a string (got \(String(reflecting: text)))")
    }

    mutating func object() throws(TemplateDataError) -> TemplateValue {
        i += 1
        var pairs: [(String, TemplateValue)] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .map([:])
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected :") }
            i += 1
            if key == "$uint" || key == "$int" {
                pairs.append((key, try typedInteger(key)))
            } else if key == "$strmap" {
                guard case .map(let m) = try value() else { throw fail("$strmap needs an object") }
                var sm: [String: String] = [:]
                for (k, v) in m {
                    guard case .string(let s) = v else { throw fail("$strmap values must be strings") }
                    sm[k] = s
                }
                pairs.append((key, .stringMap(sm)))
            } else {
                pairs.append((key, try value()))
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; break }
            throw fail("expected , or }")
        }
        if pairs.count == 1, let typed = try Self.typed(pairs[0].0, pairs[0].1) { return typed }
        return .map(Dictionary(pairs, uniquingKeysWith: { $1 }))
    }

    static func typed(_ key: String, _ v: TemplateValue) throws(TemplateDataError) -> TemplateValue? {
        switch (key, v) {
        case ("$int", .int(let n)): return .int(n)
        case ("$uint", .uint64(let n)): return .uint64(n)
        case ("$float", .int64(let n)): return .float64(Double(n))
        case ("$float", .float64(let d)): return .float64(d)
        case ("$time", .int64(let ns)): return .time(GoTime(unixNano: ns))
        case ("$time", .string(let s)):
            guard let t = GoTime(rfc3339: s) else {
                throw TemplateDataError(description: "$time \"\(s)\" is not an RFC3339 time between 1677 and 2262")
            }
            return .time(t)
        case ("$duration", .int64(let ns)): return .duration(GoDuration(nanoseconds: ns))
        case ("$duration", .string(let s)):
            do { return .duration(try GoDuration(parsing: s)) } catch { throw TemplateDataError(description: "$duration: \(error)") }
        case ("$strmap", let sm): return sm
        default: return nil
        }
    }
}
