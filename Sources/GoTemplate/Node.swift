/// A node of a parsed template, as Go's text/template/parse builds it.
indirect enum Node: Sendable {
    case list(ListNode)
    case text(pos: Int, text: String)
    case comment(pos: Int, text: String)
    case action(ActionNode)
    case ifNode(BranchNode)
    case rangeNode(BranchNode)
    case withNode(BranchNode)
    case template(TemplateNode)
    case breakNode(pos: Int, line: Int)
    case continueNode(pos: Int, line: Int)
    /// Parser-internal: `{{end}}` and `{{else}}` close lists.
    case end(pos: Int)
    case elseNode(pos: Int, line: Int)

    var pos: Int {
        switch self {
        case .list(let l): return l.pos
        case .text(let p, _), .comment(let p, _), .breakNode(let p, _), .continueNode(let p, _), .end(let p), .elseNode(let p, _):
            return p
        case .action(let a): return a.pos
        case .ifNode(let b), .rangeNode(let b), .withNode(let b): return b.pos
        case .template(let t): return t.pos
        }
    }

    /// Go's `Node.String()`: the template text the node stands for.
    var description: String {
        var s = ""
        write(to: &s)
        return s
    }

    func write(to s: inout String) {
        switch self {
        case .list(let l): for n in l.nodes { n.write(to: &s) }
        case .text(_, let t): s += t
        case .comment(_, let t): s += "{{" + t + "}}"
        case .action(let a):
            s += "{{"
            a.pipe.write(to: &s)
            s += "}}"
        case .ifNode(let b): b.write(name: "if", to: &s)
        case .rangeNode(let b): b.write(name: "range", to: &s)
        case .withNode(let b): b.write(name: "with", to: &s)
        case .template(let t):
            s += "{{template " + GoQuote.quote(t.name)
            if let p = t.pipe {
                s += " "
                p.write(to: &s)
            }
            s += "}}"
        case .breakNode: s += "{{break}}"
        case .continueNode: s += "{{continue}}"
        case .end: s += "{{end}}"
        case .elseNode: s += "{{else}}"
        }
    }
}

/// A sequence of nodes. AST nodes are immutable classes, shared without copying: the parser
/// builds each node from finished parts, and the html/template escaper makes new nodes for what
/// it changes, so a parsed tree is only ever read (executions keep their state in the executor).
final class ListNode: Sendable {
    let pos: Int
    let nodes: [Node]

    init(pos: Int, nodes: [Node]) {
        self.pos = pos
        self.nodes = nodes
    }
}

/// `{{pipeline}}`: an action that prints its value.
final class ActionNode: Sendable {
    let pos: Int
    let line: Int
    let pipe: PipeNode
    /// A shortcut for the commonest shapes (see FastAction).
    let fast: FastAction?

    init(pos: Int, line: Int, pipe: PipeNode) {
        self.pos = pos
        self.line = line
        self.pipe = pipe
        self.fast = FastAction(pipe)
    }
}

/// `{{if}}`, `{{range}}`, `{{with}}`.
final class BranchNode: Sendable {
    let pos: Int
    let line: Int
    let pipe: PipeNode
    let list: ListNode
    let elseList: ListNode?

    init(pos: Int, line: Int, pipe: PipeNode, list: ListNode, elseList: ListNode?) {
        self.pos = pos
        self.line = line
        self.pipe = pipe
        self.list = list
        self.elseList = elseList
    }

    func write(name: String, to s: inout String) {
        s += "{{" + name + " "
        pipe.write(to: &s)
        s += "}}"
        Node.list(list).write(to: &s)
        if let e = elseList {
            s += "{{else}}"
            Node.list(e).write(to: &s)
        }
        s += "{{end}}"
    }
}

/// `{{template "name" pipeline}}`.
final class TemplateNode: Sendable {
    let pos: Int
    let line: Int
    let name: String
    let pipe: PipeNode?

    init(pos: Int, line: Int, name: String, pipe: PipeNode?) {
        self.pos = pos
        self.line = line
        self.name = name
        self.pipe = pipe
    }
}

/// A pipeline with optional variable declarations: `$x := a | b c`.
final class PipeNode: Sendable {
    let pos: Int
    let line: Int
    let isAssign: Bool
    let decl: [VariableNode]
    let cmds: [CommandNode]

