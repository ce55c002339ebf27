/// One accepted line of InfluxDB line protocol: measurement, tags, fields and time.
///
/// A `Point` owns its data: nothing in it refers back to the buffer it was parsed from.
public struct Point: Sendable, Equatable {
    /// The measurement name, unescaped.
    public var measurement: String
    /// Tags sorted by key, as InfluxDB stores them.
    public var tags: [Tag]
    /// Fields in line order (a repeated key appears twice, as InfluxDB 1.x parses it).
    public var fields: [Field]
    /// Nanoseconds since the Unix epoch.
    public var time: Int64

    /// A point from its parts.
    public init(measurement: String, tags: [Tag] = [], fields: [Field], time: Int64) {
        self.measurement = measurement
        self.tags = tags
        self.fields = fields
        self.time = time
    }

    /// The value of tag `key`, if present.
    public func tag(_ key: String) -> String? {
        for t in tags where t.key == key { return t.value }
        return nil
    }

    /// The value of field `key` (the last one, if repeated), if present.
    public func field(_ key: String) -> FieldValue? {
        var found: FieldValue?
        for f in fields where f.key == key { found = f.value }
        return found
    }
}

/// A tag: key and value, both unescaped.
public struct Tag: Sendable, Equatable, Hashable {
    /// The tag key.
    public var key: String
    /// The tag value.
    public var value: String

    /// A tag `key=value`.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A field: key and typed value.
public struct Field: Sendable, Equatable {
    /// The field key, unescaped.
    public var key: String
    /// The typed value.
    public var value: FieldValue

    /// A field `key=value`.
    public init(key: String, value: FieldValue) {
        self.key = key
        self.value = value
    }
}

/// A field value of one of line protocol's five types.
public enum FieldValue: Sendable, Equatable {
    /// `1.5`, `-3`, `1e6`.
    case float(Double)
    /// `42i`.
    case integer(Int64)
    /// `42u` (InfluxDB 2.x).
    case unsigned(UInt64)
    /// `"text"`.
    case string(String)
    /// `t`, `true`, `F`, `FALSE`, ...
    case boolean(Bool)

    /// The type's name as `alertrelay parse` prints it.
    public var typeName: String {
        switch self {
        case .float: return "float"
        case .integer: return "integer"
        case .unsigned: return "unsigned"
        case .string: return "string"
        case .boolean: return "boolean"
        }
    }
}
