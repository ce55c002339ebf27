/// One accepted line of InfluxDB line protocol: measurement, tags, fields and time.
///
/// A `Point` owns its data in one immutable buffer (``PointStorage``): the unescaped text of its
/// measurement, tag keys and values, field keys and string values (valid UTF-8), an entry per tag
/// and per field, and every number already decoded. Nothing refers back to the bytes it was parsed
/// from. Parsing a line makes one allocation instead of a `String` per name and two arrays;
/// `String`s are made when asked for (``measurement``, ``tags``, ``fields``, ``tag(_:)``), and the
/// `withUTF8` accessors read names in place.
public struct Point: Sendable, Equatable {
    /// Keeps the buffer alive; shared by copies of the point, never mutated while shared (a `var`
    /// only so that ``PointBuilder`` can ask whether a retired point is its buffer's last holder).
    @usableFromInline var shared: SharedPointStorage
    /// Reads the buffer (no reference counting).
    @usableFromInline let layout: PointLayout
    /// Nanoseconds since the Unix epoch.
    public var time: Int64

    init(shared: SharedPointStorage, layout: PointLayout, time: Int64) {
        self.shared = shared
        self.layout = layout
        self.time = time
    }

    /// A point from its parts.
    public init(measurement: String, tags: [Tag] = [], fields: [Field], time: Int64) {
        self = PointBuilder.point(measurement: measurement, tags: tags, fields: fields, time: time)
    }

    /// The measurement name, unescaped.
    public var measurement: String {
        @inlinable get { layout.string(layout.measurementRange) }
        set { self = Point(measurement: newValue, tags: Array(tags), fields: Array(fields), time: time) }
    }

    /// Tags sorted by key, as InfluxDB stores them.
    public var tags: Tags {
        @inlinable get { Tags(shared: shared, layout: layout) }
        set { self = Point(measurement: measurement, tags: Array(newValue), fields: Array(fields), time: time) }
    }

    /// Fields in line order (a repeated key appears twice, as InfluxDB 1.x parses it).
    public var fields: Fields {
        @inlinable get { Fields(shared: shared, layout: layout) }
        set { self = Point(measurement: measurement, tags: Array(tags), fields: Array(newValue), time: time) }
    }

    /// The value of tag `key`, if present. Always inlined, so reading a point in place
    /// (`pointer.pointee.tag(k)`) copies nothing: a call that is not inlined would get a copy of
    /// the point, a retain and a release of its buffer.
    @inlinable @inline(__always)
    public func tag(_ key: String) -> String? {
        guard let i = layout.tagIndex(key) else { return nil }
        return layout.string(layout.tagValueRange(i))
    }

    /// The value of field `key` (the last one, if repeated), if present. Always inlined (see
    /// ``tag(_:)``).
    @inlinable @inline(__always)
    public func field(_ key: String) -> FieldValue? {
        guard let i = layout.lastFieldIndex(key) else { return nil }
        return layout.fieldValue(i)
    }

    /// Calls `body` with the measurement's UTF-8 bytes, in place (valid during the call: `self`,
    /// which holds the buffer, lives until the method returns).
    @inlinable
    public func withMeasurementUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(layout.bytes(layout.measurementRange))
    }

    /// Calls `body` with tag `i`'s key and value as UTF-8 bytes, in place; `i` must be in
    /// `tags.indices` (checked: an index past the tags traps instead of reading other memory).
    @inlinable
    public func withTagUTF8<R>(_ i: Int, _ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < layout.tagCount, "tag index \(i) out of range 0..<\(layout.tagCount)")
        return try body(layout.bytes(layout.tagKeyRange(i)), layout.bytes(layout.tagValueRange(i)))
    }

    /// The measurement's first eight UTF-8 bytes as a little-endian word, zero past its end; with
    /// ``measurementLength`` it tells measurements of up to eight bytes apart without reading the
    /// point's buffer (the rule index skips points of other measurements this way).
    @inlinable public var measurementPrefix: UInt64 { layout.measurementPrefix }

    /// The measurement's length in UTF-8 bytes.
    @inlinable public var measurementLength: Int { Int(layout.measurementLength32) }

    /// ``measurementPrefix`` of a name given as UTF-8.
    @inlinable
    public static func prefix(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for k in 0..<min(utf8.count, 8) { word |= UInt64(utf8[k]) << UInt64(8 * k) }
        return word
    }

    /// The number of tags (as `tags.count`, without making the view).
    @inlinable public var tagCount: Int { layout.tagCount }

    /// The number of fields (as `fields.count`, without making the view).
    @inlinable public var fieldCount: Int { layout.fieldCount }

    /// The index of tag `key` in ``tags``, if present (compared as UTF-8, no `String` made).
    @inlinable
    public func tagIndex(_ key: String) -> Int? { layout.tagIndex(key) }

    public static func == (a: Point, b: Point) -> Bool {
        a.time == b.time && (a.layout.entries == b.layout.entries || a.layout.sameContent(as: b.layout))
    }

    /// The tags of a point, sorted by key; each ``Tag`` is made when read.
    public struct Tags: RandomAccessCollection, Sendable, Equatable {
        @usableFromInline let shared: SharedPointStorage
        @usableFromInline let layout: PointLayout
        @inlinable init(shared: SharedPointStorage, layout: PointLayout) {
            self.shared = shared
            self.layout = layout
        }
        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { layout.tagCount }
        /// Tag `i` (checked: an index past the tags traps instead of reading other memory).
        @inlinable public subscript(i: Int) -> Tag {
            precondition(i >= 0 && i < layout.tagCount, "tag index \(i) out of range 0..<\(layout.tagCount)")
            return Tag(key: layout.string(layout.tagKeyRange(i)), value: layout.string(layout.tagValueRange(i)))
        }
        public static func == (a: Tags, b: Tags) -> Bool { a.elementsEqual(b) }
        /// Compares with an array of tags, e.g. `point.tags == [Tag(key: "host", value: "a")]`.
        public static func == (a: Tags, b: [Tag]) -> Bool { a.elementsEqual(b) }
    }

    /// The fields of a point in line order; each ``Field`` is made when read.
    public struct Fields: RandomAccessCollection, Sendable, Equatable {
        @usableFromInline let shared: SharedPointStorage
        @usableFromInline let layout: PointLayout
        @inlinable init(shared: SharedPointStorage, layout: PointLayout) {
            self.shared = shared
            self.layout = layout
        }
        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { layout.fieldCount }
        /// Field `i` (checked: an index past the fields traps instead of reading other memory).
        @inlinable public subscript(i: Int) -> Field {
            precondition(i >= 0 && i < layout.fieldCount, "field index \(i) out of range 0..<\(layout.fieldCount)")
            return Field(key: layout.string(layout.fieldKeyRange(i)), value: layout.fieldValue(i))
        }
        public static func == (a: Fields, b: Fields) -> Bool { a.elementsEqual(b) }
        /// Compares with an array of fields.
        public static func == (a: Fields, b: [Field]) -> Bool { a.elementsEqual(b) }
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

extension Point: CustomStringConvertible {
    /// `Point(measurement: "cpu", tags: [host=a], fields: [usage_idle=float(97.5)], time: 1700000000000000000)`.
    public var description: String {
        "Point(measurement: \(String(reflecting: measurement)), tags: [\(tags.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))], "
            + "fields: [\(fields.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))], time: \(time))"
    }
}
