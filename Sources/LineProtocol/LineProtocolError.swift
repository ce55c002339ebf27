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
    /// Where the rejected text is in the parsed bytes: from the record's first byte that is not
    /// blank to its end, without the newline (what InfluxDB quotes in `unable to parse '...'`).
    /// Readers make the text from it only when they show it.
    public var span: Range<Int>

    /// An error at `line`, `column`, about the text at `span`.
    public init(line: Int, errorLine: Int? = nil, column: Int, reason: String, span: Range<Int> = 0..<0) {
        self.line = line
        self.errorLine = errorLine ?? line
        self.column = column
        self.reason = reason
        self.span = span
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
