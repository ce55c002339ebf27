/// Finds the line of a table header or key in TOML source text, so validation errors found
/// after parsing (TOMLKit keeps no positions on values) can still name a line.
struct TOMLLocator {
    private struct Section {
        var path: String      // "kafka", "kafka.librdkafka", "http"
        var arrayIndex: Int   // which [[path]] element (0 for plain tables)
        var headerLine: Int
        var keys: [String: Int] = [:]
    }

    private var sections: [Section] = []

    /// Indexes `source` once.
    init(source: String) {
        var arrayCounts: [String: Int] = [:]
        var current = Section(path: "", arrayIndex: 0, headerLine: 1)
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[[") {
                sections.append(current)
                let name = Self.headerName(line.dropFirst(2))
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                current = Section(path: name, arrayIndex: index, headerLine: lineNumber)
            } else if line.hasPrefix("[") {
                sections.append(current)
                let name = Self.headerName(line.dropFirst())
                // A sub-table of an array element ([kafka.librdkafka]) belongs to the latest element.
                let parent = name.split(separator: ".").first.map(String.init) ?? name
                let index = name.contains(".") ? max(0, arrayCounts[parent, default: 1] - 1) : 0
                current = Section(path: name, arrayIndex: index, headerLine: lineNumber)
            } else if let key = Self.keyName(line), current.keys[key] == nil {
                current.keys[key] = lineNumber
            }
        }
        sections.append(current)
    }

    /// The line of `key` in the `index`-th `[[table]]` (or `[table]`), else the header's line.
    func line(table: String, index: Int = 0, key: String? = nil) -> Int? {
        let candidates = sections.filter { $0.path == table && $0.arrayIndex == index }
        if let key {
            for section in candidates {
                if let l = section.keys[key] { return l }
            }
            // `librdkafka.foo` lives in the [table.librdkafka] sub-table.
            if let dot = key.firstIndex(of: ".") {
                let sub = table + "." + key[..<dot]
                let rest = String(key[key.index(after: dot)...])
                if let l = line(table: sub, index: index, key: rest) { return l }
            }
        }
        return candidates.first?.headerLine
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
