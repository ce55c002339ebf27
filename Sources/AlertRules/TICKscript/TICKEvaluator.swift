/// Runs a parsed TICKscript as Kapacitor's `tick/eval.go` does, down to the task it defines:
/// variables are immutable and hold literals, lambdas (their variables replaced by values, as
/// `resolveIdents`) or chains; an expression of literals is computed when declared; `|node()`
/// adds a node, `.property()` records a call on the node (or handler) it follows. What Kapacitor
/// would build and alertrelay cannot run (a second branch, a join, a UDF, template variables, a
/// batch task) is refused at the place it is written.
struct TICKEvaluator {
    /// What a name or an expression stands for.
    enum Binding {
        case value(TICKTask.Value)
        /// A node of the chain: its index in the task, -1 for `stream` itself.
        case node(Int)
    }

    private var scope: [String: Binding] = ["stream": .node(-1)]
    private var task = TICKTask()
    /// Where the chain was continued from each node (index + 1; 0 for `stream`), for the
    /// refusal of a second branch.
    private var childAt: [Int: TICKNode.Position] = [:]

    /// The task a parsed script (a `.program` node) defines.
    static func evaluate(_ program: TICKNode) throws(TICKError) -> TICKTask {
        var e = TICKEvaluator()
        guard case .program(let statements) = program.kind else { throw TICKError(at: program.position, "not a TICKscript program") }
        for s in statements { try e.statement(s) }
        guard !e.task.nodes.isEmpty else {
            throw TICKError(at: program.position, "no chain: a task starts with stream|from()")
        }
        return e.task
    }

    private mutating func statement(_ n: TICKNode) throws(TICKError) {
        switch n.kind {
        case .declaration(let name, let value):
            guard case .identifier(let v) = name.kind else { throw TICKError(at: name.position, "var needs a name") }
            guard scope[v] == nil else { throw TICKError(at: n.position, "attempted to redefine \(v), vars are immutable") }
            scope[v] = try evaluate(value)
        case .typeDeclaration(let name, let type):
            let v: String
            if case .identifier(let s) = name.kind { v = s } else { v = "?" }
            let t: String
            if case .identifier(let s) = type.kind { t = s } else { t = "?" }
            throw TICKError(at: n.position, "var \(v) \(t) declares a template variable with no value: alertrelay runs tasks, not templates (write var \(v) = …)")
        case .dbrp(let db, let rp):
            guard case .reference(let d) = db.kind, case .reference(let r) = rp.kind else { throw TICKError(at: n.position, "dbrp needs \"database\".\"retentionPolicy\"") }
            task.dbrps.append((d, r))
        case .comment:
            break
        default:
            _ = try evaluate(n)
        }
    }

    private mutating func evaluate(_ n: TICKNode) throws(TICKError) -> Binding {
        switch n.kind {
        case .number(.int(let i, _)): return .value(.int(i))
        case .number(.float(let f)): return .value(.float(f))
        case .duration(let d, _): return .value(.duration(d))
        case .string(let s, _): return .value(.string(s))
        case .bool(let b): return .value(.bool(b))
        case .regex(let p, let l): return .value(.regex(pattern: p, literal: l))
        case .star: return .value(.star)
        case .reference(let r): return .value(.reference(r))
        case .lambda(let e): return .value(.lambda(try resolve(e)))
        case .identifier(let name): return try lookUp(name, at: n.position)
        case .list(let items):
            var values: [TICKTask.Value] = []
            for item in items { values.append(try value(item)) }
            return .value(.list(values))
        case .unary(let op, let operand):
            let v = try value(operand)
            switch (op, v) {
            case (.minus, .int(let i)) where i != .min: return .value(.int(-i))
            case (.minus, .float(let f)): return .value(.float(-f))
            case (.minus, .duration(let d)) where d != .min: return .value(.duration(-d))
            case (.not, .bool(let b)): return .value(.bool(!b))
            default: throw TICKError(at: n.position, "invalid argument to '\(op)': \(v.kindDescription)")
            }
        case .binary:
            return .value(try constant(n))
        case .function(.global, let name, _, _):
            if name == "time" {
                throw TICKError(at: n.position, "time() groups batch queries by time: batch tasks are not supported (alertrelay runs stream tasks)")
            }
            throw TICKError(at: n.position, "no global function \"\(name)\" defined (outside a lambda only an expression such as 2 * 5m is computed)")
        case .function:
            throw TICKError(at: n.position, "a node or property call needs a node before it")
        case .chain(let op, let left, let right):
            return try chain(op, left, right, at: n.position)
        case .program, .declaration, .typeDeclaration, .dbrp, .comment:
            throw TICKError(at: n.position, "a statement cannot be used as a value")
        }
    }

    /// An expression that must give a value, not a chain.
    private mutating func value(_ n: TICKNode) throws(TICKError) -> TICKTask.Value {
        switch try evaluate(n) {
        case .value(let v): return v
        case .node:
            throw TICKError(at: n.position, "a chain cannot be used as a value here (joins and unions of chains need Kapacitor)")
        }
    }

    private func lookUp(_ name: String, at position: TICKNode.Position) throws(TICKError) -> Binding {
        guard let b = scope[name] else {
            if name == "batch" {
                throw TICKError(at: position, "batch tasks are not supported: alertrelay runs stream tasks (stream|from()...)")
            }
            let names = scope.keys.sorted().joined(separator: ",")
            throw TICKError(at: position, "name \"\(name)\" is undefined. Names in scope: \(names)")
        }
        return b
    }

