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
    /// A value of a named Go string type without methods: html/template's `HTML`, `JS`, `URL`,
    /// `CSS`, `HTMLAttr`, `JSStr` and `Srcset` (`template.JS`…), which mark content as safe for
    /// the context they name. A string to every builtin; its type name under `%T`.
    case namedString(typeName: String, text: String)
    /// A value of a named Go integer type with a `String()` method (`time.Month`, `time.Weekday`):
    /// `text` under `%v` and `%s`, `value` under `%d` and in comparisons.
    case namedInteger(typeName: String, value: Int64, text: String)

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
        case .namedInteger(let t, _, _): return t
        case .namedString(let t, _): return t
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

/// Go orders map keys (fmt printing, range, encoding/json) by comparing the strings' bytes.
func goSortedKeys<V>(_ m: [String: V]) -> [String] {
    m.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}
