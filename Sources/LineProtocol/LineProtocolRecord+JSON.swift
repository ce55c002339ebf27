extension LineProtocolRecord {
    /// The record as one JSON object, the contract of `alertrelay parse`:
    /// `{"line":1,"measurement":"cpu","tags":[["host","a"]],"fields":[{"key":"v","type":"float","value":1.5}],"time":NS}`
    /// or `{"line":N,"error":"line N, column C: reason"}`.
    public var jsonLine: String {
        var out = "{\"line\":"
        switch self {
        case .point(let p, let line):
            out += String(line)
            out += ",\"measurement\":"
            appendJSONString(p.measurement, to: &out)
            out += ",\"tags\":["
            for (i, t) in p.tags.enumerated() {
                if i > 0 { out += "," }
                out += "["
                appendJSONString(t.key, to: &out)
                out += ","
                appendJSONString(t.value, to: &out)
                out += "]"
            }
            out += "],\"fields\":["
            for (i, f) in p.fields.enumerated() {
                if i > 0 { out += "," }
                out += "{\"key\":"
                appendJSONString(f.key, to: &out)
                out += ",\"type\":\"\(f.value.typeName)\",\"value\":"
                switch f.value {
                case .float(let v): out += v.description
                case .integer(let v): out += String(v)
                case .unsigned(let v): out += String(v)
                case .string(let v): appendJSONString(v, to: &out)
                case .boolean(let v): out += v ? "true" : "false"
                }
                out += "}"
            }
            out += "],\"time\":\(p.time)}"
        case .error(let e):
            out += String(e.line)
            out += ",\"error\":"
            appendJSONString(e.description, to: &out)
            out += "}"
        }
        return out
    }
}

/// Appends `s` as a JSON string literal (quotes, backslashes and control characters escaped).
public func appendJSONString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    out += "\""
}
