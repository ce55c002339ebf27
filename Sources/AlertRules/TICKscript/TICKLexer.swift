/// Kapacitor 1.5's TICKscript lexer (`tick/ast/lex.go`), state for state: which characters end a
/// token, when `/` opens a regex and when it divides, that `-` and `!` are operators of their own
/// (`-1` is minus and 1), how comments run over several lines. Offsets are UTF-8 bytes, as
/// Kapacitor's, so positions in messages agree with Kapacitor's.
///
/// A lexer error ends the tokens with an `.error` token holding the reason, at the start of the
/// token it was reading; otherwise they end with `.eof`.
struct TICKLexer {
    private let scalars: [Unicode.Scalar]
    /// UTF-8 offset of each scalar, and of the end.
    private let offsets: [Int]
    private var start = 0
    private var pos = 0
    /// Scalars the last `next()` read: 1, or 0 at the end.
    private var width = 0
    private var out: [TICKToken] = []

    private enum State {
        case token, unaryOperator, binaryOperator, identifierOrKeyword, numberOrDurationOrDot
        case reference, string, regex, comment
    }

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var o: [Int] = []
        o.reserveCapacity(scalars.count + 1)
        var n = 0
        for s in scalars {
            o.append(n)
            n += UTF8.width(s)
        }
        o.append(n)
        offsets = o
    }

    /// Every token of the text, ending with `.eof` or `.error`.
    static func tokens(_ text: String) -> [TICKToken] {
        var l = TICKLexer(text)
        var state: State? = .token
        while let s = state { state = l.run(s) }
        return l.out
    }

    // MARK: Reading

    private mutating func next() -> Unicode.Scalar? {
        guard pos < scalars.count else {
            width = 0
            return nil
        }
        width = 1
        pos += 1
        return scalars[pos - 1]
    }

    private mutating func backup() { pos -= width }

    private mutating func peek() -> Unicode.Scalar? {
        let r = next()
        backup()
        return r
    }

    private var current: String {
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars[start..<pos])
        return s
    }

    private mutating func emit(_ kind: TICKToken.Kind) {
        out.append(TICKToken(kind: kind, offset: offsets[start], text: current))
        start = pos
    }

    private mutating func fail(_ reason: String) -> State? {
        out.append(TICKToken(kind: .error, offset: offsets[start], text: reason))
        return nil
    }

    private mutating func ignore() { start = pos }

    private mutating func ignoreSpace() {
        while let r = next(), Self.isSpace(r) { ignore() }
        backup()
    }

    // MARK: Character classes (Go's unicode package)

    static func isSpace(_ r: Unicode.Scalar) -> Bool { r.properties.isWhitespace }

    static func isDigit(_ r: Unicode.Scalar?) -> Bool { r?.properties.numericType == .decimal }

    static func isLetter(_ r: Unicode.Scalar) -> Bool {
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isIdentifierCharacter(_ r: Unicode.Scalar) -> Bool { isDigit(r) || isLetter(r) || r == "_" }

    static let durationUnits: Set<Unicode.Scalar> = ["u", "µ", "s", "m", "h", "d", "w"]

    static let keywords: [String: TICKToken.Kind] = [
        "AND": .and, "OR": .or, "TRUE": .true, "FALSE": .false, "var": .var, "dbrp": .dbrp, "lambda": .lambda,
    ]

    // MARK: States

    private mutating func run(_ state: State) -> State? {
        switch state {
        case .token: return lexToken()
        case .unaryOperator: return lexUnaryOperator()
        case .binaryOperator: return tryLexBinaryOperator()
        case .identifierOrKeyword: return lexIdentifierOrKeyword()
        case .numberOrDurationOrDot: return lexNumberOrDurationOrDot()
        case .reference: return lexReference()
        case .string: return lexSingleOrTripleString()
        case .regex: return lexRegex()
        case .comment: return lexComment()
        }
    }

    private mutating func lexToken() -> State? {
        while true {
            guard let r = next() else {
                emit(.eof)
                return nil
            }
            switch r {
            case "-", "!":
                backup()
                return .unaryOperator
            case _ where Self.isDigit(r) || r == ".":
                backup()
                return .numberOrDurationOrDot
            case _ where Self.isLetter(r):
                return .identifierOrKeyword
            case "\"":
                return .reference
            case "'":
                backup()
                return .string
            case _ where Self.isSpace(r):
                ignore()
            case "(":
                emit(.leftParen)
                return .token
            case ")":
                emit(.rightParen)
                return .binaryOperator
            case "[":
                emit(.leftBracket)
                return .token
            case "]":
                emit(.rightBracket)
                return .token
            case "|":
                emit(.pipe)
                return .token
            case "@":
                emit(.at)
                return .token
            case ",":
                emit(.comma)
                return .token
            case "*":
                emit(.star)
                return .token
            case "/":
                let comment = peek() == "/"
                backup()
                return comment ? .comment : .regex
            default:
                return fail("unknown state, last char: \(Self.goQuote(r))")
            }
        }
    }

    private mutating func lexUnaryOperator() -> State? {
        let r = next()
        guard r == "-" || r == "!" else { return fail("unexpected unary operator char \(r.map(Self.goQuote) ?? "EOF")") }
        emit(r == "-" ? .minus : .not)
        return .token
    }

    private mutating func tryLexBinaryOperator() -> State? {
        ignoreSpace()
        switch next() {
        case "+": emit(.plus)
        case "-": emit(.minus)
        case "*": emit(.mult)
        case "%": emit(.mod)
        case "/":
            if peek() == "/" {
                backup()
                return .comment
            }
            emit(.div)
        case "!":
            if peek() == "=" || peek() == "~" { _ = next() }
            let op = TICKToken.Kind.binaryOperator(current)!
            emit(op)
            if op == .regexNotEqual {
                ignoreSpace()
                if peek() == "/" { return .regex }
            }
        case ">", "<":
            if peek() == "=" { _ = next() }
            emit(TICKToken.Kind.binaryOperator(current)!)
        case "=":
            if peek() == "~" || peek() == "=" {
                _ = next()
                let op = TICKToken.Kind.binaryOperator(current)!
                emit(op)
                if op == .regexEqual {
                    ignoreSpace()
                    if peek() == "/" { return .regex }
                }
            } else {
                emit(.assign)
                ignoreSpace()
                if peek() == "/" { return .regex }
            }
        default:
            // Not an operator: back to the token state.
            backup()
        }
        return .token
    }

    private mutating func lexIdentifierOrKeyword() -> State? {
        while let r = next(), Self.isIdentifierCharacter(r) {}
        backup()
        if let k = Self.keywords[current] {
            if k == .lambda && next() != ":" {
                // `lambda` without a colon is an identifier.
                backup()
                emit(.identifier)
            } else {
                emit(k)
            }
        } else {
            emit(.identifier)
        }
        return .binaryOperator
    }

    private mutating func lexNumberOrDurationOrDot() -> State? {
        var foundDecimal = false
        var first = true
        while true {
            let r = next()
            if r == "." {
                if first && !Self.isDigit(peek()) {
                    emit(.dot)
                    return .token
                }
                if foundDecimal { return fail("multiple decimals in number") }
                foundDecimal = true
            } else if Self.isDigit(r) {
                // part of the number
            } else if !foundDecimal, let u = r, Self.durationUnits.contains(u) {
                if u == "m" && peek() == "s" { _ = next() }
                emit(.duration)
                return .binaryOperator
            } else {
                backup()
                emit(.number)
                return .binaryOperator
            }
            first = false
        }
    }

    private mutating func lexReference() -> State? {
        while true {
            switch next() {
            case "\\":
                if peek() == "\"" { _ = next() }
            case "\"":
                emit(.reference)
                return .binaryOperator
            case nil:
                return fail("unterminated field reference")
            default:
                break
            }
        }
    }

    private mutating func lexSingleOrTripleString() -> State? {
        var count = 0
        guard next() == "'" else { return fail("unterminated string") }
        count += 1
        if peek() == "'" {
            // '' is the empty string; ''' opens a triple-quoted one.
            count += 1
            _ = next()
            guard peek() == "'" else {
                emit(.string)
                return .binaryOperator
            }
            count += 1
            _ = next()
        }
        let total = count
        while true {
            let r = next()
            if r == "\\" && count == 1 {
                // \' escapes a quote in a single-quoted string.
                if peek() == "'" { _ = next() }
            } else if r == "'" {
                count -= 1
                if count == 0 {
                    emit(.string)
                    return .binaryOperator
                }
            } else if r == nil {
                return fail("unterminated string")
            } else {
                count = total
            }
        }
    }

    private mutating func lexRegex() -> State? {
        let n = next()
        guard n == "/" else { return fail("unexpected \"\(n.map { String($0) } ?? "")\" expected \"/\"") }
        while true {
            switch next() {
            case "\\":
                if peek() == "/" { _ = next() }
            case "/":
                emit(.regex)
                return .token
            case nil:
                return fail("unterminated regex")
            default:
                break
            }
        }
    }

    private mutating func lexComment() -> State? {
        guard next() == "/" else { return fail("invalid character '/'") }
        while true {
            let r = next()
            if r == "\n" {
                // A following line that starts (after spaces) with / continues the comment.
                var n = next()
                while let c = n, c != "\n", Self.isSpace(c) { n = next() }
                if n == "/" { continue }
                backup()
                emit(.comment)
                return .token
            }
            if r == nil {
                emit(.comment)
                return .token
            }
        }
    }

    /// Go's `%q` of a rune, as Kapacitor's "unknown state" message prints it.
    static func goQuote(_ r: Unicode.Scalar) -> String {
        switch r {
        case "'": return #"'\''"#
        case "\\": return #"'\\'"#
        case "\u{07}": return #"'\a'"#
        case "\u{08}": return #"'\b'"#
        case "\u{0C}": return #"'\f'"#
        case "\n": return #"'\n'"#
        case "\r": return #"'\r'"#
        case "\t": return #"'\t'"#
        case "\u{0B}": return #"'\v'"#
        default:
            switch r.properties.generalCategory {
            case .control, .format, .unassigned, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator:
                let hex = String(r.value, radix: 16)
                if r.value < 0x80 { return "'\\x" + String(repeating: "0", count: 2 - hex.count) + hex + "'" }
                if r.value <= 0xFFFF { return "'\\u" + String(repeating: "0", count: 4 - hex.count) + hex + "'" }
                return "'\\U" + String(repeating: "0", count: 8 - hex.count) + hex + "'"
            default:
                return "'" + String(r) + "'"
            }
        }
    }
}
