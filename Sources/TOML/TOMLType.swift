/// The type of a ``TOMLValue``: TOML 1.0's types, named as Swift's (`int` for TOML's integer,
/// `double` for its float, `bool` for its boolean), and its four date and time types.
public enum TOMLType: Sendable, Hashable, CustomStringConvertible {
    case string, int, double, bool
    case offsetDateTime, localDateTime, localDate, localTime
    case array, table

    /// The type's name as the TOML specification writes it ("integer", "local date-time"), for messages.
    public var description: String {
        switch self {
        case .string: "string"
        case .int: "integer"
        case .double: "float"
        case .bool: "boolean"
        case .offsetDateTime: "offset date-time"
        case .localDateTime: "local date-time"
        case .localDate: "local date"
        case .localTime: "local time"
        case .array: "array"
        case .table: "table"
        }
    }

    /// The name with "a" or "an": "an integer", "a string".
    public var withArticle: String {
        switch self {
        case .int, .array, .offsetDateTime: "an \(description)"
        default: "a \(description)"
        }
    }
}
