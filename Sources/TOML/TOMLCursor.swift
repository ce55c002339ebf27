/// Reads a document's UTF-8 bytes forward, keeping the line and column of where it is so that
/// every key, value and error gets a position without a second pass over the text.
struct TOMLCursor {
    let bytes: [UInt8]
    private(set) var offset = 0
    private(set) var line = 1
    private(set) var column = 1

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var position: TOMLPosition { TOMLPosition(line: line, column: column) }
    var atEnd: Bool { offset >= bytes.count }
    /// The byte here, nil at the end.
    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// The byte `distance` bytes ahead, nil past the end.
    func peek(_ distance: Int) -> UInt8? {
        offset + distance < bytes.count ? bytes[offset + distance] : nil
    }

    /// Moves one byte on. A column is a Unicode scalar: UTF-8 continuation bytes do not count.
    mutating func advance() {
        let b = bytes[offset]
        if b == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
        offset += 1
    }

    mutating func advance(_ count: Int) {
        for _ in 0..<count { advance() }
    }

    /// Whether the bytes here are `prefix` (ASCII).
    func hasPrefix(_ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard offset + n <= bytes.count else { return false }
        let p = prefix.utf8Start
        for i in 0..<n where bytes[offset + i] != p[i] { return false }
        return true
    }

    /// At `\n` or `\r\n` (a lone `\r` is not a newline in TOML).
    var atNewline: Bool {
        guard let b = peek else { return false }
        return b == UInt8(ascii: "\n") || (b == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n"))
    }

    /// Moves past the newline here (call only when ``atNewline``).
    mutating func skipNewline() {
        if peek == UInt8(ascii: "\r") { advance() }
        advance()
    }

    /// Skips spaces and tabs.
    mutating func skipWhitespace() {
        while let b = peek, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { advance() }
    }

    /// Skips spaces, tabs and newlines.
    mutating func skipWhitespaceAndNewlines() {
        while true {
            skipWhitespace()
            guard atNewline else { return }
            skipNewline()
        }
    }

    /// The bytes from `start` to here, as text (the document is valid UTF-8 and both ends are at
    /// ASCII characters, so the slice is too).
    func text(from start: Int) -> String {
        String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// The bytes from `start` to `end`, as text.
    func text(from start: Int, to end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
