/// One problem found in a configuration file, with where it is.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file's path as given.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// What is wrong and what to do.
    public var message: String
    /// The `[[kafka]]` section it is about (0-based), for the decoder's own bookkeeping.
    var kafkaSection: Int?

    /// A problem at `file:line:column`.
    public init(file: String, line: Int?, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// By line, then column (a problem without a place first); stable otherwise.
    public static func inFileOrder(_ a: ConfigProblem, _ b: ConfigProblem) -> Bool {
        ((a.line ?? 0), (a.column ?? 0)) < ((b.line ?? 0), (b.column ?? 0))
    }

    /// `file:line:column: message`, as compilers print it.
    public static func == (a: ConfigProblem, b: ConfigProblem) -> Bool {
        a.file == b.file && a.line == b.line && a.column == b.column && a.message == b.message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        return s + ": " + message
    }
}

/// A configuration that cannot be used; lists every problem found, in file order.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every problem, in order.
    public var problems: [ConfigProblem]

    /// An error made of `problems`.
    public init(problems: [ConfigProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
