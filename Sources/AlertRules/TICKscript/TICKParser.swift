/// Kapacitor 1.5's TICKscript parser (`tick/ast/parser.go`), method for method: the same grammar,
/// the same two-token look-ahead (which decides where comments attach), the same tree, and errors
/// at the place Kapacitor reports them, naming the same unexpected token and the same expected ones.
struct TICKParser {
    private let text: String
    private let bytes: [UInt8]
    /// Offsets of the newlines, for line and column of an offset.
    private let newlines: [Int]
    private let lexed: [TICKToken]
    private var lexIndex = 0
    // Two-token look-ahead, as Kapacitor's: `token[peekCount]` is the current one.
    private var token: [TICKToken]
    private var comments: [TICKNode.Comment?] = [nil, nil]
    private var peekCount = 0

    /// What a closed lexer gives (Go's zero token).
    private static let closed = TICKToken(kind: .error, offset: 0, text: "")

    init(_ text: String) {
        self.text = text
        let utf8 = Array(text.utf8)
        bytes = utf8
        newlines = utf8.indices.filter { utf8[$0] == UInt8(ascii: "\n") }
        lexed = TICKLexer.tokens(text)
        token = [Self.closed, Self.closed]
    }

    /// The syntax tree of a whole script: a `.program` node.
    static func parse(_ text: String) throws(TICKError) -> TICKNode {
        var p = TICKParser(text)
        let n = try p.program()
        try p.expect(.eof)
        return n
    }

    // MARK: Positions

    /// Kapacitor's `lineNumber`: the line, and the byte column from the line's start (1-based).
    func position(_ offset: Int) -> TICKNode.Position {
        var lo = 0, hi = newlines.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if newlines[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        let lastNewline = lo == 0 ? -1 : newlines[lo - 1]
        return TICKNode.Position(offset: offset, line: lo + 1, column: offset - lastNewline)
    }

    private func hasNewLine(_ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        // The first newline at or after start.
        var lo = 0, hi = newlines.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if newlines[mid] < start { lo = mid + 1 } else { hi = mid }
        }
        return lo < newlines.count && newlines[lo] < end
    }

    // MARK: Tokens

    /// The next token that is not a comment, and the comments read before it.
    private mutating func nextToken() -> (TICKToken, TICKNode.Comment?) {
        var lines: [String] = []
        var first = -1
        var count = 0
        while true {
            let t = lexIndex < lexed.count ? lexed[lexIndex] : Self.closed
            lexIndex += 1
            guard t.kind == .comment else {
                guard count > 0 else { return (t, nil) }
                return (t, TICKNode.Comment(position: position(first), lines: lines))
            }
            if first == -1 { first = t.offset }
            // Kapacitor's newComment: blocks separated by "\n", each line trimmed, "//" and one space removed.
            if count > 0 { lines.append("\n") }
            count += 1
            for line in t.text.split(separator: "\n", omittingEmptySubsequences: false) {
                var s = line.drop(while: \.isWhitespace)
                while let last = s.last, last.isWhitespace { s = s.dropLast() }
                guard !s.isEmpty else { continue }
                if s.hasPrefix("//") { s = s.dropFirst(2) }
                if s.hasPrefix(" ") { s = s.dropFirst() }
                lines.append(String(s))
            }
        }
    }

    mutating func next() -> TICKToken {
        if peekCount > 0 {
            peekCount -= 1
        } else {
            (token[0], comments[0]) = nextToken()
        }
        return token[peekCount]
    }

    mutating func backup() { peekCount += 1 }

    mutating func peek() -> TICKToken {
        if peekCount > 0 { return token[peekCount - 1] }
        peekCount = 1
        token[1] = token[0]
        comments[1] = comments[0]
        (token[0], comments[0]) = nextToken()
        return token[0]
    }

    private mutating func consumeComment() -> TICKNode.Comment? {
        let c = comments[peekCount]
        comments[peekCount] = nil
        return c
    }

    @discardableResult
    private mutating func expect(_ kind: TICKToken.Kind) throws(TICKError) -> TICKToken {
        let t = next()
        guard t.kind == kind else { throw unexpected(t, [kind]) }
        return t
    }

