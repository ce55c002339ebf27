/// A rejected line: where it is and why, in InfluxDB's words where InfluxDB has them.
public struct LineProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line the record starts on.
    public var line: Int
    /// 1-based line where the problem was found (differs from `line` inside multi-line strings).
    public var errorLine: Int
    /// 1-based byte column of the problem on `errorLine`.
    public var column: Int
    /// What is wrong, e.g. `missing tag value`, `invalid number`, `unbalanced quotes`.
    public var reason: String

    /// An error at `line`, `column`.
    public init(line: Int, errorLine: Int? = nil, column: Int, reason: String) {
        self.line = line
        self.errorLine = errorLine ?? line
        self.column = column
        self.reason = reason
    }

    /// `line 3, column 17: missing tag value`.
    public var description: String { "line \(errorLine), column \(column): \(reason)" }
}

/// One record of a parsed buffer: an accepted point or a rejected line, each with its line number.
public enum LineProtocolRecord: Sendable, Equatable {
    /// An accepted point and the line it starts on.
    case point(Point, line: Int)
    /// A rejected line.
    case error(LineProtocolError)
}