    private mutating func chain(_ op: TICKToken.Kind, _ left: TICKNode, _ right: TICKNode, at position: TICKNode.Position) throws(TICKError) -> Binding {
        let target: Int
        switch try evaluate(left) {
        case .node(let i): target = i
        case .value(let v):
            throw TICKError(at: position, "\(v.kindDescription) has no \(op == .pipe ? "chaining methods" : "properties"): \(op) needs a node on its left")
        }
        guard case .function(let type, let name, let argNodes, _) = right.kind else {
            var prop = "?"
            if case .identifier(let s) = right.kind { prop = s }
            throw TICKError(at: right.position, "reading .\(prop) of a node is not supported: call it, .\(prop)(…)")
        }
        if type == .dynamic {
            throw TICKError(at: right.position, "UDFs (@\(name)) are not supported: alertrelay runs Kapacitor's built-in nodes")
        }
        var args: [TICKTask.Argument] = []
        for a in argNodes { args.append(TICKTask.Argument(value: try value(a), position: a.position)) }
        // Kapacitor: a single list argument is the argument list.
        if args.count == 1, case .list(let items) = args[0].value {
            args = items.map { TICKTask.Argument(value: $0, position: args[0].position) }
        }
        if type == .chain {
            if target == -1 && name != "from" {
                throw TICKError(at: right.position, "stream has no chaining method \(name): a stream task starts with stream|from()")
            }
            if target != task.nodes.count - 1 {
                let from = target == -1 ? "stream" : task.nodes[target].name + "()"
                let first = childAt[target + 1].map { " (the first continues at \($0))" } ?? ""
                throw TICKError(at: right.position, "a second branch from \(from)\(first): a task here is one chain (branches, joins and unions need Kapacitor)")
            }
            childAt[target + 1] = right.position
            task.nodes.append(TICKTask.Node(name: name, arguments: args, properties: [], position: right.position))
            return .node(task.nodes.count - 1)
        }
        guard target >= 0 else {
            throw TICKError(at: right.position, "stream has no property \(name): a stream task starts with stream|from()")
        }
        task.nodes[target].properties.append(TICKTask.Property(name: name, arguments: args, position: right.position))
        return .node(target)
    }

    /// The expression with each identifier replaced by its variable's value (Kapacitor's
    /// `resolveIdents`, done when the lambda is evaluated, so later declarations do not change it).
    private func resolve(_ n: TICKNode) throws(TICKError) -> TICKNode {
        var n = n
        switch n.kind {
        case .identifier(let name):
            guard case .value(let v) = try lookUp(name, at: n.position) else {
                throw TICKError(at: n.position, "\(name) is a chain: a lambda cannot hold it")
            }
            return try Self.literal(v, at: n.position)
        case .unary(let op, let operand):
            n.kind = .unary(op, try resolve(operand))
        case .binary(let op, let l, let r, let parens, let multiLine):
            n.kind = .binary(op, try resolve(l), try resolve(r), parens: parens, multiLine: multiLine)
        case .function(let type, let name, let args, let multiLine):
            var resolved: [TICKNode] = []
            for a in args { resolved.append(try resolve(a)) }
            n.kind = .function(type, name, resolved, multiLine: multiLine)
        default:
            break
        }
        return n
    }

    /// A value as a literal node (Kapacitor's `ValueToLiteralNode`).
    static func literal(_ v: TICKTask.Value, at p: TICKNode.Position) throws(TICKError) -> TICKNode {
        switch v {
        case .bool(let b): return TICKNode(.bool(b), p)
        case .int(let i): return TICKNode(.number(.int(i, base: 10)), p)
        case .float(let f): return TICKNode(.number(.float(f)), p)
        case .duration(let d): return TICKNode(.duration(d, literal: ""), p)
        case .string(let s): return TICKNode(.string(s, tripleQuotes: false), p)
        case .regex(let pattern, let literal): return TICKNode(.regex(pattern: pattern, literal: literal), p)
        case .lambda(let e): return TICKNode(.lambda(e), p)
        case .star: return TICKNode(.star, p)
        case .list(let items):
            var nodes: [TICKNode] = []
            for i in items { nodes.append(try literal(i, at: p)) }
            return TICKNode(.list(nodes), p)
        case .reference:
            throw TICKError(at: p, "unsupported literal type: a variable holding a \"reference\" cannot be used in a lambda (write the reference in the lambda)")
        }
    }

    /// An expression of literals and variables outside a lambda, computed now as Kapacitor does
    /// (with its lambda evaluator: the same types, functions and errors).
    private func constant(_ n: TICKNode) throws(TICKError) -> TICKTask.Value {
        let text = try resolve(n).expressionText()
        let result: LambdaValue
        do throws(LambdaError) {
            result = try LambdaExpression(text).evaluate(LambdaContext())
        } catch {
            throw TICKError(at: n.position, error.message)
        }
        switch result {
        case .float(let f): return .float(f)
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .duration(let d): return .duration(d)
        case .regex(let r): return .regex(pattern: r.pattern, literal: "")
        case .time, .missing:
            throw TICKError(at: n.position, "\(text) has no value outside a lambda")
        }
    }
}
