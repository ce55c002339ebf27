/// Values: what follows `=`, array elements, inline tables.
extension TOMLParser {
    /// A value at the cursor, nested `depth` deep; `after` names what it is the value of, for messages.
    mutating func parseValue(depth: Int, after: String) throws(TOMLError) -> TOMLValue {
        let position = cursor.position
        let startOffset = cursor.offset
        guard let c = cursor.peek else {
            throw error("expected a value for \(after), found the end of the file")
        }
        switch c {
        case UInt8(ascii: "\""):
            let s = cursor.hasPrefix("\"\"\"") ? try multilineString(basic: true) : try basicString()
            return TOMLValue(.string(s), position: position)
        case UInt8(ascii: "'"):
            let s = cursor.hasPrefix("'''") ? try multilineString(basic: false) : try literalString()
            return TOMLValue(.string(s), position: position)
        case UInt8(ascii: "["):
            return try array(depth: depth)
        case UInt8(ascii: "{"):
            return try inlineTable(depth: depth)
        default:
            break
        }
        let content: TOMLValue.Content
        if cursor.hasPrefix("true") {
            cursor.advance(4)
            content = .boolean(true)
        } else if cursor.hasPrefix("false") {
            cursor.advance(5)
            content = .boolean(false)
        } else if let dateOrTime = try scanDateOrTime(after: after) {
            content = dateOrTime
        } else if let number = try scanNumber(after: after) {
            content = number
        } else {
            throw TOMLError(position: position, reason: invalidValue(after: after, from: startOffset))
        }
        // A scalar ends where a statement, array element or inline table entry can: what follows
        // directly ("0123", "1979-05-27T25:00:00", "truex") makes the whole word invalid.
        if let b = cursor.peek, !Self.endsScalar(b) {
            throw TOMLError(position: position, reason: invalidValue(after: after, from: startOffset))
        }
        return TOMLValue(content, position: position)
    }

    /// Space, end of line, comment, or the separators and closers of arrays and inline tables.
    static func endsScalar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"),
             UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): true
        default: false
        }
    }

    /// Why the word starting at byte `from` is not a value.
    private func invalidValue(after: String, from start: Int) -> String {
        let bytes = cursor.bytes
        var end = start
        while end < bytes.count, end - start < 40, !Self.endsScalar(bytes[end]) { end += 1 }
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let word = Array(bytes[start..<end])
        let shown = word.isEmpty ? found() : TOMLParser.quoted(String(decoding: word, as: UTF8.self))
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if word.count >= 5, word[0..<4].allSatisfy(isDigit), word[4] == UInt8(ascii: "-") {
            return "\(after): \(shown) is not a valid date or date-time (YYYY-MM-DD, a real day; with a time: YYYY-MM-DDTHH:MM:SS[.fraction][Z or ±HH:MM])"
        }
        if word.count >= 3, isDigit(word[0]), isDigit(word[1]), word[2] == UInt8(ascii: ":") {
            return "\(after): \(shown) is not a valid time (HH:MM:SS[.fraction], 00:00:00 to 23:59:59)"
        }
        if let first = word.first, isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".") {
            return "\(after): \(shown) is not a valid number (integers: 42, -17, 1_000, 0xff, 0o17, 0b101, no leading zeros; floats: 3.14, -0.5, 6.02e23, inf, nan)"
        }
        return "expected a value for \(after), found \(shown) (a string is quoted: \"…\"; booleans are true and false)"
    }

    /// `[ v, v, … ]`: newlines and comments allowed between elements, a trailing comma too.
    private mutating func array(depth: Int) throws(TOMLError) -> TOMLValue {
        let open = cursor.position
        guard depth <= Self.maximumDepth else {
            throw TOMLError(position: open, reason: "arrays and tables nested more than \(Self.maximumDepth) deep")
        }
        cursor.advance()
        var elements: [TOMLValue] = []
        try skipArraySpace()
        while cursor.peek != UInt8(ascii: "]") {
            elements.append(try parseValue(depth: depth + 1, after: "element \(elements.count + 1) of the array at \(open)"))
            try skipArraySpace()
            if cursor.peek == UInt8(ascii: "]") { break }
            guard cursor.peek == UInt8(ascii: ",") else {
                if cursor.atEnd {
                    throw TOMLError(position: open, reason: "the array opened here is not closed: expected ',' or ']' before the end of the file")
                }
                throw error("expected ',' or ']' after element \(elements.count) of the array opened at \(open), found \(found())")
            }
            cursor.advance()
            try skipArraySpace()
        }
        cursor.advance()
        return TOMLValue(.array(elements), position: open)
    }

    private mutating func skipArraySpace() throws(TOMLError) {
        while true {
            cursor.skipWhitespaceAndNewlines()
            guard cursor.peek == UInt8(ascii: "#") else { return }
            try skipComment()
        }
    }

    /// `{ k = v, … }` on one line, no trailing comma; complete once closed.
    private mutating func inlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        let open = cursor.position
        guard depth <= Self.maximumDepth else {
            throw TOMLError(position: open, reason: "arrays and tables nested more than \(Self.maximumDepth) deep")
        }
        cursor.advance()
        let table = TOMLTableBuilder(position: open, depth: depth)
        cursor.skipWhitespace()
        if cursor.peek == UInt8(ascii: "}") {
            cursor.advance()
            return TOMLValue(table.build())
        }
        while true {
            let start = cursor.position
            guard cursor.peek.map(Self.startsKey) == true else {
                if cursor.atNewline || cursor.atEnd {
                    throw error("the inline table opened at \(open) must end on its line (expected a key, found \(found()))")
                }
                throw error("expected a key in the inline table opened at \(open), found \(found())\(cursor.peek == UInt8(ascii: "}") ? " (no comma after the last entry)" : "")")
            }
            let key = try parseKey()
            let value = try keyValueRest(key, depth: depth + key.count)
            var t = table
            for i in 0..<(key.count - 1) {
                let part = key[i]
                if let slot = t.slot(part.name) {
                    guard case .table(let child) = slot.entry else {
                        if case .value(let v) = slot.entry {
                            throw TOMLError(position: part.position, reason: Self.notATable(Self.display(key[...i]), v, slot.keyPosition))
                        }
                        throw TOMLError(position: part.position, reason: "\(Self.display(key[...i])) is not a table")
                    }
                    t = child
                } else {
                    let child = try newTable(at: part.position, in: t)
                    t.add(part.name, keyPosition: part.position, .table(child))
                    t = child
                }
            }
            let stem = key[key.count - 1]
            if let existing = t.slot(stem.name) {
                throw TOMLError(position: start, reason: "\(Self.display(key)) is defined twice in the inline table opened at \(open) (first at column \(existing.keyPosition.column))")
            }
            t.add(stem.name, keyPosition: start, .value(value))
            cursor.skipWhitespace()
            if cursor.peek == UInt8(ascii: "}") {
                cursor.advance()
                return TOMLValue(table.build())
            }
            guard cursor.peek == UInt8(ascii: ",") else {
                if cursor.atNewline || cursor.atEnd {
                    throw error("the inline table opened at \(open) must end on its line: expected ',' or '}', found \(found())")
                }
                throw error("expected ',' or '}' in the inline table opened at \(open), found \(found())")
            }
            cursor.advance()
            cursor.skipWhitespace()
        }
    }
}
