import TOML

/// Finds where a section or option of the configuration was defined, for problems found after
/// parsing: every key, value and table of the parsed document carries its line and column, and
/// this looks them up by the names the decoders use (`kafka`, index 2, `librdkafka.linger.ms`).
struct TOMLLocator {
    /// A 1-based line and column.
    typealias Position = TOMLPosition

    let root: TOMLTable

    /// Looks up positions in `root` (environment overrides applied: a key they replaced keeps
    /// its place in the file; one they added has none, and its table's place is used).
    init(root: TOMLTable) {
        self.root = root
    }

    /// The line of `key` in the `index`-th `[[table]]` (or `[table]`), else the table's line.
    func line(table: String, index: Int = 0, key: String? = nil) -> Int? {
        position(table: table, index: index, key: key)?.line
    }

    /// Where `key` is in the `index`-th `[[table]]` (or `[table]`; "" is the top level), else where
    /// the table is (its header, or where it was first named), else where its name is defined.
    /// `table` may be dotted (`kafka.librdkafka`: the sub-table of the `index`-th `[[kafka]]`),
    /// and so may `key` (`librdkafka.linger.ms`: the option `linger.ms` of that sub-table).
    func position(table: String, index: Int = 0, key: String? = nil) -> Position? {
        guard let (t, place) = resolve(table, index) else { return nil }
        if let key, let p = Self.keyPosition(key, in: t) { return p }
        return t.position ?? place
    }

    /// Where the first sub-table of `table` is (`[static.labels]` for `static`).
    func position(subTablesOf table: String) -> Position? {
        guard let (t, _) = resolve(table, 0) else { return nil }
        return t.entries.compactMap { $0.value.type == .table ? $0.value.position : nil }.min()
    }

    /// The table a dotted section path names, and where its name is defined (for a value that is
    /// not a table: `http = 1` has no table, but a place).
    private func resolve(_ path: String, _ index: Int) -> (TOMLTable, Position?)? {
        if path.isEmpty { return (root, nil) }
        var table = root
        var place: Position?
        for (i, name) in path.split(separator: ".").enumerated() {
            let name = String(name)
            guard let value = table[name] else { return nil }
            place = table.keyPosition(name) ?? value.position
            if let t = value.table {
                table = t
            } else if let elements = value.array, !elements.isEmpty {
                // The `index`-th `[[section]]`; a sub-table of an array element is in the same element.
                let element = i == 0 ? min(max(index, 0), elements.count - 1) : elements.count - 1
                guard let t = elements[element].table else { return (TOMLTable(position: place), place) }
                table = t
                place = elements[element].position ?? place
            } else {
                return (TOMLTable(position: place), place)
            }
        }
        return (table, place)
    }

    /// `key` in `table`, or (when dotted and not a key itself) in its sub-tables.
    private static func keyPosition(_ key: String, in table: TOMLTable) -> Position? {
        if let p = table.keyPosition(key) { return p }
        guard let dot = key.firstIndex(of: "."), let sub = table[String(key[..<dot])]?.table else { return nil }
        return keyPosition(String(key[key.index(after: dot)...]), in: sub)
    }
}