    init(pos: Int, line: Int, isAssign: Bool, decl: [VariableNode], cmds: [CommandNode]) {
        self.pos = pos
        self.line = line
        self.isAssign = isAssign
        self.decl = decl
        self.cmds = cmds
    }

    func write(to s: inout String) {
        if !decl.isEmpty {
            s += decl.map { $0.ident.joined(separator: ".") }.joined(separator: ", ")
            s += " := "
        }
        for (i, c) in cmds.enumerated() {
            if i > 0 { s += " | " }
            c.write(to: &s)
        }
    }
}

/// `$x` or `$x.Field.Chain`.
final class VariableNode: Sendable {
    let pos: Int
    let ident: [String]

    init(pos: Int, ident: [String]) {
        self.pos = pos
        self.ident = ident
    }
}

/// A command: an operand or a function call with arguments.
final class CommandNode: Sendable {
    let pos: Int
    let args: [Arg]

    init(pos: Int, args: [Arg]) {
        self.pos = pos
        self.args = args
    }

    func write(to s: inout String) {
        for (i, a) in args.enumerated() {
            if i > 0 { s += " " }
            if case .pipe(let p) = a {
                s += "("
                p.write(to: &s)
                s += ")"
            } else {
                a.write(to: &s)
            }
        }
    }
}

/// A number literal with every interpretation Go gives it.
struct NumberNode: Sendable {
    var pos: Int
    var text: String
    var isInt = false
    var isUint = false
    var isFloat = false
    var isComplex = false
    var int64: Int64 = 0
    var uint64: UInt64 = 0
    var float64: Double = 0
    var complexReal: Double = 0
    var complexImag: Double = 0
}

/// An operand of a command.
indirect enum Arg: Sendable {
    case identifier(pos: Int, name: String)
    case variable(VariableNode)
    case dot(pos: Int)
    case nilValue(pos: Int)
    case field(pos: Int, ident: [String])
    case chain(pos: Int, node: Arg, fields: [String])
    case bool(pos: Int, value: Bool)
    case number(NumberNode)
    case string(pos: Int, quoted: String, text: String)
    case pipe(PipeNode)

    var pos: Int {
        switch self {
        case .identifier(let p, _), .dot(let p), .nilValue(let p), .field(let p, _), .chain(let p, _, _), .bool(let p, _),
             .string(let p, _, _):
            return p
        case .variable(let v): return v.pos
        case .number(let n): return n.pos
        case .pipe(let p): return p.pos
        }
    }

    var description: String {
        var s = ""
        write(to: &s)
        return s
    }

    func write(to s: inout String) {
        switch self {
        case .identifier(_, let n): s += n
        case .variable(let v): s += v.ident.joined(separator: ".")
        case .dot: s += "."
        case .nilValue: s += "nil"
        case .field(_, let ident): for i in ident { s += "." + i }
        case .chain(_, let node, let fields):
            if case .pipe(let p) = node {
                s += "("
                p.write(to: &s)
                s += ")"
            } else {
                node.write(to: &s)
            }
            for f in fields { s += "." + f }
        case .bool(_, let v): s += v ? "true" : "false"
        case .number(let n): s += n.text
        case .string(_, let q, _): s += q
        case .pipe(let p): p.write(to: &s)
        }
    }
}

/// Kapacitor's templates are mostly `{{.A.B}}` and `{{index .A "k"}}`: these shapes are evaluated
/// directly when every step is an ordinary lookup; anything else (a miss, another type, a method)
/// goes the general way, which then gives Go's exact result or error. `indexLiteral` applies only
/// while `index` is the builtin (the executor checks: a template's functions may replace it).
enum FastAction: Sendable {
    case fields([String])
    case indexLiteral(fields: [String], key: String)

    init?(_ pipe: PipeNode) {
        guard pipe.decl.isEmpty, pipe.cmds.count == 1 else { return nil }
        let args = pipe.cmds[0].args
        if args.count == 1, case .field(_, let ident) = args[0] {
            self = .fields(ident)
        } else if args.count == 3, case .identifier(_, "index") = args[0],
                  case .field(_, let ident) = args[1], case .string(_, _, let key) = args[2] {
            self = .indexLiteral(fields: ident, key: key)
        } else {
            return nil
        }
    }
}
