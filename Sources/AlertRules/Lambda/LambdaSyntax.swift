/// An operator of the lambda language.
public enum LambdaOperator: String, Sendable, Hashable {
    case plus = "+", minus = "-", mult = "*", div = "/", mod = "%"
    case and = "AND", or = "OR"
    case equal = "==", notEqual = "!=", less = "<", greater = ">", lessEqual = "<=", greaterEqual = ">="
    case regexEqual = "=~", regexNotEqual = "!~"
    case not = "!"

    /// Kapacitor's precedence table (`tick/ast/parser.go`).
    var precedence: Int {
        switch self {
        case .or: return 0
        case .and: return 1
        case .equal, .notEqual, .regexEqual, .regexNotEqual: return 2
        case .greater, .greaterEqual, .less, .lessEqual: return 3
        case .plus, .minus: return 4
        case .mult, .div, .mod: return 5
        case .not: return -1
        }
    }

    /// "math", "comparison" or "logical", as in Kapacitor's "invalid math operator" errors.
    var kind: String {
        switch self {
        case .plus, .minus, .mult, .div, .mod: return "math"
        case .and, .or: return "logical"
        default: return "comparison"
        }
    }
}

/// A node of a parsed lambda expression, with its place in the text.
public indirect enum LambdaNode: Sendable, CustomStringConvertible {
    case int(Int64, LambdaPosition)
    case float(Double, LambdaPosition)
    case string(String, LambdaPosition)
    case bool(Bool, LambdaPosition)
    case duration(Int64, LambdaPosition)
    case regex(LambdaRegex, LambdaPosition)
    /// `"name"`: a field or tag of the point.
    case reference(String, LambdaPosition)
    /// A bare word: an identifier the context defines (`OK`, `CRITICAL` in handler matches).
    case identifier(String, LambdaPosition)
    case unary(LambdaOperator, LambdaNode, LambdaPosition)
    case binary(LambdaOperator, LambdaNode, LambdaNode, LambdaPosition)
    case call(String, [LambdaNode], LambdaPosition)

    public var position: LambdaPosition {
        switch self {
        case .int(_, let p), .float(_, let p), .string(_, let p), .bool(_, let p), .duration(_, let p),
             .regex(_, let p), .reference(_, let p), .identifier(_, let p), .unary(_, _, let p),
             .binary(_, _, _, let p), .call(_, _, let p):
            return p
        }
    }

    /// The expression written back in TICKscript syntax.
    public var description: String {
        switch self {
        case .int(let i, _): return String(i)
        case .float(let f, _): return String(f)
        case .string(let s, _): return "'" + s.replacing("'", with: "\\'") + "'"
        case .bool(let b, _): return b ? "TRUE" : "FALSE"
        case .duration(let d, _): return LambdaDuration.format(d)
        case .regex(let r, _): return r.description
        case .reference(let r, _): return "\"" + r.replacing("\"", with: "\\\"") + "\""
        case .identifier(let i, _): return i
        case .unary(let op, let n, _): return op.rawValue + n.description
        case .binary(let op, let l, let r, _): return "\(l) \(op.rawValue) \(r)"
        case .call(let f, let args, _): return f + "(" + args.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// Every `"reference"` the expression reads.
    public var references: [String] {
        var out: [String] = []
        func walk(_ n: LambdaNode) {
            switch n {
            case .reference(let r, _): if !out.contains(r) { out.append(r) }
            case .unary(_, let x, _): walk(x)
            case .binary(_, let l, let r, _): walk(l); walk(r)
            case .call(_, let args, _): args.forEach(walk)
            default: break
            }
        }
        walk(self)
        return out
    }
}

/// A place in an expression's text: line and column, both 1-based.
public struct LambdaPosition: Sendable, Equatable {
    public var line: Int
    public var column: Int
}

/// Kapacitor's duration literals (`influxql.ParseDuration`): `10u`/`10µ`, `ms`, `s`, `m`, `h`, `d`, `w`.
public enum LambdaDuration {
    static func parse(_ text: String) -> Int64? {
        var digits = ""
        var unit = ""
        for c in text { if unit.isEmpty, c.isASCII, c.isNumber { digits.append(c) } else { unit.append(c) } }
        guard let n = Int64(digits) else { return nil }
        let scale: Int64
        switch unit {
        case "u", "µ": scale = 1_000
        case "ms": scale = 1_000_000
        case "s": scale = 1_000_000_000
        case "m": scale = 60_000_000_000
        case "h": scale = 3_600_000_000_000
        case "d": scale = 86_400_000_000_000
        case "w": scale = 604_800_000_000_000
        case "": scale = 1
        default: return nil
        }
        let (v, o) = n.multipliedReportingOverflow(by: scale)
        return o ? nil : v
    }

    /// `influxql.FormatDuration`: the largest unit that divides the duration evenly.
    public static func format(_ d: Int64) -> String {
        if d == 0 { return "0s" }
        let units: [(Int64, String)] = [(604_800_000_000_000, "w"), (86_400_000_000_000, "d"), (3_600_000_000_000, "h"),
                                        (60_000_000_000, "m"), (1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "u")]
        for (scale, u) in units where d % scale == 0 { return "\(d / scale)\(u)" }
        return "\(d)"
    }
}

/// Tokens of the lambda language, lexed as Kapacitor's `tick/ast/lex.go` lexes them.
enum LambdaToken: Equatable {
    case number(String), duration(String), string(String), reference(String), regex(String), ident(String)
    case lparen, rparen, comma, op(LambdaOperator), trueLiteral, falseLiteral, assign, eof
}

/// Parses a lambda expression (the text after `lambda:` in TICKscript).
public struct LambdaParser {
    private var tokens: [(LambdaToken, LambdaPosition)] = []
    private var index = 0

    /// Parses `text` into a syntax tree.
    /// - Throws: ``LambdaError`` with the line and column of the problem.
    public static func parse(_ text: String) throws(LambdaError) -> LambdaNode {
        var p = LambdaParser()
        var lexer = LambdaLexer(text)
        p.tokens = try lexer.tokens()
        let node = try p.expression(try p.primary(), minimum: 0)
        if case (let t, let pos) = p.peek(), t != .eof {
            throw LambdaError("unexpected \(Self.describe(t)) after the expression", line: pos.line, column: pos.column)
        }
        return node
    }

    private func peek() -> (LambdaToken, LambdaPosition) { tokens[min(index, tokens.count - 1)] }
    private mutating func next() -> (LambdaToken, LambdaPosition) {
        let t = peek()
        index += 1
        return t
    }

    static func describe(_ t: LambdaToken) -> String {
        switch t {
        case .number(let s), .duration(let s): return "\(s)"
        case .string(let s): return "string '\(s)'"
        case .reference(let s): return "reference \"\(s)\""
        case .regex(let s): return "regex /\(s)/"
        case .ident(let s): return "identifier \(s)"
        case .lparen: return "\"(\""
        case .rparen: return "\")\""
        case .comma: return "\",\""
        case .op(let o): return "operator \(o.rawValue)"
        case .trueLiteral: return "TRUE"
        case .falseLiteral: return "FALSE"
        case .assign: return "\"=\" (did you mean \"==\"?)"
        case .eof: return "end of expression"
        }
    }

    private static func binaryOperator(_ t: LambdaToken) -> LambdaOperator? {
        if case .op(let o) = t, o != .not { return o }
        return nil
    }

    /// Kapacitor's operator-precedence loop, kept as written so associativity matches.
    private mutating func expression(_ lhsIn: LambdaNode, minimum: Int) throws(LambdaError) -> LambdaNode {
        var lhs = lhsIn
        var look = peek().0
        while let op = Self.binaryOperator(look), op.precedence >= minimum {
            let (_, pos) = next()
            var rhs = try primary()
            look = peek().0
            while let next = Self.binaryOperator(look), next.precedence > op.precedence {
                rhs = try expression(rhs, minimum: next.precedence)
                look = peek().0
            }
            lhs = .binary(op, lhs, rhs, pos)
        }
        return lhs
    }

    private mutating func primary() throws(LambdaError) -> LambdaNode {
        let (tok, pos) = next()
        switch tok {
        case .lparen:
            let n = try expression(try primary(), minimum: 0)
            let (close, cpos) = next()
            guard close == .rparen else {
                throw LambdaError("expected \")\", found \(Self.describe(close))", line: cpos.line, column: cpos.column)
            }
            return n
        case .number(let s):
            if s.contains(".") {
                guard let f = Double(s) else { throw LambdaError("invalid number \(s)", line: pos.line, column: pos.column) }
                return .float(f, pos)
            }
            guard let i = Int64(s) else {
                throw LambdaError("invalid integer \(s): value out of range", line: pos.line, column: pos.column)
            }
            return .int(i, pos)
        case .duration(let s):
            guard let d = LambdaDuration.parse(s) else { throw LambdaError("invalid duration \(s)", line: pos.line, column: pos.column) }
            return .duration(d, pos)
        case .string(let s): return .string(s, pos)
        case .trueLiteral: return .bool(true, pos)
        case .falseLiteral: return .bool(false, pos)
        case .regex(let r):
            do { return .regex(try LambdaRegex(r), pos) } catch {
                throw LambdaError(error.message, line: pos.line, column: pos.column)
            }
        case .reference(let r): return .reference(r, pos)
        case .ident(let name):
            if peek().0 == .lparen {
                _ = next()
                var args: [LambdaNode] = []
                if peek().0 != .rparen {
                    while true {
                        args.append(try expression(try primary(), minimum: 0))
                        if peek().0 == .comma { _ = next(); continue }
                        break
                    }
                }
                let (close, cpos) = next()
                guard close == .rparen else {
                    throw LambdaError("expected \")\" or \",\" in the arguments of \(name)(), found \(Self.describe(close))",
                                      line: cpos.line, column: cpos.column)
                }
                return .call(name, args, pos)
            }
            return .identifier(name, pos)
        case .op(.minus), .op(.not):
            guard case .op(let o) = tok else { fatalError("unreachable") }
            return .unary(o, try primary(), pos)
        default:
            throw LambdaError("unexpected \(Self.describe(tok)), expected a value: number, 'string', \"reference\", duration, TRUE, FALSE, function(...), ( or -",
                              line: pos.line, column: pos.column)
        }
    }
}

/// The lexer: `tick/ast/lex.go`'s rules for the tokens a lambda can hold.
struct LambdaLexer {
    let s: [Unicode.Scalar]
    var i = 0
    var line = 1
    var lineStart = 0

    init(_ text: String) { s = Array(text.unicodeScalars) }

    func position(_ at: Int) -> LambdaPosition { LambdaPosition(line: line, column: at - lineStart + 1) }

    func peek(_ o: Int = 0) -> Unicode.Scalar? { i + o < s.count ? s[i + o] : nil }

    mutating func advance() {
        if s[i] == "\n" { line += 1; lineStart = i + 1 }
        i += 1
    }

    static func isIdentChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType == .decimal
    }

    mutating func tokens() throws(LambdaError) -> [(LambdaToken, LambdaPosition)] {
        var out: [(LambdaToken, LambdaPosition)] = []
        // After a value, '-' '!' '/' and '=' are binary operators; before one, '-' and '!' are unary
        // and '/' opens a regex (tryLexBinaryOperator / lexToken in Kapacitor).
        var afterValue = false
        while let c = peek() {
            let start = position(i)
            if c.properties.isWhitespace { advance(); continue }
            if afterValue {
                if let (op, len) = binaryOperator() {
                    for _ in 0..<len { advance() }
                    if op == .assign { out.append((.assign, start)) } else { out.append((op, start)) }
                    afterValue = false
                    continue
                }
            }
            afterValue = false
            switch c {
            case "-": advance(); out.append((.op(.minus), start))
            case "!": advance(); out.append((.op(.not), start))
            case "(": advance(); out.append((.lparen, start))
            case ")": advance(); out.append((.rparen, start)); afterValue = true
            case ",": advance(); out.append((.comma, start))
            case "\"":
                advance()
                var r = ""
                while true {
                    guard let d = peek() else { throw LambdaError("unterminated field reference", line: start.line, column: start.column) }
                    advance()
                    if d == "\\", peek() == "\"" { advance(); r += "\""; continue }
                    if d == "\"" { break }
                    r.unicodeScalars.append(d)
                }
                out.append((.reference(r), start)); afterValue = true
            case "'":
                out.append((.string(try string(start)), start)); afterValue = true
            case "/":
                if peek(1) == "/" { throw LambdaError("comments are not allowed in a lambda expression", line: start.line, column: start.column) }
                out.append((.regex(try regex(start)), start)); afterValue = true
            default:
                if c.properties.numericType == .decimal || c == "." {
                    out.append(try number(start)); afterValue = true
                } else if c.properties.isAlphabetic {
                    var w = ""
                    while let d = peek(), Self.isIdentChar(d) { w.unicodeScalars.append(d); advance() }
                    switch w {
                    case "AND": out.append((.op(.and), start))
                    case "OR": out.append((.op(.or), start))
                    case "NOT": out.append((.op(.not), start))
                    case "TRUE": out.append((.trueLiteral, start)); afterValue = true
                    case "FALSE": out.append((.falseLiteral, start)); afterValue = true
                    default: out.append((.ident(w), start)); afterValue = true
                    }
                } else {
                    throw LambdaError("unexpected character \"\(c)\"", line: start.line, column: start.column)
                }
            }
        }
        out.append((.eof, position(i)))
        return out
    }

    /// An operator after a value, and its length; `.assign` for a lone `=`.
    func binaryOperator() -> (LambdaToken, Int)? {
        guard let c = peek() else { return nil }
        let n = peek(1)
        switch c {
        case "+": return (.op(.plus), 1)
        case "-": return (.op(.minus), 1)
        case "*": return (.op(.mult), 1)
        case "%": return (.op(.mod), 1)
        case "/": return n == "/" ? nil : (.op(.div), 1)
        case "!":
            if n == "=" { return (.op(.notEqual), 2) }
            if n == "~" { return (.op(.regexNotEqual), 2) }
            return (.op(.not), 1)
        case ">": return n == "=" ? (.op(.greaterEqual), 2) : (.op(.greater), 1)
        case "<": return n == "=" ? (.op(.lessEqual), 2) : (.op(.less), 1)
        case "=":
            if n == "=" { return (.op(.equal), 2) }
            if n == "~" { return (.op(.regexEqual), 2) }
            return (.assign, 1)
        default: return nil
        }
    }

    mutating func number(_ start: LambdaPosition) throws(LambdaError) -> (LambdaToken, LambdaPosition) {
        var text = ""
        var decimal = false
        while let c = peek() {
            if c == "." {
                if decimal { throw LambdaError("multiple decimals in number", line: start.line, column: start.column) }
                decimal = true
            } else if c.properties.numericType == .decimal {
            } else if !decimal, "uµsmhdw".unicodeScalars.contains(c) {
                text.unicodeScalars.append(c); advance()
                if c == "m", peek() == "s" { text += "s"; advance() }
                return (.duration(text), start)
            } else {
                break
            }
            text.unicodeScalars.append(c); advance()
        }
        if text == "." { throw LambdaError("unexpected \".\"", line: start.line, column: start.column) }
        return (.number(text), start)
    }

    /// `'single'` (with `\'`) or `'''triple'''` (raw) strings.
    mutating func string(_ start: LambdaPosition) throws(LambdaError) -> String {
        if peek(1) == "'", peek(2) == "'" {
            advance(); advance(); advance()
            var out = ""
            while true {
                guard let c = peek() else { throw LambdaError("unterminated string", line: start.line, column: start.column) }
                if c == "'", peek(1) == "'", peek(2) == "'" { advance(); advance(); advance(); return out }
                out.unicodeScalars.append(c); advance()
            }
        }
        advance()
        var out = ""
        while true {
            guard let c = peek() else { throw LambdaError("unterminated string", line: start.line, column: start.column) }
            advance()
            if c == "\\", peek() == "'" { advance(); out += "'"; continue }
            if c == "'" { return out }
            out.unicodeScalars.append(c)
        }
    }

    mutating func regex(_ start: LambdaPosition) throws(LambdaError) -> String {
        advance()
        var out = ""
        while true {
            guard let c = peek() else { throw LambdaError("unterminated regex", line: start.line, column: start.column) }
            advance()
            if c == "\\", peek() == "/" { advance(); out += "/"; continue }
            if c == "/" { return out }
            out.unicodeScalars.append(c)
        }
    }
}
