/// The kinds of lexical items, as Go's text/template/parse names them.
enum ItemType: Int, Sendable {
    case error, bool, char, charConstant, comment, complex, assign, declare, eof, field, identifier
    case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text, variable
    // Keywords (after `keyword` in Go's list).
    case block, breakKeyword, continueKeyword, dot, define, elseKeyword, end, ifKeyword, nilKeyword, range, template, with

    var isKeyword: Bool { rawValue >= ItemType.block.rawValue }
}

/// One lexical item: its type, byte position, text and line.
struct Item: Sendable, Equatable {
    var type: ItemType
    var pos: Int
    var value: String
    var line: Int

    /// Go's `item.String()`, used in parse errors ("unexpected <end> in ...").
    var description: String {
        switch type {
        case .eof: return "EOF"
        case .error: return value
        default:
            if type.isKeyword { return "<\(value)>" }
            let scalars = Array(value.unicodeScalars)
            if scalars.count > 10 { return GoQuote.quote(String(String.UnicodeScalarView(scalars.prefix(10)))) + "..." }
            return GoQuote.quote(value)
        }
    }
}

/// Go's text/template lexer: the same items, positions and error texts.
struct Lexer {
    let input: [UInt8]
    let leftDelim: [UInt8]
    let rightDelim: [UInt8]
    let emitComment: Bool
    let breakOK: Bool
    let continueOK: Bool

    private var pos = 0
    private var start = 0
    private var atEOF = false
    private var parenDepth = 0
    private var line = 1
    private var startLine = 1
    private(set) var items: [Item] = []

    static let keywords: [String: ItemType] = [
        ".": .dot, "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define,
        "else": .elseKeyword, "end": .end, "if": .ifKeyword, "range": .range, "nil": .nilKeyword,
        "template": .template, "with": .with,
    ]

    init(input: String, leftDelim: String, rightDelim: String, emitComment: Bool = false, breakOK: Bool = true, continueOK: Bool = true) {
        self.input = Array(input.utf8)
        self.leftDelim = Array((leftDelim.isEmpty ? "{{" : leftDelim).utf8)
        self.rightDelim = Array((rightDelim.isEmpty ? "}}" : rightDelim).utf8)
        self.emitComment = emitComment
        self.breakOK = breakOK
        self.continueOK = continueOK
    }

    /// Lexes the whole input; the last item is EOF or an error.
    static func lex(_ input: String, leftDelim: String = "", rightDelim: String = "", emitComment: Bool = false,
                    breakOK: Bool = true, continueOK: Bool = true) -> [Item] {
        var l = Lexer(input: input, leftDelim: leftDelim, rightDelim: rightDelim, emitComment: emitComment,
                      breakOK: breakOK, continueOK: continueOK)
        l.run()
        return l.items
    }

    private enum State { case text, leftDelim, comment, rightDelim, insideAction, space, identifier, field, variable, char, number, quote, rawQuote }

    mutating func run() {
        var state: State? = .text
        while let s = state {
            switch s {
            case .text: state = lexText()
            case .leftDelim: state = lexLeftDelim()
            case .comment: state = lexComment()
            case .rightDelim: state = lexRightDelim()
            case .insideAction: state = lexInsideAction()
            case .space: state = lexSpace()
            case .identifier: state = lexIdentifier()
            case .field: state = lexFieldOrVariable(.field)
            case .variable: state = lexVariable()
            case .char: state = lexChar()
            case .number: state = lexNumber()
            case .quote: state = lexQuote()
            case .rawQuote: state = lexRawQuote()
            }
        }
    }

    // MARK: Runes

    static let eofRune: Unicode.Scalar? = nil

    /// The next rune (nil at EOF), advancing; invalid UTF-8 decodes as U+FFFD of width 1.
    private mutating func next() -> Unicode.Scalar? {
        if pos >= input.count {
            atEOF = true
            return nil
        }
        let (r, w) = Self.decode(input, pos)
        pos += w
        if r == "\n" { line += 1 }
        return r
    }

    private mutating func peek() -> Unicode.Scalar? {
        let r = next()
        backup()
        return r
    }

    private mutating func backup() {
        if !atEOF && pos > 0 {
            let (r, w) = Self.decodeLast(input, pos)
            pos -= w
            if r == "\n" { line -= 1 }
        }
    }

    static func decode(_ b: [UInt8], _ i: Int) -> (Unicode.Scalar, Int) {
        let c0 = b[i]
        if c0 < 0x80 { return (Unicode.Scalar(c0), 1) }
        var need = 0
        var value: UInt32 = 0
        if c0 & 0xE0 == 0xC0 { need = 1; value = UInt32(c0 & 0x1F) }
        else if c0 & 0xF0 == 0xE0 { need = 2; value = UInt32(c0 & 0x0F) }
        else if c0 & 0xF8 == 0xF0 { need = 3; value = UInt32(c0 & 0x07) }
        else { return ("\u{FFFD}", 1) }
        guard i + need < b.count else { return ("\u{FFFD}", 1) }
        for k in 1...need {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(c & 0x3F)
        }
        let minimum: UInt32 = need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000
        guard value >= minimum, let s = Unicode.Scalar(value) else { return ("\u{FFFD}", 1) }
        return (s, need + 1)
    }

