/// Reads a TOML 1.0 document in one pass: statements, keys, table headers, and TOML's rules for
/// what may not be defined twice. Python's `tomllib` is the reference it is tested against
/// (Tools/toml-oracle); it differs only where TOML lets an implementation set limits: integers are
/// 64-bit, fractional seconds are kept to the nanosecond, and nesting is at most
/// ``maximumDepth`` deep.
///
/// Work is linear in the input: each byte is read once, each key is found by hashing, and
/// nesting (which recursion follows) is bounded.
struct TOMLParser {
    /// Tables, arrays and inline tables nested deeper than this are refused (a configuration needs
    /// a handful; the bound keeps recursion off untrusted input).
    static let maximumDepth = 100

    /// One part of a dotted key, with where it is.
    struct KeyPart {
        var name: String
        var position: TOMLPosition
    }

    var cursor: TOMLCursor
    let root: TOMLTableBuilder
    /// The table the current section's key/value pairs go to.
    var current: TOMLTableBuilder
    /// The current section's header, for messages ("[kafka]", "[[udp]]"; empty at the top).
    var currentHeader = ""
    /// Which section (0: before the first header) the statements are in.
    var section = 0

    init(_ text: String) {
        cursor = TOMLCursor(text)
        root = TOMLTableBuilder(position: TOMLPosition(line: 1, column: 1), depth: 0)
        current = root
    }

    mutating func parse() throws(TOMLError) -> TOMLTable {
        while true {
            cursor.skipWhitespace()
            guard let c = cursor.peek else { break }
            if cursor.atNewline {
                cursor.skipNewline()
                continue
            }
            let what: String
            if Self.startsKey(c) {
                what = try keyValueStatement()
            } else if c == UInt8(ascii: "[") {
                section += 1
                if cursor.peek(1) == UInt8(ascii: "[") { try arrayOfTablesHeader() } else { try tableHeader() }
                what = "the table header " + currentHeader
            } else if c == UInt8(ascii: "#") {
                what = "the comment"
            } else {
                throw error("expected a key, a [table] header or a comment at the start of a line, found \(found())")
            }
            cursor.skipWhitespace()
            try skipComment()
            guard !cursor.atEnd else { break }
            guard cursor.atNewline else {
                throw error("expected the end of the line after \(what), found \(found()) (one key = value or header per line)")
            }
            cursor.skipNewline()
        }
        return root.build()
    }

    // MARK: Statements

    /// `key = value` in the current section; returns what it was, for messages.
    private mutating func keyValueStatement() throws(TOMLError) -> String {
        let start = cursor.position
        let key = try parseKey()
        let value = try keyValueRest(key, depth: current.depth + key.count)
        var table = current
        for i in 0..<(key.count - 1) {
            table = try openForDottedKey(key, i, in: table)
        }
        let stem = key[key.count - 1]
        if let existing = table.slot(stem.name) {
            throw TOMLError(position: start, reason: "\(Self.display(key)) is defined twice\(inSection()) (first at line \(existing.keyPosition.line), column \(existing.keyPosition.column))"
                            + (existing.isTable ? ": it is a table there" : ""))
        }
        table.add(stem.name, keyPosition: start, .value(value))
        return "the value of \(Self.display(key))"
    }

    /// `= value` after a key (in a section or an inline table).
    mutating func keyValueRest(_ key: [KeyPart], depth: Int) throws(TOMLError) -> TOMLValue {
        guard cursor.peek == UInt8(ascii: "=") else {
            throw error("expected '=' after the key \(Self.display(key)), found \(found())")
        }
        cursor.advance()
        cursor.skipWhitespace()
        return try parseValue(depth: depth, after: Self.display(key))
    }

    /// The table part `i` of a dotted key names, made if missing: dotted keys may extend only
    /// tables dotted keys of this same section made or extended.
    private mutating func openForDottedKey(_ key: [KeyPart], _ i: Int, in table: TOMLTableBuilder) throws(TOMLError) -> TOMLTableBuilder {
        let part = key[i]
        let path = Self.display(key[...i])
        guard let slot = table.slot(part.name) else {
            let child = try newTable(at: part.position, in: table)
            child.dottedSection = section
            table.add(part.name, keyPosition: part.position, .table(child))
            return child
        }
        switch slot.entry {
        case .table(let child):
            if child.definedByHeader {
                throw TOMLError(position: part.position, reason: "\(Self.display(key)): dotted keys cannot add to the table \(path), which its header at line \(child.position.line) defines; write the key under that header")
            }
            if let s = child.dottedSection, s != section {
                throw TOMLError(position: part.position, reason: "\(Self.display(key)): the table \(path) was defined by dotted keys in an earlier section (line \(slot.keyPosition.line)); it cannot be extended from here")
            }
            child.dottedSection = section
            return child
        case .tables(let array):
            throw TOMLError(position: part.position, reason: "\(Self.display(key)): \(path) is an array of tables ([[\(path)]] at line \(array.position.line)); dotted keys cannot add to it")
        case .value(let v):
            throw TOMLError(position: part.position, reason: Self.notATable(path, v, slot.keyPosition))
        }
    }

