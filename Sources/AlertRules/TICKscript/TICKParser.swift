/// A node or property call: its name, arguments and place.
protocol TICKCall {
    var name: String { get }
    var arguments: [TICKTask.Argument] { get }
    var line: Int { get }
    var column: Int { get }
}

/// A parsed TICKscript task: its variables, `dbrp` statements and its one chain of nodes.
struct TICKTask {
    /// A value as written: an argument or a variable's value.
    enum Value {
        case string(String)
        case number(String)
        case duration(String)
        case lambda(String)
        case regex(String)
        case bool(Bool)
        case star
        case list([Value])
    }

    /// An argument with where it starts.
    struct Argument {
        var value: Value
        var line: Int
        var column: Int
    }

    /// `.name(args)` on a node.
    struct Property: TICKCall {
        var name: String
        var arguments: [Argument]
        var line: Int
        var column: Int
    }

    /// `|name(args)` and its properties.
    struct Node: TICKCall {
        var name: String
        var arguments: [Argument]
        var properties: [Property]
        var line: Int
        var column: Int
    }

    var source: String = ""
    var nodes: [Node] = []
    var dbrps: [(database: String, retentionPolicy: String)] = []
}

/// Kapacitor 1.5's TICKscript grammar for one task: `var` declarations of every literal type and of
/// a chain, `dbrp "db"."rp"`, and the chain `stream|node(args).property(args)|…` (a chain held
/// in a variable may be continued by one statement).
struct TICKParser {
    private var tokens: [TICKToken]
    private var i = 0
    private var variables: [String: TICKTask.Value] = [:]
    private var chainVariables: [String: TICKTask] = [:]

    init(_ text: String) throws(TICKError) {
        var lexer = TICKLexer(text)
        tokens = try lexer.tokens()
    }

    /// The value of variable `name`, for lambdas that use it.
    func variable(_ name: String) -> TICKTask.Value? { variables[name] }

    mutating func parse() throws(TICKError) -> (TICKTask, [String: TICKTask.Value]) {
        var task: TICKTask?
        var dbrps: [(String, String)] = []
        while i < tokens.count {
            let t = tokens[i]
            switch t.kind {
            case .identifier("var"):
                i += 1
                guard case .identifier(let name) = peek()?.kind else { throw error(at: peek() ?? t, "var needs a name") }
                i += 1
                try expect("=")
                if case .identifier(let s)? = peek()?.kind, s == "stream" || s == "batch" || chainVariables[s] != nil {
                    chainVariables[name] = try chain()
                } else {
                    variables[name] = try value()
                }
            case .identifier("dbrp"):
                i += 1
                guard case .reference(let db)? = peek()?.kind else { throw error(at: peek() ?? t, "dbrp needs \"database\".\"retentionPolicy\"") }
                i += 1
                try expect(".")
                guard case .reference(let rp)? = peek()?.kind else { throw error(at: peek() ?? t, "dbrp needs \"database\".\"retentionPolicy\"") }
                i += 1
                dbrps.append((db, rp))
            case .identifier:
                guard task == nil else { throw error(at: t, "a task here is one chain: this second one is not supported (branches, joins and unions need Kapacitor)") }
                task = try chain()
            default:
                throw error(at: t, "expected a statement (var, dbrp, or a chain starting with stream)")
            }
        }
        guard var found = task ?? (chainVariables.count == 1 ? chainVariables.values.first : nil) else {
            throw TICKError(line: 1, column: 1, message: "no chain: a task starts with stream|from()")
        }
        found.dbrps = dbrps
        return (found, variables)
    }

    private func peek() -> TICKToken? { i < tokens.count ? tokens[i] : nil }

    private func error(at t: TICKToken, _ message: String) -> TICKError {
        TICKError(line: t.line, column: t.column, message: message)
    }

    private mutating func expect(_ s: Character) throws(TICKError) {
        guard let t = peek(), case .symbol(s) = t.kind else {
            let t = peek() ?? tokens.last!
            throw error(at: t, "expected \"\(s)\"")
        }
        i += 1
    }

    private func isSymbol(_ s: Character) -> Bool {
        if let t = peek(), case .symbol(s) = t.kind { return true }
        return false
    }

    private mutating func chain() throws(TICKError) -> TICKTask {
        guard let start = peek(), case .identifier(let source) = start.kind else { throw error(at: peek() ?? tokens.last!, "expected stream") }
        i += 1
        var task: TICKTask
        if let v = chainVariables[source] {
            task = v
            chainVariables[source] = nil
        } else if source == "stream" {
            task = TICKTask(source: source)
        } else if source == "batch" {
            throw error(at: start, "batch tasks are not supported: alertrelay runs stream tasks (stream|from()...)")
        } else {
            throw error(at: start, "\"\(source)\" is not a chain: a task starts with stream")
        }
        while isSymbol("|") || isSymbol(".") {
            if isSymbol("|") {
                i += 1
                if isSymbol("@") { throw error(at: peek()!, "UDFs (@name) are not supported") }
                let (name, args, t) = try call()
                task.nodes.append(.init(name: name, arguments: args, properties: [], line: t.line, column: t.column))
            } else {
                i += 1
                let (name, args, t) = try call()
                guard !task.nodes.isEmpty else { throw error(at: t, ".\(name)() needs a node before it") }
                task.nodes[task.nodes.count - 1].properties.append(.init(name: name, arguments: args, line: t.line, column: t.column))
            }
        }
        return task
    }

    private mutating func call() throws(TICKError) -> (String, [TICKTask.Argument], TICKToken) {
        guard let t = peek(), case .identifier(let name) = t.kind else { throw error(at: peek() ?? tokens.last!, "expected a node or property name") }
        i += 1
        try expect("(")
        var args: [TICKTask.Argument] = []
        while !isSymbol(")") {
            guard let a = peek() else { throw error(at: t, "\(name)( is not closed") }
            args.append(.init(value: try value(), line: a.line, column: a.column))
            if isSymbol(",") { i += 1 } else if !isSymbol(")") { throw error(at: peek() ?? a, "expected \",\" or \")\"") }
        }
        i += 1
        return (name, args, t)
    }

    private mutating func value() throws(TICKError) -> TICKTask.Value {
        guard let t = peek() else { throw error(at: tokens.last!, "expected a value") }
        i += 1
        switch t.kind {
        case .string(let s): return .string(s)
        case .number(let n): return .number(n)
        case .duration(let d): return .duration(d)
        case .lambda(let l): return .lambda(l)
        case .regex(let r): return .regex(r)
        case .symbol("*"): return .star
        case .symbol("["):
            var items: [TICKTask.Value] = []
            while !isSymbol("]") {
                items.append(try value())
                if isSymbol(",") { i += 1 }
            }
            i += 1
            return .list(items)
        case .identifier("TRUE"): return .bool(true)
        case .identifier("FALSE"): return .bool(false)
        case .identifier(let name):
            guard let v = variables[name] else { throw error(at: t, "unknown variable \"\(name)\"") }
            return v
        default:
            throw error(at: t, "expected a value")
        }
    }
}