    /// Kapacitor's `unexpected`: the token, the place, a few bytes around it on its line, and what
    /// was expected there.
    private func unexpected(_ t: TICKToken, _ expected: [TICKToken.Kind]) -> TICKError {
        var start = max(t.offset - 10, 0)
        if let i = bytes[start..<t.offset].lastIndex(of: UInt8(ascii: "\n")) { start = i + 1 }
        var stop = min(t.offset + 10, bytes.count)
        if let i = bytes[t.offset..<stop].firstIndex(of: UInt8(ascii: "\n")) { stop = i }
        let context = String(decoding: bytes[start..<stop], as: UTF8.self)
        let p = position(t.offset)
        if t.kind == .error {
            let reason = t.text.isEmpty ? "unexpected end of the tokens" : t.text
            return TICKError(at: p, "\(reason) in \"\(context)\"")
        }
        let list = expected.map(Self.phrase)
        let wanted = list.count == 1 ? list[0] : list.dropLast().joined(separator: ", ") + " or " + list.last!
        return TICKError(at: p, "unexpected \(Self.phrase(t.kind)) in \"\(context)\": expected \(wanted)")
    }

    /// A token kind in an error message.
    static func phrase(_ kind: TICKToken.Kind) -> String {
        switch kind {
        case .eof: return "the end of the script"
        case .identifier: return "an identifier"
        case .reference: return "a reference"
        case .number: return "a number"
        case .string: return "a string"
        case .duration: return "a duration"
        case .regex: return "a regex"
        case .lambda: return "lambda:"
        case .comment: return "a comment"
        case .var, .dbrp, .true, .false, .and, .or: return kind.description
        case .error: return "an error"
        default: return "\"\(kind)\""
        }
    }

    // MARK: Grammar

    private mutating func program() throws(TICKError) -> TICKNode {
        var nodes: [TICKNode] = []
        while true {
            if peek().kind == .eof {
                for c in [comments[1], comments[0]] {
                    if let c { nodes.append(TICKNode(.comment(c.lines), c.position)) }
                }
                return TICKNode(.program(nodes), position(0))
            }
            nodes.append(try statement())
        }
    }

    private mutating func statement() throws(TICKError) -> TICKNode {
        switch peek().kind {
        case .var: return try declaration()
        case .dbrp: return try dbrp()
        default: return try expression()
        }
    }

    private mutating func dbrp() throws(TICKError) -> TICKNode {
        let t = try expect(.dbrp)
        let c = consumeComment()
        let db = try reference()
        try expect(.dot)
        let rp = try reference()
        return TICKNode(.dbrp(database: db, retentionPolicy: rp), position(t.offset), comment: c)
    }

    private mutating func declaration() throws(TICKError) -> TICKNode {
        let t = try expect(.var)
        let c = consumeComment()
        let name = try identifier()
        if peek().kind == .assign {
            try expect(.assign)
            let value = try expression()
            return TICKNode(.declaration(name: name, value: value), position(t.offset), comment: c)
        }
        let type = try identifier()
        return TICKNode(.typeDeclaration(name: name, type: type), position(t.offset), comment: c)
    }

    private mutating func expression() throws(TICKError) -> TICKNode {
        switch peek().kind {
        case .identifier:
            _ = next()
            switch peek().kind {
            case .leftParen:
                backup()
                let term = try function(.global)
                switch peek().kind {
                case .dot, .pipe, .at, .var, .identifier: return try chain(term)
                default: return try precedence(term, 0)
                }
            case .dot, .at, .pipe, .var, .identifier:
                backup()
                return try chain(try identifier())
            default:
                backup()
                return try primaryExpression()
            }
        case .lambda:
            return try lambda()
        case .leftBracket:
            return try stringList()
        default:
            return try primaryExpression()
        }
    }

