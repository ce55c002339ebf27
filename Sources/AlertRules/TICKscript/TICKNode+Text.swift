/// An expression written back as TICKscript lambda text: what the YAML rule holds, read back by
/// ``LambdaParser`` into the same tree (parentheses wherever precedence or the source needs them).
extension TICKNode {
    func expressionText() throws(TICKError) -> String {
        switch kind {
        case .number(.int(let i, _)):
            // -9223372036854775808 would read back as minus an out-of-range integer.
            guard i != .min else { throw TICKError(at: position, "\(i) cannot be written in a lambda") }
            return String(i)
        case .number(.float(let f)):
            guard f.isFinite else { throw TICKError(at: position, "\(f) cannot be written in a lambda") }
            return Self.floatLiteral(f)
        case .string(let s, _):
            return Self.stringLiteral(s)
        case .bool(let b):
            return b ? "TRUE" : "FALSE"
        case .duration(let ns, let literal):
            if !literal.isEmpty { return literal }
            guard let text = Self.durationLiteral(ns) else {
                throw TICKError(at: position, "a duration of \(ns)ns cannot be written in a lambda (TICKscript's smallest unit is 1u)")
            }
            return text
        case .regex(let pattern, let literal):
            return "/" + (literal.isEmpty ? pattern.replacing("/", with: "\\/") : literal) + "/"
        case .reference(let r):
            return "\"" + r.replacing("\"", with: "\\\"") + "\""
        case .identifier(let name):
            return name
        case .unary(let op, let operand):
            let inner = try operand.expressionText()
            if case .binary(_, _, _, let parens, _) = operand.kind, !parens { return op.description + "(" + inner + ")" }
            return op.description + inner
        case .binary(let op, let l, let r, let parens, _):
            let p = op.precedence ?? 0
            let left = try l.operandText(needsParens: { $0 < p })
            let right = try r.operandText(needsParens: { $0 <= p })
            let text = left + " " + op.description + " " + right
            return parens ? "(" + text + ")" : text
        case .function(_, let name, let args, _):
            var parts: [String] = []
            for a in args { parts.append(try a.expressionText()) }
            return name + "(" + parts.joined(separator: ", ") + ")"
        case .lambda(let e):
            return "(" + (try e.expressionText()) + ")"
        case .star, .list, .program, .declaration, .typeDeclaration, .dbrp, .chain, .comment:
            throw TICKError(at: position, "this cannot be part of a lambda expression")
        }
    }

    /// An operand of a binary expression, in parentheses when its own operator binds less tightly.
    private func operandText(needsParens: (Int) -> Bool) throws(TICKError) -> String {
        let text = try expressionText()
        if case .binary(let op, _, _, let parens, _) = kind, !parens, needsParens(op.precedence ?? 0) { return "(" + text + ")" }
        return text
    }

    /// A float in positional notation with a decimal point, so it reads back as a float
    /// (`1e-07` would read as the integer 1 and the identifier `e`).
    static func floatLiteral(_ f: Double) -> String {
        let s = "\(f)"
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s.contains(".") ? s : s + ".0" }
        var mantissa = s[..<e]
        let exponent = Int(s[s.index(after: e)...]) ?? 0
        var sign = ""
        if mantissa.hasPrefix("-") {
            sign = "-"
            mantissa = mantissa.dropFirst()
        }
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let digits = Array(mantissa.filter { $0 != "." })
        let newPoint = point + exponent
        if newPoint <= 0 { return sign + "0." + String(repeating: "0", count: -newPoint) + String(digits) }
        if newPoint >= digits.count { return sign + String(digits) + String(repeating: "0", count: newPoint - digits.count) + ".0" }
        return sign + String(digits[..<newPoint]) + "." + String(digits[newPoint...])
    }

    /// A string as a TICKscript literal that reads back as the same string.
    static func stringLiteral(_ s: String) -> String {
        if !s.contains("\\") { return "'" + s.replacing("'", with: "\\'") + "'" }
        // Backslashes stay as they are only in triple quotes.
        if !s.contains("'''") && !s.hasSuffix("'") { return "'''" + s + "'''" }
        return "'" + s.replacing("'", with: "\\'") + "'"
    }

    /// A duration as a TICKscript literal (`5m`, `90s`, `1d`), nil below the microsecond.
    static func durationLiteral(_ ns: Int64) -> String? {
        let text = LambdaDuration.format(ns)
        return text.last?.isNumber == true ? nil : text
    }
}
