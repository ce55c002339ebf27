import GoDuration

/// A value a template can read, with Go's type behind it: what Kapacitor's alert contexts,
/// `map[string]interface{}`, slices, numbers, times and durations look like to text/template.
public enum TemplateValue: Sendable, Equatable {
    /// No value at all (a missing map entry): prints `<no value>`.
    case missing
    /// A nil interface or pointer: prints `<nil>`.
    case null
    /// A nil value of an interface type with methods (Go `error`, named by `typeName`): unlike
    /// `interface{}`, text/template does not unwrap it, so it prints `<nil>`.
    case nilInterface(typeName: String)
    /// Go `bool`.
    case bool(Bool)
    /// Go `int` (template literals, `len`, loop indexes).
    case int(Int64)
    /// Go `int64` (data, Kapacitor field values).
    case int64(Int64)
    /// Go `uint64`.
    case uint64(UInt64)
    /// Go `float64`.
    case float64(Double)
    /// Go `complex128` (template constants such as `1+2i`).
    case complex128(Double, Double)
    /// Go `string`.
    case string(String)
    /// Go `time.Time`.
    case time(GoTime)
    /// Go `time.Duration`.
    case duration(GoDuration)
    /// Go `[]interface{}`.
    case list([TemplateValue])
    /// Go `map[string]interface{}`.
    case map([String: TemplateValue])
    /// Go `map[string]string` (Kapacitor's tags).
    case stringMap([String: String])
    /// A nil map: prints `map[]`, has no keys, encodes as JSON `null`. `stringValues` tells
    /// `map[string]string` from `map[string]interface{}`.
    case nilMap(stringValues: Bool)
    /// A Go struct: named fields in declaration order.
    case object(TemplateObject)
    /// A value of a named Go string type with a `String()` method (Kapacitor's `alert.Level`).
    case stringer(typeName: String, text: String)

    /// Go's type name, as it appears in error messages and `%T`.
    public var goTypeName: String {
        switch self {
        case .missing: return "<nil>"
        case .null: return "<nil>"
        case .nilInterface(let t): return t
        case .bool: return "bool"
        case .int: return "int"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .float64: return "float64"
        case .complex128: return "complex128"
        case .string: return "string"
        case .time: return "time.Time"
        case .duration: return "time.Duration"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        case .stringMap: return "map[string]string"
        case .nilMap(let strings): return strings ? "map[string]string" : "map[string]interface {}"
        case .object(let o): return o.typeName
        case .stringer(let t, _): return t
        }
    }
}

/// A Go struct seen by templates: its type name and fields in order. A class, so passing a
/// struct value around a template costs one reference count, not one per field.
public final class TemplateObject: Sendable, Equatable {
    /// The Go type name used in messages, e.g. `alert.messageInfo`.
    public let typeName: String
    /// Field names in declaration order.
    public let fieldNames: [String]
    /// Field values by name.
    public let fields: [String: TemplateValue]
    /// Names of embedded (anonymous) struct fields, whose fields are promoted as in Go.
    public let embedded: Set<String>

    /// A struct of type `typeName` with `fields` in order.
    public convenience init(typeName: String, fields: KeyValuePairs<String, TemplateValue>) {
        self.init(typeName: typeName, orderedFields: fields.map { ($0.key, $0.value) })
    }

    /// A struct from ordered pairs; `embedded` names the fields that are embedded structs.
    public init(typeName: String, orderedFields: [(String, TemplateValue)], embedded: Set<String> = []) {
        self.typeName = typeName
        self.fieldNames = orderedFields.map(\.0)
        self.fields = Dictionary(orderedFields, uniquingKeysWith: { $1 })
        self.embedded = embedded
    }

    /// Field `name`, directly or promoted from an embedded struct (shallowest first), as Go finds it.
    public func lookup(_ name: String) -> TemplateValue? {
        if let v = fields[name], !embedded.contains(name) { return v }
        for e in fieldNames where embedded.contains(e) {
            if case .object(let inner) = fields[e], let v = inner.lookup(name) { return v }
        }
        return nil
    }

    public static func == (a: TemplateObject, b: TemplateObject) -> Bool {
        a === b || (a.typeName == b.typeName && a.fieldNames == b.fieldNames && a.fields == b.fields && a.embedded == b.embedded)
    }
}

/// Go's `time.Time` as templates print it: an instant and a fixed zone.
public struct GoTime: Sendable, Equatable {
    /// Nanoseconds since the Unix epoch.
    public var unixNano: Int64
    /// Zone offset east of UTC, in seconds.
    public var offsetSeconds: Int
    /// Zone abbreviation (`UTC`).
    public var zoneName: String

    /// An instant in UTC.
    public init(unixNano: Int64) {
        self.unixNano = unixNano
        self.offsetSeconds = 0
        self.zoneName = "UTC"
    }

    /// Go's zero `time.Time` (January 1, year 1, UTC).
    public static let zero = GoTime(unixNano: Int64.min)

    /// Whether this is Go's zero time.
    public var isZero: Bool { unixNano == Int64.min }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    public var description: String {
        if isZero { return "0001-01-01 00:00:00 +0000 UTC" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let off = abs(offsetSeconds)
        return dateAndTime(separator: " ") + " \(sign)\(Self.pad(off / 3600, 2))\(Self.pad(off % 3600 / 60, 2)) \(zoneName)"
    }

    /// RFC 3339 with nanoseconds, trailing zeros trimmed (Go's `time.RFC3339Nano`).
    public var rfc3339Nano: String {
        if isZero { return "0001-01-01T00:00:00Z" }
        if offsetSeconds == 0 { return dateAndTime(separator: "T") + "Z" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let off = abs(offsetSeconds)
        return dateAndTime(separator: "T") + "\(sign)\(Self.pad(off / 3600, 2)):\(Self.pad(off % 3600 / 60, 2))"
    }

    /// `2006-01-02<sep>15:04:05.999999999` in the time's own zone.
    private func dateAndTime(separator: String) -> String {
        let local = unixNano + Int64(offsetSeconds) * 1_000_000_000
        var secs = local / 1_000_000_000
        var nanos = local % 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            secs -= 1
        }
        let (y, mo, d, h, mi, s) = Self.civil(secs)
        var out = "\(Self.pad(y, 4))-\(Self.pad(mo, 2))-\(Self.pad(d, 2))\(separator)\(Self.pad(h, 2)):\(Self.pad(mi, 2)):\(Self.pad(s, 2))"
        if nanos > 0 {
            var frac = Self.pad(Int(nanos), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            out += "." + frac
        }
        return out
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func pad(_ v: Int64, _ width: Int) -> String { pad(Int(v), width) }

    /// Civil date and time from seconds since the epoch (proleptic Gregorian).
    static func civil(_ seconds: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }
}

/// Go orders map keys (fmt printing, range, encoding/json) by comparing the strings' bytes.
func goSortedKeys<V>(_ m: [String: V]) -> [String] {
    m.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}