    /// `[a.b.c]`: makes (or, when only implicitly made so far, defines) the table and makes it current.
    private mutating func tableHeader() throws(TOMLError) {
        let start = cursor.position
        cursor.advance()
        cursor.skipWhitespace()
        let key = try parseKey()
        guard cursor.peek == UInt8(ascii: "]") else {
            throw error("expected ']' to close the table header [\(Self.display(key)), found \(found())")
        }
        cursor.advance()
        let name = "[" + Self.display(key) + "]"
        var table = root
        for i in 0..<(key.count - 1) {
            table = try openForHeader(key, i, in: table, at: start)
        }
        let stem = key[key.count - 1]
        if let slot = table.slot(stem.name) {
            switch slot.entry {
            case .table(let child):
                if child.definedByHeader {
                    throw TOMLError(position: start, reason: "table \(name) is defined twice (first at line \(child.position.line))")
                }
                if child.dottedSection != nil {
                    throw TOMLError(position: start, reason: "table \(name) was already defined by dotted keys at line \(slot.keyPosition.line) (\(Self.display(key)).… = …); add its keys there, or give a sub-table its own header")
                }
                child.definedByHeader = true
                child.position = start
                table = child
            case .tables(let array):
                throw TOMLError(position: start, reason: "\(Self.display(key)) is an array of tables (first [[\(Self.display(key))]] at line \(array.position.line)): write [[\(Self.display(key))]] for another element")
            case .value(let v):
                throw TOMLError(position: start, reason: Self.notATable(Self.display(key), v, slot.keyPosition))
            }
        } else {
            let child = try newTable(at: start, in: table)
            child.definedByHeader = true
            table.add(stem.name, keyPosition: start, .table(child))
            table = child
        }
        current = table
        currentHeader = name
    }

    /// `[[a.b]]`: appends a table to the array (made if missing) and makes it current.
    private mutating func arrayOfTablesHeader() throws(TOMLError) {
        let start = cursor.position
        cursor.advance(2)
        cursor.skipWhitespace()
        let key = try parseKey()
        guard cursor.hasPrefix("]]") else {
            throw error("expected ']]' to close the array of tables header [[\(Self.display(key)), found \(found())")
        }
        cursor.advance(2)
        var table = root
        for i in 0..<(key.count - 1) {
            table = try openForHeader(key, i, in: table, at: start)
        }
        let stem = key[key.count - 1]
        let element: TOMLTableBuilder
        if let slot = table.slot(stem.name) {
            switch slot.entry {
            case .tables(let array):
                element = try newTable(at: start, in: table)
                array.elements.append(element)
            case .table(let child):
                throw TOMLError(position: start, reason: "[[\(Self.display(key))]]: \(Self.display(key)) is already a table (line \(child.position.line)), not an array of tables")
            case .value(let v):
                throw TOMLError(position: start, reason: "[[\(Self.display(key))]]: " + Self.notATable(Self.display(key), v, slot.keyPosition))
            }
        } else {
            element = try newTable(at: start, in: table)
            table.add(stem.name, keyPosition: start, .tables(TOMLTableBuilder.ArrayOfTables(element, position: start)))
        }
        element.definedByHeader = true
        current = element
        currentHeader = "[[" + Self.display(key) + "]]"
    }

    /// A header's way through part `i`: into tables (the last element of an array of tables),
    /// making missing ones implicitly.
    private func openForHeader(_ key: [KeyPart], _ i: Int, in table: TOMLTableBuilder, at start: TOMLPosition) throws(TOMLError) -> TOMLTableBuilder {
        let part = key[i]
        guard let slot = table.slot(part.name) else {
            let child = try newTable(at: start, in: table)
            table.add(part.name, keyPosition: start, .table(child))
            return child
        }
        switch slot.entry {
        case .table(let child): return child
        case .tables(let array): return array.elements[array.elements.count - 1]
        case .value(let v): throw TOMLError(position: part.position, reason: Self.notATable(Self.display(key[...i]), v, slot.keyPosition))
        }
    }

