import TOML

/// A value as Tools/toml-oracle records what Python's `tomllib` read: one node per value, named by
/// its TOML type; floats as Python's `repr`, date-times to the microsecond (all tomllib keeps).
indirect enum OracleNode: Decodable, Sendable {
    case table([String: OracleNode])
    case array([OracleNode])
    case string(String)
    case integer(String)
    case float(String)
    case bool(Bool)
    case dateTime(String)
    case localDateTime(String)
    case localDate(String)
    case localTime(String)

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a node has exactly one key, its type"))
        }
        switch key.stringValue {
        case "table": self = .table(try c.decode([String: OracleNode].self, forKey: key))
        case "array": self = .array(try c.decode([OracleNode].self, forKey: key))
        case "string": self = .string(try c.decode(String.self, forKey: key))
        case "integer": self = .integer(try c.decode(String.self, forKey: key))
        case "float": self = .float(try c.decode(String.self, forKey: key))
        case "bool": self = .bool(try c.decode(Bool.self, forKey: key))
        case "datetime": self = .dateTime(try c.decode(String.self, forKey: key))
        case "datetime-local": self = .localDateTime(try c.decode(String.self, forKey: key))
        case "date-local": self = .localDate(try c.decode(String.self, forKey: key))
        case "time-local": self = .localTime(try c.decode(String.self, forKey: key))
        default: throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "unknown type \(key.stringValue)"))
        }
    }

    /// Where `value` differs from this node (`a.b[2]: integer 3, tomllib 4`), nil when it matches.
    func mismatch(_ value: TOMLValue, path: String = "") -> String? {
        let at = path.isEmpty ? "the document" : path
        switch (self, value.content) {
        case (.table(let expected), .table(let table)):
            if Set(expected.keys) != Set(table.keys) {
                return "\(at): keys \(table.keys.sorted()), tomllib \(expected.keys.sorted())"
            }
            for entry in table.entries {
                if let m = expected[entry.key]?.mismatch(entry.value, path: path.isEmpty ? entry.key : path + "." + entry.key) { return m }
            }
            return nil
        case (.array(let expected), .array(let elements)):
            guard expected.count == elements.count else { return "\(at): \(elements.count) elements, tomllib \(expected.count)" }
            for (i, (e, v)) in zip(expected, elements).enumerated() {
                if let m = e.mismatch(v, path: "\(path)[\(i)]") { return m }
            }
            return nil
        case (.string(let e), .string(let s)): return e == s ? nil : "\(at): \(String(reflecting: s)), tomllib \(String(reflecting: e))"
        case (.integer(let e), .integer(let n)): return e == String(n) ? nil : "\(at): \(n), tomllib \(e)"
        case (.float(let e), .float(let x)):
            guard let d = Double(e) else { return "\(at): tomllib's float \(e) does not parse" }
            return (d.isNaN && x.isNaN) || d.bitPattern == x.bitPattern ? nil : "\(at): \(x), tomllib \(e)"
        case (.bool(let e), .boolean(let b)): return e == b ? nil : "\(at): \(b), tomllib \(e)"
        case (.dateTime(let e), .dateTime(let d)) where d.offsetMinutes != nil,
             (.localDateTime(let e), .dateTime(let d)) where d.offsetMinutes == nil:
            let ours = Self.format(d)
            return e == ours ? nil : "\(at): \(ours), tomllib \(e)"
        case (.localDate(let e), .date(let d)): return e == d.description ? nil : "\(at): \(d), tomllib \(e)"
        case (.localTime(let e), .time(let t)): return e == Self.format(t) ? nil : "\(at): \(Self.format(t)), tomllib \(e)"
        default: return "\(at): \(value.type), tomllib \(self)"
        }
    }

    /// tomllib's precision: the time to the microsecond (truncated), offset as ±HH:MM.
    static func format(_ t: TOMLTime) -> String {
        let micro = String(t.nanosecond / 1000)
        return TOMLTime(hour: t.hour, minute: t.minute, second: t.second).description + "." + String(repeating: "0", count: 6 - micro.count) + micro
    }

    static func format(_ d: TOMLDateTime) -> String {
        var s = d.date.description + "T" + format(d.time)
        if let offset = d.offsetMinutes {
            let h = String(abs(offset) / 60), m = String(abs(offset) % 60)
            s += (offset < 0 ? "-" : "+") + (h.count < 2 ? "0" + h : h) + ":" + (m.count < 2 ? "0" + m : m)
        }
        return s
    }
}
