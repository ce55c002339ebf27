/// A token of Kapacitor 1.5's TICKscript, with where it starts.
struct TICKToken: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        /// `'text'` or `'''text'''`.
        case string(String)
        /// `"name"` (outside lambdas: the parts of `dbrp "db"."rp"`).
        case reference(String)
        /// An integer or a float, as written.
        case number(String)
        /// A duration literal as written (`10s`, `1m`, `500ms`).
        case duration(String)
        /// `lambda: ...`: the expression's text, up to the `,` or `)` that ends it.
        case lambda(String)
        /// `/regex/`, as written.
        case regex(String)
        case symbol(Character)
    }
    var kind: Kind
    var line: Int
    var column: Int
}

/// Why a TICKscript cannot be read, with the place.
struct TICKError: Error {
    var line: Int
    var column: Int
    var message: String
}

/// Splits TICKscript text into tokens; `//` comments are skipped.
struct TICKLexer {
    private let chars: [Character]
    private var i = 0
    private var line = 1
    private var column = 1
    /// Open parentheses: a lambda inside a call ends at its `,` or `)`, one outside (a var's) at
    /// the end of its line.
    private var parens = 0

    init(_ text: String) { chars = Array(text) }

    static let durationUnits = ["ns", "us", "µs", "u", "ms", "s", "m", "h", "d", "w"]

    mutating func tokens() throws(TICKError) -> [TICKToken] {
        var out: [TICKToken] = []
        while true {
            skipSpaceAndComments()
            guard i < chars.count else { return out }
            let (l, c) = (line, column)
            let ch = chars[i]
            func token(_ k: TICKToken.Kind) { out.append(TICKToken(kind: k, line: l, column: c)) }
            if ch == "'" {
                token(.string(try quoted()))
            } else if ch == "\"" {
                advance()
                var s = ""
                while i < chars.count && chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count { advance() }
                    s.append(chars[i])
                    advance()
                }
                guard i < chars.count else { throw TICKError(line: l, column: c, message: "unterminated reference \"\(s)") }
                advance()
                token(.reference(s))
            } else if ch.isNumber || (ch == "-" && i + 1 < chars.count && chars[i + 1].isNumber && !(out.last.map(Self.endsValue) ?? false)) {
                var s = String(ch)
                advance()
                while i < chars.count && (chars[i].isNumber || chars[i] == ".") {
                    s.append(chars[i])
                    advance()
                }
                if let unit = Self.durationUnits.sorted(by: { $0.count > $1.count }).first(where: { matches($0) && !isIdentifierChar(at: i + $0.count) }) {
                    for _ in unit { advance() }
                    token(.duration(s + unit))
                } else {
                    token(.number(s))
                }
            } else if ch.isLetter || ch == "_" {
                var s = ""
                while i < chars.count && isIdentifierChar(at: i) {
                    s.append(chars[i])
                    advance()
                }
                if s == "lambda" && i < chars.count && chars[i] == ":" {
                    advance()
                    token(.lambda(try lambdaText()))
                } else {
                    token(.identifier(s))
                }
            } else if ch == "/" && (out.last.map { if case .symbol(let s) = $0.kind { return s == "=" || s == "(" || s == "," }; return false } ?? false) {
                var s = "/"
                advance()
                while i < chars.count && chars[i] != "/" {
                    if chars[i] == "\\", i + 1 < chars.count { s.append(chars[i]); advance() }
                    s.append(chars[i])
                    advance()
                }
                guard i < chars.count else { throw TICKError(line: l, column: c, message: "unterminated regex") }
                advance()
                token(.regex(s + "/"))
            } else if "|.(),=*@[]".contains(ch) {
                advance()
                if ch == "(" { parens += 1 }
                if ch == ")" { parens = max(0, parens - 1) }
                token(.symbol(ch))
            } else {
                throw TICKError(line: l, column: c, message: "unexpected character \"\(ch)\"")
            }
        }
    }

    static func endsValue(_ t: TICKToken) -> Bool {
        switch t.kind {
        case .identifier, .number, .duration, .string, .reference: return true
        case .symbol(let s): return s == ")" || s == "]"
        default: return false
        }
    }

    private func matches(_ s: String) -> Bool {
        var j = i
        for c in s {
            guard j < chars.count, chars[j] == c else { return false }
            j += 1
        }
        return true
    }

    private func isIdentifierChar(at j: Int) -> Bool {
        j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_")
    }

    private mutating func advance() {
        if chars[i] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        i += 1
    }

    private mutating func skipSpaceAndComments() {
        while i < chars.count {
            if chars[i].isWhitespace {
                advance()
            } else if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "/" {
                while i < chars.count && chars[i] != "\n" { advance() }
            } else {
                return
            }
        }
    }

    /// `'…'` (with `\'`) or `'''…'''`.
    private mutating func quoted() throws(TICKError) -> String {
        let (l, c) = (line, column)
        if matches("'''") {
            for _ in 0..<3 { advance() }
            var s = ""
            while i < chars.count && !matches("'''") {
                s.append(chars[i])
                advance()
            }
            guard i < chars.count else { throw TICKError(line: l, column: c, message: "unterminated '''string") }
            for _ in 0..<3 { advance() }
            return s
        }
        advance()
        var s = ""
        while i < chars.count && chars[i] != "'" {
            if chars[i] == "\\", i + 1 < chars.count, chars[i + 1] == "'" { advance() }
            s.append(chars[i])
            advance()
        }
        guard i < chars.count else { throw TICKError(line: l, column: c, message: "unterminated string '\(s)") }
        advance()
        return s
    }

    /// The text of a lambda up to the `,` or `)` at its own depth (strings, references and
    /// regexes may hold either).
    private mutating func lambdaText() throws(TICKError) -> String {
        let (l, c) = (line, column)
        var depth = 0
        var s = ""
        while i < chars.count {
            let ch = chars[i]
            if depth == 0 && (ch == "," || ch == ")") { return s.trimmingSpaces() }
            if parens == 0 && depth == 0 && ch == "\n" { return s.trimmingSpaces() }
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "'" || ch == "\"" {
                let q = ch
                s.append(ch)
                advance()
                while i < chars.count && chars[i] != q {
                    if chars[i] == "\\", i + 1 < chars.count { s.append(chars[i]); advance() }
                    s.append(chars[i])
                    advance()
                }
                guard i < chars.count else { break }
            }
            s.append(chars[i])
            advance()
        }
        if parens == 0 { return s.trimmingSpaces() }
        throw TICKError(line: l, column: c, message: "lambda without its closing parenthesis")
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
