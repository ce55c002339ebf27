/// A node of a TICKscript's syntax tree, as Kapacitor's `tick/ast` builds it: the same kinds, the
/// same positions (a binary expression sits at its operator, a chain at its `.`/`|`/`@`), the same
/// comments attached to the same nodes.
struct TICKNode: Equatable {
    /// Where a node starts: UTF-8 byte offset, line, and byte column (1-based), as Kapacitor counts.
    struct Position: Equatable, CustomStringConvertible {
        var offset: Int
        var line: Int
        var column: Int
        var description: String { "\(line):\(column)" }
    }

    /// `// …` lines before a node, each without its `//` and one space.
    struct Comment: Equatable {
        var position: Position
        /// The lines; `"\n"` separates comment blocks the parser read as one.
        var lines: [String]
    }

    /// What a function node is called on (Kapacitor's `FuncType`).
    enum FunctionType: Equatable {
        /// `f(…)`: a global function.
        case global
        /// `|f(…)`: a new node.
        case chain
        /// `.f(…)`: a property of the node (or handler) on the left.
        case property
        /// `@f(…)`: a UDF.
        case dynamic
    }

    /// A number literal: an integer (with the base it was written in, 8 for a leading 0) or a float.
    enum Number: Equatable {
        case int(Int64, base: Int)
        case float(Double)
    }

    indirect enum Kind: Equatable {
        case program([TICKNode])
        /// `var name = value`.
        case declaration(name: TICKNode, value: TICKNode)
        /// `var name type`: a template variable.
        case typeDeclaration(name: TICKNode, type: TICKNode)
        /// `dbrp "db"."rp"`.
        case dbrp(database: TICKNode, retentionPolicy: TICKNode)
        /// `left . right`, `left | right`, `left @ right`.
        case chain(TICKToken.Kind, TICKNode, TICKNode)
        case function(FunctionType, String, [TICKNode], multiLine: Bool)
        case identifier(String)
        /// `"name"`, unescaped.
        case reference(String)
        case string(String, tripleQuotes: Bool)
        case number(Number)
        /// Nanoseconds, and the literal as written (empty for a value put in place of a variable).
        case duration(Int64, literal: String)
        case bool(Bool)
        /// The pattern (`\/` unescaped), and the literal between the slashes as written.
        case regex(pattern: String, literal: String)
        case star
        case list([TICKNode])
        case lambda(TICKNode)
        case unary(TICKToken.Kind, TICKNode)
        /// `parens`: written in parentheses; `multiLine`: the operands are on different lines.
        case binary(TICKToken.Kind, TICKNode, TICKNode, parens: Bool, multiLine: Bool)
        /// Comments at the end of the program, after every statement.
        case comment([String])
    }

    var kind: Kind
    var position: Position
    var comment: Comment?

    init(_ kind: Kind, _ position: Position, comment: Comment? = nil) {
        self.kind = kind
        self.position = position
        self.comment = comment
    }
}
