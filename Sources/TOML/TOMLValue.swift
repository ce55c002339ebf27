/// One TOML value with where it starts in the document (nil for a value made in code, such as an
/// environment override).
///
/// ```swift
/// let table = try TOMLTable(parsing: "port = 8089\n")
/// table["port"]?.int        // 8089
/// table["port"]?.position   // 1:8
/// ```
///
/// Two values are equal when their contents are: positions are where a value was read, not part of it.
public struct TOMLValue: Sendable, Equatable {
    // indirect: without it Swift 6.3.1's optimizer (CopyPropagation's ownership verifier) crashes on
    // RelayConfig's decoders in release builds.
    /// What a value holds.
    public indirect enum Content: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// An offset or local date-time (``TOMLDateTime/offsetMinutes`` tells which).
        case dateTime(TOMLDateTime)
        case date(TOMLDate)
        case time(TOMLTime)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    /// The value itself.
    public var content: Content
    /// Where the value's first character is (for a table: its header, or the key or brace that
    /// opened it).
    public var position: TOMLPosition?

    /// A value holding `content`, read at `position`.
    public init(_ content: Content, position: TOMLPosition? = nil) {
        self.content = content
        self.position = position
    }

    /// A table value, at the table's own position.
    public init(_ table: TOMLTable) {
        self.init(.table(table), position: table.position)
    }

    public static func == (a: TOMLValue, b: TOMLValue) -> Bool { a.content == b.content }

    /// The value's TOML type.
    public var type: TOMLType {
        switch content {
        case .string: .string
        case .integer: .int
        case .float: .double
        case .boolean: .bool
        case .dateTime(let d): d.offsetMinutes == nil ? .localDateTime : .offsetDateTime
        case .date: .localDate
        case .time: .localTime
        case .array: .array
        case .table: .table
        }
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let s) = content { return s }
        return nil
    }

    /// The integer, if this is one (TOML integers are 64-bit, as `Int` is here).
    public var int: Int? {
        if case .integer(let n) = content { return Int(exactly: n) }
        return nil
    }

    /// The float, if this is one (an integer is not converted).
    public var double: Double? {
        if case .float(let d) = content { return d }
        return nil
    }

    /// The boolean, if this is one.
    public var bool: Bool? {
        if case .boolean(let b) = content { return b }
        return nil
    }

    /// The elements, if this is an array (an array of tables included).
    public var array: [TOMLValue]? {
        if case .array(let a) = content { return a }
        return nil
    }

    /// The table, if this is one.
    public var table: TOMLTable? {
        if case .table(let t) = content { return t }
        return nil
    }

    /// The date-time, if this is an offset or local date-time.
    public var dateTime: TOMLDateTime? {
        if case .dateTime(let d) = content { return d }
        return nil
    }

    /// The date, if this is a local date.
    public var date: TOMLDate? {
        if case .date(let d) = content { return d }
        return nil
    }

    /// The time, if this is a local time.
    public var time: TOMLTime? {
        if case .time(let t) = content { return t }
        return nil
    }
}