    func newTable(at position: TOMLPosition, in parent: TOMLTableBuilder) throws(TOMLError) -> TOMLTableBuilder {
        guard parent.depth < Self.maximumDepth else {
            throw TOMLError(position: position, reason: "tables nested more than \(Self.maximumDepth) deep")
        }
        return TOMLTableBuilder(position: position, depth: parent.depth + 1)
    }

    /// Why `path` (holding `v`, defined at `at`) cannot be opened as a table.
    static func notATable(_ path: String, _ v: TOMLValue, _ at: TOMLPosition) -> String {
        switch v.type {
        case .table: "\(path) is an inline table (line \(at.line), column \(at.column)), complete as written: nothing can be added to it"
        case .array: "\(path) is an array (line \(at.line), column \(at.column)), complete as written: it cannot be extended with tables"
        default: "\(path) is already \(v.type.withArticle) (line \(at.line), column \(at.column)), not a table"
        }
    }

    private func inSection() -> String {
        currentHeader.isEmpty ? "" : " in \(currentHeader)"
    }

    // MARK: Keys

    static func startsKey(_ c: UInt8) -> Bool {
        isBareKeyByte(c) || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")
    }

    static func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
    }

    /// A key, dotted or not, and the spaces after it.
    mutating func parseKey() throws(TOMLError) -> [KeyPart] {
        var parts = [try parseKeyPart()]
        cursor.skipWhitespace()
        while cursor.peek == UInt8(ascii: ".") {
            cursor.advance()
            cursor.skipWhitespace()
            parts.append(try parseKeyPart())
            cursor.skipWhitespace()
        }
        return parts
    }

    private mutating func parseKeyPart() throws(TOMLError) -> KeyPart {
        let position = cursor.position
        guard let c = cursor.peek else { throw error("expected a key, found the end of the file") }
        if Self.isBareKeyByte(c) {
            let start = cursor.offset
            while let b = cursor.peek, Self.isBareKeyByte(b) { cursor.advance() }
            return KeyPart(name: cursor.text(from: start), position: position)
        }
        if c == UInt8(ascii: "\"") { return KeyPart(name: try basicString(), position: position) }
        if c == UInt8(ascii: "'") { return KeyPart(name: try literalString(), position: position) }
        throw error("expected a key: bare (letters, digits, '-', '_') or quoted, found \(found())")
    }

    /// A key as written in messages: `a.b."c d"`.
    static func display(_ key: some Collection<KeyPart>) -> String {
        key.map { part in
            !part.name.isEmpty && part.name.utf8.allSatisfy(isBareKeyByte) ? part.name : quoted(part.name)
        }.joined(separator: ".")
    }

    /// `s` as a TOML basic string, control characters escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{00}"..."\u{1F}", "\u{7F}": out += "\\u" + hex(Int(scalar.value), digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func hex(_ n: Int, digits: Int) -> String {
        let s = String(n, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    // MARK: Comments and errors

    /// A `#` comment to the end of the line (control characters other than tab are not allowed).
    mutating func skipComment() throws(TOMLError) {
        guard cursor.peek == UInt8(ascii: "#") else { return }
        while let b = cursor.peek, !cursor.atNewline {
            if Self.isControl(b, allowingNewline: false) {
                throw error("control character \(Self.describe(byte: b)) in a comment (only tab is allowed)")
            }
            cursor.advance()
        }
    }

    /// ASCII control characters other than tab (and newline, when allowed) are not allowed in
    /// strings and comments.
    static func isControl(_ b: UInt8, allowingNewline: Bool) -> Bool {
        (b < 0x20 && b != UInt8(ascii: "\t") && !(allowingNewline && b == UInt8(ascii: "\n"))) || b == 0x7F
    }

    /// An error at the cursor.
    func error(_ reason: String) -> TOMLError {
        TOMLError(position: cursor.position, reason: reason)
    }

    /// What is at the cursor, for messages: `'x'`, `the end of the line`, `the end of the file`.
    func found() -> String {
        guard let b = cursor.peek else { return "the end of the file" }
        if cursor.atNewline { return "the end of the line" }
        if b >= 0x80 {
            // The whole character, not its first byte.
            var end = cursor.offset + 1
            while end < cursor.bytes.count, cursor.bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'" + String(decoding: cursor.bytes[cursor.offset..<end], as: UTF8.self) + "'"
        }
        return Self.describe(byte: b)
    }

    static func describe(byte b: UInt8) -> String {
        if b < 0x20 || b == 0x7F { return "U+" + hex(Int(b), digits: 4) }
        return "'" + String(UnicodeScalar(b)) + "'"
    }
}

extension TOMLTableBuilder.Slot {
    var isTable: Bool {
        switch entry {
        case .value(let v): v.type == .table
        case .table, .tables: true
        }
    }
}