    static func decodeLast(_ b: [UInt8], _ end: Int) -> (Unicode.Scalar, Int) {
        var start = end - 1
        let limit = max(0, end - 4)
        while start > limit && b[start] & 0xC0 == 0x80 { start -= 1 }
        let (r, w) = decode(b, start)
        if start + w != end { return ("\u{FFFD}", 1) }
        return (r, w)
    }

    // MARK: Emitting

    private func text(_ a: Int, _ b: Int) -> String { String(decoding: input[a..<b], as: UTF8.self) }

    private mutating func emit(_ t: ItemType) {
        items.append(Item(type: t, pos: start, value: text(start, pos), line: startLine))
        start = pos
        startLine = line
    }

    private mutating func ignore() {
        line += input[start..<pos].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        start = pos
        startLine = line
    }

    private mutating func errorf(_ message: String) -> State? {
        items.append(Item(type: .error, pos: start, value: message, line: startLine))
        return nil
    }

    private func hasPrefix(_ at: Int, _ p: [UInt8]) -> Bool {
        guard at >= 0, at + p.count <= input.count else { return false }
        for k in 0..<p.count where input[at + k] != p[k] { return false }
        return true
    }

    private func index(of p: [UInt8], from: Int) -> Int? {
        guard !p.isEmpty, from <= input.count - p.count else { return nil }
        var i = from
        while i <= input.count - p.count {
            if input[i] == p[0] && hasPrefix(i, p) { return i }
            i += 1
        }
        return nil
    }

    static func isSpaceByte(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    static func isSpace(_ r: Unicode.Scalar?) -> Bool {
        guard let r else { return false }
        return r == " " || r == "\t" || r == "\r" || r == "\n"
    }

    static func isAlphaNumeric(_ r: Unicode.Scalar?) -> Bool {
        guard let r else { return false }
        return r == "_" || GoUnicode.isLetter(r) || GoUnicode.isDigit(r)
    }

    private func hasLeftTrimMarker(_ at: Int) -> Bool {
        at + 2 <= input.count && input[at] == UInt8(ascii: "-") && Self.isSpaceByte(input[at + 1])
    }

    private func hasRightTrimMarker(_ at: Int) -> Bool {
        at >= 0 && at + 2 <= input.count && Self.isSpaceByte(input[at]) && input[at + 1] == UInt8(ascii: "-")
    }

    private func atRightDelim() -> (Bool, Bool) {
        if hasRightTrimMarker(pos) && hasPrefix(pos + 2, rightDelim) { return (true, true) }
        if hasPrefix(pos, rightDelim) { return (true, false) }
        return (false, false)
    }

    // MARK: States

    private mutating func lexText() -> State? {
        if let x = index(of: leftDelim, from: pos) {
            pos = x
            var trimLength = 0
            if hasLeftTrimMarker(pos + leftDelim.count) {
                var k = pos
                while k > start && Self.isSpaceByte(input[k - 1]) { k -= 1 }
                trimLength = pos - k
            }
            pos -= trimLength
            if pos > start {
                line += input[start..<pos].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                emit(.text)
            }
            pos += trimLength
            ignore()
            return .leftDelim
        }
        pos = input.count
        if pos > start {
            line += input[start..<pos].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            emit(.text)
        }
        emit(.eof)
        return nil
    }

    private mutating func lexLeftDelim() -> State? {
        pos += leftDelim.count
        let trimSpace = hasLeftTrimMarker(pos)
        let afterMarker = trimSpace ? 2 : 0
        if hasPrefix(pos + afterMarker, Array("/*".utf8)) {
            pos += afterMarker
            ignore()
            return .comment
        }
        emit(.leftDelim)
        pos += afterMarker
        ignore()
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State? {
        pos += 2
        guard let i = index(of: Array("*/".utf8), from: pos) else { return errorf("unclosed comment") }
        pos = i + 2
        let (delim, trimSpace) = atRightDelim()
        if !delim { return errorf("comment ends before closing delimiter") }
        if emitComment { emit(.comment) }
        if trimSpace { pos += 2 }
        pos += rightDelim.count
        if trimSpace { while pos < input.count && Self.isSpaceByte(input[pos]) { pos += 1 } }
        ignore()
        return .text
    }

    private mutating func lexRightDelim() -> State? {
        let trimSpace = hasRightTrimMarker(pos)
        if trimSpace {
            pos += 2
            ignore()
        }
        pos += rightDelim.count
        emit(.rightDelim)
        if trimSpace {
            while pos < input.count && Self.isSpaceByte(input[pos]) { pos += 1 }
            ignore()
        }
        return .text
    }

    private mutating func lexInsideAction() -> State? {
        let (delim, _) = atRightDelim()
        if delim {
            if parenDepth == 0 { return .rightDelim }
            return errorf("unclosed left paren")
        }
        guard let r = next() else { return errorf("unclosed action") }
        switch r {
        case _ where Self.isSpace(r):
            backup()
            return .space
        case "=":
            emit(.assign)
        case ":":
            if next() != "=" { return errorf("expected :=") }
            emit(.declare)
        case "|":
            emit(.pipe)
        case "\"":
            return .quote
        case "`":
            return .rawQuote
        case "$":
            return .variable
        case "'":
            return .char
        case ".":
            if pos < input.count {
                let c = input[pos]
                if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return .field }
            }
            backup()
            return .number
        case "+", "-", "0"..."9":
            backup()
            return .number
        case _ where Self.isAlphaNumeric(r):
            backup()
            return .identifier
        case "(":
            emit(.leftParen)
            parenDepth += 1
        case ")":
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return errorf("unexpected right paren \(GoQuote.unicodeFormat(r))") }
        default:
            if r.value <= 0x7F && GoUnicode.isPrint(r) {
                emit(.char)
            } else {
                return errorf("unrecognized character in action: \(GoQuote.unicodeFormat(r))")
            }
        }
        return .insideAction
    }

