/// A TOML table: keys in the order the document defines them, each with its value and with where
/// the key was defined, and where the table itself was defined.
///
/// ```swift
/// let root = try TOMLTable(parsing: """
///     [[kafka]]
///       brokers = ["127.0.0.1:9092"]
///     """)
/// let kafka = root["kafka"]?.array?.first?.table
/// kafka?.keyPosition("brokers")   // 2:3
/// ```
///
/// Tables compare equal when they hold the same keys with equal values, in any order.
public struct TOMLTable: Sendable, Equatable {
    /// One key of a table.
    public struct Entry: Sendable {
        public var key: String
        /// Where the key/value pair starts (for a table made by a `[header]`: the header), nil for
        /// a key set in code.
        public var keyPosition: TOMLPosition?
        public var value: TOMLValue
    }

    /// Every entry, in the order defined.
    public private(set) var entries: [Entry] = []
    private var indices: [String: Int] = [:]
    /// Where the table was defined: its `[header]` (or the first header or dotted key that made
    /// it, when it has no header of its own), the `{` of an inline table; nil for the root and
    /// for tables made in code.
    public var position: TOMLPosition?

    /// An empty table, defined at `position`.
    public init(position: TOMLPosition? = nil) {
        self.position = position
    }

    /// Parses a TOML 1.0 document.
    /// - Throws: ``TOMLError`` with the line, column and reason of the first problem.
    public init(parsing text: String) throws(TOMLError) {
        var parser = TOMLParser(text)
        self = try parser.parse()
    }

    /// The keys, in the order defined.
    public var keys: [String] { entries.map(\.key) }

    /// How many keys the table has.
    public var count: Int { entries.count }

    /// Whether the table has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`; setting replaces it in place (the key keeps its position), adds it at
    /// the end, or (nil) removes it.
    public subscript(key: String) -> TOMLValue? {
        get { indices[key].map { entries[$0].value } }
        set {
            if let i = indices[key] {
                if let newValue {
                    entries[i].value = newValue
                } else {
                    entries.remove(at: i)
                    indices = [:]
                    for (j, e) in entries.enumerated() { indices[e.key] = j }
                }
            } else if let newValue {
                append(key, keyPosition: nil, newValue)
            }
        }
    }

    /// Where `key` was defined, if it is in the table and was read from a document.
    public func keyPosition(_ key: String) -> TOMLPosition? {
        indices[key].flatMap { entries[$0].keyPosition }
    }

    /// Adds a key the table does not have (the parser's checks come first).
    mutating func append(_ key: String, keyPosition: TOMLPosition?, _ value: TOMLValue) {
        indices[key] = entries.count
        entries.append(Entry(key: key, keyPosition: keyPosition, value: value))
    }

    public static func == (a: TOMLTable, b: TOMLTable) -> Bool {
        a.entries.count == b.entries.count && a.entries.allSatisfy { b[$0.key] == $0.value }
    }
}