    /// `.`, `|` and `@` chains, left-associative.
    private mutating func chain(_ lhs: TICKNode) throws(TICKError) -> TICKNode {
        var lhs = lhs
        while true {
            let k = peek().kind
            guard k == .dot || k == .pipe || k == .at else { return lhs }
            let op = next()
            let c = consumeComment()
            let type: TICKNode.FunctionType = op.kind == .dot ? .property : op.kind == .pipe ? .chain : .dynamic
            let rhs = try functionOrIdentifier(type)
            lhs = TICKNode(.chain(op.kind, lhs, rhs), position(op.offset), comment: c)
        }
    }

    private mutating func functionOrIdentifier(_ type: TICKNode.FunctionType) throws(TICKError) -> TICKNode {
        _ = next()
        // Kapacitor looks ahead only for a property or UDF: a chain node is always a call.
        let call = type == .chain ? true : peek().kind == .leftParen
        backup()
        return call ? try function(type) : try identifier()
    }

    private mutating func identifier() throws(TICKError) -> TICKNode {
        let t = try expect(.identifier)
        return TICKNode(.identifier(t.text), position(t.offset), comment: consumeComment())
    }

    private mutating func function(_ type: TICKNode.FunctionType) throws(TICKError) -> TICKNode {
        let t = try expect(.identifier)
        let c = consumeComment()
        try expect(.leftParen)
        var args: [TICKNode] = []
        while peek().kind != .rightParen {
            args.append(try expression())
            if next().kind != .comma {
                backup()
                break
            }
        }
        try expect(.rightParen)
        let multiLine = args.last.map { hasNewLine(t.offset, $0.position.offset) } ?? false
        return TICKNode(.function(type, t.text, args, multiLine: multiLine), position(t.offset), comment: c)
    }

    private mutating func stringList() throws(TICKError) -> TICKNode {
        let t = try expect(.leftBracket)
        let c = consumeComment()
        var items: [TICKNode] = []
        while peek().kind != .rightBracket {
            let item = peek()
            switch item.kind {
            case .identifier: items.append(try identifier())
            case .string: items.append(try string())
            case .star: items.append(try star())
            default: throw unexpected(item, [.identifier, .string, .star])
            }
            if next().kind != .comma {
                backup()
                break
            }
        }
        try expect(.rightBracket)
        return TICKNode(.list(items), position(t.offset), comment: c)
    }

    private mutating func lambda() throws(TICKError) -> TICKNode {
        let t = next()
        let c = consumeComment()
        let e = try primaryExpression()
        return TICKNode(.lambda(e), position(t.offset), comment: c)
    }

    private mutating func primaryExpression() throws(TICKError) -> TICKNode {
        try precedence(try primary(), 0)
    }

    /// Operator-precedence parsing, left-associative, as Kapacitor's `precedence`.
    private mutating func precedence(_ lhsIn: TICKNode, _ minimum: Int) throws(TICKError) -> TICKNode {
        var lhs = lhsIn
        var look = peek()
        while let p = look.kind.precedence, p >= minimum {
            let op = next()
            let c = consumeComment()
            var rhs = try primary()
            look = peek()
            while let q = look.kind.precedence, q > p {
                rhs = try precedence(rhs, q)
                look = peek()
            }
            let multiLine = hasNewLine(lhs.position.offset, rhs.position.offset)
            lhs = TICKNode(.binary(op.kind, lhs, rhs, parens: false, multiLine: multiLine), position(op.offset), comment: c)
        }
        return lhs
    }

    /// A function call inside an expression: its arguments are expressions, not chains.
    private mutating func expressionFunction() throws(TICKError) -> TICKNode {
        let t = try expect(.identifier)
        try expect(.leftParen)
        var args: [TICKNode] = []
        while peek().kind != .rightParen {
            var n = try primary()
            if peek().kind.isExpressionOperator { n = try precedence(n, 0) }
            args.append(n)
            if next().kind != .comma {
                backup()
                break
            }
        }
        try expect(.rightParen)
        let multiLine = args.last.map { hasNewLine(t.offset, $0.position.offset) } ?? false
        return TICKNode(.function(.global, t.text, args, multiLine: multiLine), position(t.offset))
    }