    private mutating func lexSpace() -> State? {
        var numSpaces = 0
        while Self.isSpace(peek()) {
            _ = next()
            numSpaces += 1
        }
        if hasRightTrimMarker(pos - 1) && hasPrefix(pos - 1 + 2, rightDelim) {
            backup()
            if numSpaces == 1 { return .rightDelim }
        }
        emit(.space)
        return .insideAction
    }

    private mutating func lexIdentifier() -> State? {
        while true {
            let r = next()
            if Self.isAlphaNumeric(r) { continue }
            backup()
            let word = text(start, pos)
            if !atTerminator() { return errorf("bad character \(GoQuote.unicodeFormat(r))") }
            if let k = Self.keywords[word], k.isKeyword {
                if (k == .breakKeyword && !breakOK) || (k == .continueKeyword && !continueOK) {
                    emit(.identifier)
                } else {
                    emit(k)
                }
            } else if word.first == "." {
                emit(.field)
            } else if word == "true" || word == "false" {
                emit(.bool)
            } else {
                emit(.identifier)
            }
            return .insideAction
        }
    }

    private mutating func lexVariable() -> State? {
        if atTerminator() {
            emit(.variable)
            return .insideAction
        }
        return lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ type: ItemType) -> State? {
        if atTerminator() {
            emit(type == .variable ? .variable : .dot)
            return .insideAction
        }
        var r: Unicode.Scalar?
        while true {
            r = next()
            if !Self.isAlphaNumeric(r) {
                backup()
                break
            }
        }
        if !atTerminator() { return errorf("bad character \(GoQuote.unicodeFormat(r))") }
        emit(type)
        return .insideAction
    }

    private mutating func atTerminator() -> Bool {
        let r = peek()
        if Self.isSpace(r) { return true }
        switch r {
        case nil, ".", ",", "|", ":", ")", "(": return true
        default: return hasPrefix(pos, rightDelim)
        }
    }

    private mutating func lexChar() -> State? {
        while true {
            switch next() {
            case "\\":
                let r = next()
                if r != nil && r != "\n" { continue }
                return errorf("unterminated character constant")
            case nil, "\n":
                return errorf("unterminated character constant")
            case "'":
                emit(.charConstant)
                return .insideAction
            default:
                continue
            }
        }
    }

    private mutating func lexNumber() -> State? {
        if !scanNumber() { return errorf("bad number syntax: \(GoQuote.quote(text(start, pos)))") }
        if let sign = peek(), sign == "+" || sign == "-" {
            if !scanNumber() || input[pos - 1] != UInt8(ascii: "i") {
                return errorf("bad number syntax: \(GoQuote.quote(text(start, pos)))")
            }
            emit(.complex)
        } else {
            emit(.number)
        }
        return .insideAction
    }

    private mutating func accept(_ valid: String) -> Bool {
        if let r = next(), valid.unicodeScalars.contains(r) { return true }
        backup()
        return false
    }

    private mutating func acceptRun(_ valid: String) {
        while let r = next(), valid.unicodeScalars.contains(r) {}
        backup()
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if Self.isAlphaNumeric(peek()) {
            _ = next()
            return false
        }
        return true
    }

    private mutating func lexQuote() -> State? {
        while true {
            switch next() {
            case "\\":
                let r = next()
                if r != nil && r != "\n" { continue }
                return errorf("unterminated quoted string")
            case nil, "\n":
                return errorf("unterminated quoted string")
            case "\"":
                emit(.string)
                return .insideAction
            default:
                continue
            }
        }
    }

    private mutating func lexRawQuote() -> State? {
        while true {
            switch next() {
            case nil: return errorf("unterminated raw quoted string")
            case "`":
                emit(.rawString)
                return .insideAction
            default: continue
            }
        }
    }
}
