/// Finds the line and column of a table header or key in TOML source text, so validation errors
/// found after parsing (TOMLKit keeps no positions on values) can still name a place.
struct TOMLLocator {
    /// A 1-based line and column.
    struct Position: Equatable {
        var line: Int
        var column: Int
    }

    private struct Section {
        var path: String      // "kafka", "kafka.librdkafka", "http"
        var arrayIndex: Int   // which [[path]] element (0 for plain tables)
        var header: Position
        var keys: [String: Position] = [:]
    }

    private var sections: [Section] = []

    /// Indexes `source` once.
    init(source: String) {
        var arrayCounts: [String: Int] = [:]
        var current = Section(path: "", arrayIndex: 0, header: Position(line: 1, column: 1))
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            let column = rawLine.distance(from: rawLine.startIndex, to: line.startIndex) + 1
            let here = Position(line: lineNumber, column: column)
            if line.hasPrefix("[[") {
                sections.append(current)
                let name = Self.headerName(line.dropFirst(2))
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                current = Section(path: name, arrayIndex: index, header: here)
            } else if line.hasPrefix("[") {
                sections.append(current)
                let name = Self.headerName(line.dropFirst())
                // A sub-table of an array element ([kafka.librdkafka]) belongs to the latest element.
                let parent = name.split(separator: ".").first.map(String.init) ?? name
                let index = name.contains("." as Character) ? max(0, arrayCounts[parent, default: 1] - 1) : 0
                current = Section(path: name, arrayIndex: index, header: here)
            } else if let key = Self.keyName(line), current.keys[key] == nil {
                current.keys[key] = here
            }
        }
        sections.append(current)
    }

    /// The line of `key` in the `index`-th `[[table]]` (or `[table]`), else the header's line.
    func line(table: String, index: Int = 0, key: String? = nil) -> Int? {
        position(table: table, index: index, key: key)?.line
    }

    /// Where `key` is in the `index`-th `[[table]]` (or `[table]`), else where its header is.
    func position(table: String, index: Int = 0, key: String? = nil) -> Position? {
        let candidates = sections.filter { $0.path == table && $0.arrayIndex == index }
        if let key {
            for section in candidates {
                if let p = section.keys[key] { return p }
            }
            // `librdkafka.foo` lives in the [table.librdkafka] sub-table.
            if let dot = key.firstIndex(of: ".") {
                let sub = table + "." + key[..<dot]
                let rest = String(key[key.index(after: dot)...])
                if let p = position(table: sub, index: index, key: rest) { return p }
            }
        }
        return candidates.first?.header
    }

    /// Where the first sub-table of `table` is (`[static.labels]` for `static`), for a table
    /// that has no header of its own.
    func position(subTablesOf table: String) -> Position? {
        sections.first { $0.path.hasPrefix(table + ".") }?.header
    }

    /// How many `[[table]]` / `[table]` headers name `table` (its sub-tables not counted).
    func headerCount(_ table: String) -> Int {
        sections.filter { $0.path == table }.count
    }

    private static func headerName(_ s: Substring) -> String {
        let end = s.firstIndex(of: "]") ?? s.endIndex
        return s[..<end].split(separator: ".").map { $0.trimmingSpaces().trimmingQuotes() }.joined(separator: ".")
    }

    private static func keyName(_ line: Substring) -> String? {
        guard let first = line.first, first != "#", let eq = line.firstIndex(of: "=") else { return nil }
        let key = line[..<eq].trimmingSpaces()
        guard !key.isEmpty else { return nil }
        if key.first == "\"" || key.first == "'" { return key.trimmingQuotes() }
        guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else { return nil }
        return key
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }

    func trimmingQuotes() -> String {
        if count >= 2, let f = first, let l = last, f == l, f == "\"" || f == "'" {
            return String(dropFirst().dropLast())
        }
        return String(self)
    }
}