    private mutating func primary() throws(TICKError) -> TICKNode {
        let t = peek()
        switch t.kind {
        case .leftParen:
            _ = next()
            let c = consumeComment()
            var n = try primaryExpression()
            if case .binary(let op, let l, let r, _, let multiLine) = n.kind {
                n.kind = .binary(op, l, r, parens: true, multiLine: multiLine)
            }
            n.comment = c
            try expect(.rightParen)
            return n
        case .number: return try number()
        case .string: return try string()
        case .true, .false:
            let b = next()
            return TICKNode(.bool(b.kind == .true), position(b.offset), comment: consumeComment())
        case .duration:
            let d = try expect(.duration)
            guard let ns = LambdaDuration.parse(d.text) else { throw TICKError(at: position(d.offset), "invalid duration \(d.text)") }
            return TICKNode(.duration(ns, literal: d.text), position(d.offset), comment: consumeComment())
        case .regex: return try regex()
        case .star: return try star()
        case .reference: return try reference()
        case .identifier:
            _ = next()
            let call = peek().kind == .leftParen
            backup()
            return call ? try expressionFunction() : try identifier()
        case .minus, .not:
            _ = next()
            // As Kapacitor: the operand first, then the comment read after it.
            let operand = try primary()
            return TICKNode(.unary(t.kind, operand), position(t.offset), comment: consumeComment())
        default:
            throw unexpected(t, [.number, .string, .duration, .identifier, .true, .false, .equal, .leftParen, .minus, .not])
        }
    }

    private mutating func number() throws(TICKError) -> TICKNode {
        let t = try expect(.number)
        let p = position(t.offset)
        let c = consumeComment()
        if t.text.contains(".") {
            var s = t.text
            if s.hasPrefix(".") { s = "0" + s }
            if s.hasSuffix(".") { s += "0" }
            guard let f = Double(s), f.isFinite else { throw TICKError(at: p, "illegal number syntax: \"\(t.text)\"") }
            return TICKNode(.number(.float(f)), p, comment: c)
        }
        let base = t.text.hasPrefix("0") && t.text.count > 1 ? 8 : 10
        guard let i = Int64(t.text, radix: base) else {
            let why = base == 8 ? " (a leading 0 makes it octal)" : Int64(t.text) == nil ? " (out of the 64-bit integer range)" : ""
            throw TICKError(at: p, "illegal number syntax: \"\(t.text)\"\(why)")
        }
        return TICKNode(.number(.int(i, base: base)), p, comment: c)
    }

    private mutating func string() throws(TICKError) -> TICKNode {
        let t = try expect(.string)
        let s = t.text
        let node: TICKNode.Kind
        if s.utf8.count >= 6 && s.hasPrefix("'''") {
            node = .string(String(s.dropFirst(3).dropLast(3)), tripleQuotes: true)
        } else {
            node = .string(Self.unescape(String(s.dropFirst().dropLast()), "'"), tripleQuotes: false)
        }
        return TICKNode(node, position(t.offset), comment: consumeComment())
    }

    private mutating func regex() throws(TICKError) -> TICKNode {
        let t = try expect(.regex)
        let literal = String(t.text.dropFirst().dropLast())
        let pattern = Self.unescape(literal, "/")
        do throws(LambdaError) {
            _ = try LambdaRegex(pattern)
        } catch {
            throw TICKError(at: position(t.offset), error.message)
        }
        return TICKNode(.regex(pattern: pattern, literal: literal), position(t.offset), comment: consumeComment())
    }

    private mutating func star() throws(TICKError) -> TICKNode {
        let t = try expect(.star)
        return TICKNode(.star, position(t.offset), comment: consumeComment())
    }

    private mutating func reference() throws(TICKError) -> TICKNode {
        let t = try expect(.reference)
        let name = Self.unescape(String(t.text.dropFirst().dropLast()), "\"")
        return TICKNode(.reference(name), position(t.offset), comment: consumeComment())
    }

    /// Drops the backslash of each `\` + `quote` pair (Kapacitor's unescaping of strings,
    /// references and regexes).
    static func unescape(_ s: String, _ quote: Character) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var chars = s[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", chars.first == quote {
                out.append(quote)
                chars = chars.dropFirst()
            } else {
                out.append(c)
            }
        }
        return out
    }
}
