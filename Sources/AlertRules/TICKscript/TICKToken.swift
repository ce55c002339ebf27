/// A token of Kapacitor 1.5's TICKscript (`tick/ast/lex.go`): its kind, the UTF-8 byte offset
/// where it starts, and its text as written (quotes, slashes and `//` included).
struct TICKToken: Equatable {
    /// Kapacitor's `TokenType`s; `description` is its `TokenType.String()`, which error messages show.
    enum Kind: Equatable, CustomStringConvertible {
        /// A lexer error; the token's text is the reason.
        case error
        case eof
        case `var`, dbrp
        /// `=` of a declaration.
        case assign
        case dot, pipe, at
        case identifier, reference, lambda, number, string, duration
        case leftParen, rightParen, leftBracket, rightBracket, comma
        case not, `true`, `false`, regex, comment, star
        case plus, minus, mult, div, mod
        case and, or
        case equal, notEqual, less, greater, lessEqual, greaterEqual, regexEqual, regexNotEqual

        var description: String {
            switch self {
            case .error: return "ERR"
            case .eof: return "EOF"
            case .var: return "var"
            case .dbrp: return "dbrp"
            case .assign: return "="
            case .dot: return "."
            case .pipe: return "|"
            case .at: return "@"
            case .identifier: return "identifier"
            case .reference: return "reference"
            case .lambda: return "lambda"
            case .number: return "number"
            case .string: return "string"
            case .duration: return "duration"
            case .leftParen: return "("
            case .rightParen: return ")"
            case .leftBracket: return "["
            case .rightBracket: return "]"
            case .comma: return ","
            case .not: return "!"
            case .true: return "TRUE"
            case .false: return "FALSE"
            case .regex: return "regex"
            case .comment: return "//"
            case .star: return "*"
            case .plus: return "+"
            case .minus: return "-"
            case .mult: return "*"
            case .div: return "/"
            case .mod: return "%"
            case .and: return "AND"
            case .or: return "OR"
            case .equal: return "=="
            case .notEqual: return "!="
            case .less: return "<"
            case .greater: return ">"
            case .lessEqual: return "<="
            case .greaterEqual: return ">="
            case .regexEqual: return "=~"
            case .regexNotEqual: return "!~"
            }
        }

        /// An operator of expressions (Kapacitor's `IsExprOperator`): math, logic, comparison.
        var isExpressionOperator: Bool { precedence != nil }

        /// Kapacitor's operator precedence (`tick/ast/parser.go`); nil for tokens that are not
        /// binary operators.
        var precedence: Int? {
            switch self {
            case .or: return 0
            case .and: return 1
            case .equal, .notEqual, .regexEqual, .regexNotEqual: return 2
            case .greater, .greaterEqual, .less, .lessEqual: return 3
            case .plus, .minus: return 4
            case .mult, .div, .mod: return 5
            default: return nil
            }
        }

        /// The operator written as `text` (Kapacitor's `strToOperator`).
        static func binaryOperator(_ text: String) -> Kind? {
            switch text {
            case "!": return .not
            case "+": return .plus
            case "-": return .minus
            case "*": return .mult
            case "/": return .div
            case "%": return .mod
            case "==": return .equal
            case "!=": return .notEqual
            case "<": return .less
            case ">": return .greater
            case "<=": return .lessEqual
            case ">=": return .greaterEqual
            case "=~": return .regexEqual
            case "!~": return .regexNotEqual
            default: return nil
            }
        }
    }

    var kind: Kind
    /// UTF-8 byte offset of the token's first byte (Kapacitor's `pos`).
    var offset: Int
    /// The token's text; for `.error`, the lexer's reason.
    var text: String
}
