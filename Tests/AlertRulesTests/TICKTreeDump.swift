@testable import AlertRules
@testable import GoTemplate

/// Our syntax tree in the text form Tools/tick-parser-cases writes Kapacitor's expected trees in:
/// one node a line, indented by depth, `Kind offset:line:column` and the node's values and flags;
/// a node's comment is its last child line.
enum TICKTreeDump {
    static func dump(_ n: TICKNode) -> String {
        var lines: [String] = []
        write(n, depth: 0, into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func write(_ n: TICKNode, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "  ", count: depth)
        let at = "\(n.position.offset):\(n.position.line):\(n.position.column)"
        var children: [TICKNode] = []
        var line: String
        switch n.kind {
        case .program(let nodes):
            line = "Program \(at)"
            children = nodes
        case .declaration(let name, let value):
            line = "Declaration \(at)"
            children = [name, value]
        case .typeDeclaration(let name, let type):
            line = "TypeDeclaration \(at)"
            children = [name, type]
        case .dbrp(let db, let rp):
            line = "DBRP \(at)"
            children = [db, rp]
        case .chain(let op, let l, let r):
            line = "Chain \(at) \(quote(op.description))"
            children = [l, r]
        case .function(let type, let name, let args, let multiLine):
            line = "Function \(at) \(type) \(quote(name))" + (multiLine ? " multiline" : "")
            children = args
        case .identifier(let s):
            line = "Identifier \(at) \(quote(s))"
        case .reference(let s):
            line = "Reference \(at) \(quote(s))"
        case .string(let s, let triple):
            line = "String \(at) \(quote(s))" + (triple ? " triple" : "")
        case .number(.int(let i, let base)):
            line = "Int \(at) base=\(base) \(i)"
        case .number(.float(let f)):
            line = "Float \(at) \(f)"
        case .duration(let ns, let literal):
            line = "Duration \(at) \(ns) \(quote(literal))"
        case .bool(let b):
            line = "Bool \(at) \(b)"
        case .regex(let pattern, let literal):
            line = "Regex \(at) \(quote(literal)) pattern=\(quote(pattern))"
        case .star:
            line = "Star \(at)"
        case .list(let items):
            line = "List \(at)"
            children = items
        case .lambda(let e):
            line = "Lambda \(at)"
            children = [e]
        case .unary(let op, let operand):
            line = "Unary \(at) \(quote(op.description))"
            children = [operand]
        case .binary(let op, let l, let r, let parens, let multiLine):
            line = "Binary \(at) \(quote(op.description))" + (parens ? " parens" : "") + (multiLine ? " multiline" : "")
            children = [l, r]
        case .comment(let text):
            line = "Comment \(at)" + text.map { " " + quote($0) }.joined()
        }
        lines.append(indent + line)
        for c in children { write(c, depth: depth + 1, into: &lines) }
        if let c = n.comment {
            lines.append(indent + "  Comment \(c.position.offset):\(c.position.line):\(c.position.column)" + c.lines.map { " " + quote($0) }.joined())
        }
    }

    /// Go's `strconv.Quote` (GoTemplate's port of it).
    static func quote(_ s: String) -> String { GoQuote.quote(s) }
}
