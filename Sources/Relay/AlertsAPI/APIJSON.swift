import GoTemplate

/// A JSON document as the API writes it: objects keep their keys in the order given (Go writes a
/// struct's fields in declaration order), output as Kapacitor's `httpd.MarshalJSON(v, true)`
/// does (`json.MarshalIndent` with four spaces, HTML-escaped strings, no trailing newline).
indirect enum APIJSON: Sendable {
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    case null
    case array([APIJSON])
    case object([(String, APIJSON)])

    /// Kapacitor's `client.Link`: `{"rel": ..., "href": ...}`.
    static func link(_ rel: String, _ href: String) -> APIJSON { .object([("rel", .string(rel)), ("href", .string(href))]) }

    /// `{"error": message}`, Kapacitor's `httpd.HttpError` body.
    static func error(_ message: String) -> APIJSON { .object([("error", .string(message))]) }

    /// The indented text.
    var text: String {
        var out = ""
        write(to: &out, depth: 0)
        return out
    }

    private func write(to out: inout String, depth: Int) {
        switch self {
        case .string(let s): GoJSON.appendString(s, to: &out)
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d): out += GoJSON.float(d)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                out += i == 0 ? "\n" : ",\n"
                Self.indent(&out, depth + 1)
                item.write(to: &out, depth: depth + 1)
            }
            out += "\n"
            Self.indent(&out, depth)
            out += "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                out += i == 0 ? "\n" : ",\n"
                Self.indent(&out, depth + 1)
                GoJSON.appendString(key, to: &out)
                out += ": "
                value.write(to: &out, depth: depth + 1)
            }
            out += "\n"
            Self.indent(&out, depth)
            out += "}"
        }
    }

    private static func indent(_ out: inout String, _ depth: Int) {
        for _ in 0..<depth { out += "    " }
    }
}
