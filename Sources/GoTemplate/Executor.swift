import GoDuration

/// An error while executing a template, with Go's wording:
/// `template: NAME:LINE:COL: executing "NAME" at <NODE>: message`.
public struct TemplateExecutionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole message, as Go's `err.Error()` prints it.
    public var description: String
}

/// What a missing map key gives (`missingkey=` option).
public enum MissingKeyOption: Sendable {
    /// `default`/`invalid`: no value (`<no value>` when printed).
    case invalid
    /// `zero`: the zero value of the map's element type.
    case zero
    /// `error`: execution stops with an error.
    case error
}

/// A function callable from templates (`json`, `jsonCompact`, or your own).
public struct TemplateFunction: Sendable {
    /// Parameter count; the last one takes the rest when `variadic`.
    public var arity: Int
    /// Whether the last parameter is variadic.
    public var variadic: Bool
    /// The implementation: arguments in, value out, or an error message (`error calling NAME: …`).
    public var body: @Sendable ([TemplateValue]) throws(TemplateFunctionError) -> TemplateValue

    /// A function of `arity` parameters.
    public init(arity: Int, variadic: Bool = false,
                _ body: @escaping @Sendable ([TemplateValue]) throws(TemplateFunctionError) -> TemplateValue) {
        self.arity = arity
        self.variadic = variadic
        self.body = body
    }
}

/// A function's own error, reported as `error calling NAME: message`.
public struct TemplateFunctionError: Error, Sendable {
    /// The message after `error calling NAME: `.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
}

enum ControlFlow: Error {
    case breakLoop
    case continueLoop
}

/// Runs parsed trees against data, as Go's text/template `state` does.
struct Executor {
    let trees: [String: Tree]
    let text: String
    let functions: [String: TemplateFunction]
    let missingKey: MissingKeyOption
    /// Whether `index` is the builtin (the template's functions did not replace it): the
    /// `{{index .A "k"}}` shortcut applies only then.
    let indexIsBuiltin: Bool
    var output = ""
    private var vars: [(String, TemplateValue)] = []
    private var depth = 0
    private var currentTemplate: String
    /// The node being evaluated, for error messages; its text is only built when an error needs it.
    private var node: (pos: Int, context: ErrorContext)?
    /// Whether the next field chain starts from a value whose Go static type is interface{}
    /// (dot inside a range over []interface{} or map[string]interface{}).
    private var receiverIsInterface = false
    private var dotIsInterface = false

    // Go allows 100,000 nested template calls on its growable goroutine stacks; a thread stack here
    // is fixed (8 MiB, less with sanitizers), so runaway recursion stops at 100 (same message).
    static let maxDepth = 100

    init(trees: [String: Tree], text: String, functions: [String: TemplateFunction], missingKey: MissingKeyOption, name: String) {
        self.trees = trees
        self.text = text
        self.functions = functions
        self.missingKey = missingKey
        self.indexIsBuiltin = functions["index"] == nil
        self.currentTemplate = name
    }

    // MARK: Errors

    private func errorf(_ message: String) -> TemplateExecutionError {
        guard let node else { return TemplateExecutionError(description: "template: \(currentTemplate): \(message)") }
        let bytes = Array(text.utf8)
        let pos = min(node.pos, bytes.count)
        var line = 1
        var lastNewline = -1
        for i in 0..<pos where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lastNewline = i
        }
        let col = lastNewline == -1 ? pos : pos - lastNewline - 1
        let location = "\(parseName):\(line):\(col)"
        return TemplateExecutionError(description: "template: \(location): executing \(GoQuote.quote(currentTemplate)) at <\(node.context.text)>: \(message)")
    }

    /// Every tree of one Parse call reports its location under the parse's top-level name.
    var parseName = ""

    enum ErrorContext {
        case node(Node)
        case arg(Arg)
        case command(CommandNode)
        case pipe(PipeNode)

        var text: String {
            switch self {
            case .node(let n): return n.description
            case .arg(let a): return a.description
            case .command(let c): return Executor.text(of: c)
            case .pipe(let p): return p.descriptionForErrors
            }
        }
    }

    @inline(__always)
    private mutating func at(_ pos: Int, _ context: ErrorContext) { node = (pos, context) }

    // MARK: Walking

    mutating func execute(_ name: String, data: TemplateValue) throws(TemplateExecutionError) {
        guard let tree = trees[name] else {
            throw TemplateExecutionError(description: "template: \(name): \(GoQuote.quote(name)) is an incomplete or empty template")
        }
        vars = [("$", data)]
        do {
            try walkList(data, tree.root)
        } catch let e as TemplateExecutionError {
            throw e
        } catch {
            throw TemplateExecutionError(description: "template: \(name): \(error)")
        }
    }

    private mutating func walkList(_ dot: TemplateValue, _ l: ListNode) throws {
        for child in l.nodes { try walk(dot, child) }
    }

    private mutating func walk(_ dot: TemplateValue, _ n: Node) throws {
        switch n {
        case .action(let a):
            if let fast = a.fast, let value = fastValue(fast, dot) {
                output += GoFormat.vForPrint(value)
                return
            }
            let value = try evalPipeline(dot, a.pipe)
            if a.pipe.decl.isEmpty {
                at(a.pos, .node(n))
                try printValue(value)
            }
        case .breakNode: throw ControlFlow.breakLoop
        case .continueNode: throw ControlFlow.continueLoop
        case .comment: break
        case .ifNode(let b): try walkIfOrWith(dot, b, isWith: false)
        case .withNode(let b): try walkIfOrWith(dot, b, isWith: true)
        case .list(let l): try walkList(dot, l)
        case .rangeNode(let b): try walkRange(dot, b)
        case .template(let t): try walkTemplate(dot, t)
        case .text(_, let t): output += t
        case .end, .elseNode: break
        }
    }

    private mutating func walkIfOrWith(_ dot: TemplateValue, _ b: BranchNode, isWith: Bool) throws {
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let value = try evalPipeline(dot, b.pipe)
        guard let truth = Self.isTrue(value) else {
            throw errorf("if/with can't use \(GoFormat.v(value))")
        }
        if truth {
            try walkList(isWith ? value : dot, b.list)
        } else if let e = b.elseList {
            try walkList(dot, e)
        }
    }

    /// Go's `isTrue`: nil for values that have no truth (none in this value model).
    static func isTrue(_ v: TemplateValue) -> Bool? {
        switch v {
        case .missing, .null, .nilInterface: return false
        case .bool(let b): return b
        case .int(let i), .int64(let i): return i != 0
        case .uint64(let u): return u != 0
        case .float64(let f): return f != 0
        case .complex128(let re, let im): return re != 0 || im != 0
        case .string(let s), .stringer(_, let s), .namedString(_, let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        case .stringMap(let m): return !m.isEmpty
        case .nilMap: return false
        case .object, .time: return true
        case .duration(let d): return d.nanoseconds != 0
        case .namedInteger(_, let v, _): return v != 0
        }
    }

    private mutating func walkRange(_ dot: TemplateValue, _ b: BranchNode) throws {
        at(b.pos, .node(.rangeNode(b)))
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let value = try evalPipeline(dot, b.pipe)
        let innerMark = vars.count
        var iterations: [(TemplateValue, TemplateValue)] = []
        switch value {
        case .list(let items):
            iterations = items.enumerated().map { (.int(Int64($0.offset)), $0.element) }
        case .map(let m):
            iterations = goSortedKeys(m).map { (.string($0), m[$0]!) }
        case .stringMap(let m):
            iterations = goSortedKeys(m).map { (.string($0), .string(m[$0]!)) }
        case .missing, .null, .nilMap:
            break
        default:
            throw errorf("range can't iterate over \(GoFormat.v(value))")
        }
        if iterations.isEmpty {
            if let e = b.elseList { try walkList(dot, e) }
            return
        }
        let savedDotIsInterface = dotIsInterface
        switch value {
        case .list, .map: dotIsInterface = true
        default: dotIsInterface = false
        }
        defer { dotIsInterface = savedDotIsInterface }
        loop: for (index, element) in iterations {
            if !b.pipe.decl.isEmpty { vars[vars.count - 1].1 = element }
            if b.pipe.decl.count > 1 { vars[vars.count - 2].1 = index }
            defer { vars.removeLast(vars.count - innerMark) }
            do {
                try walkList(element, b.list)
            } catch ControlFlow.continueLoop {
                continue loop
            } catch ControlFlow.breakLoop {
                break loop
            }
        }
    }

    private mutating func walkTemplate(_ dot: TemplateValue, _ t: TemplateNode) throws {
        at(t.pos, .node(.template(t)))
        guard let tree = trees[t.name] else { throw errorf("template \(GoQuote.quote(t.name)) not defined") }
        if depth >= Self.maxDepth { throw errorf("exceeded maximum template depth (\(Self.maxDepth))") }
        let newDot = try t.pipe.map { try evalPipeline(dot, $0) } ?? .missing
        let saved = (vars, currentTemplate)
        depth += 1
        vars = [("$", newDot)]
        currentTemplate = t.name
        defer {
            (vars, currentTemplate) = saved
            depth -= 1
        }
        try walkList(newDot, tree.root)
    }

    // MARK: Pipelines

    private mutating func evalPipeline(_ dot: TemplateValue, _ pipe: PipeNode) throws -> TemplateValue {
        at(pipe.pos, .pipe(pipe))
        var value: TemplateValue? = nil
        for cmd in pipe.cmds {
            value = try evalCommand(dot, cmd, final: value)
        }
        let result = value ?? .missing
        for v in pipe.decl {
            if pipe.isAssign {
                try setVar(v.ident[0], result)
            } else {
                vars.append((v.ident[0], result))
            }
        }
        return result
    }

    private mutating func setVar(_ name: String, _ value: TemplateValue) throws {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].0 == name {
            vars[i].1 = value
            return
        }
        throw errorf("undefined variable: \(name)")
    }

    private func varValue(_ name: String) throws -> TemplateValue {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].0 == name { return vars[i].1 }
        throw errorf("undefined variable: \(name)")
    }

    private mutating func notAFunction(_ args: [Arg], _ final: TemplateValue?) throws {
        if args.count > 1 || final != nil {
            throw errorf("can't give argument to non-function \(args[0].description)")
        }
    }

    private mutating func evalCommand(_ dot: TemplateValue, _ cmd: CommandNode, final: TemplateValue?) throws -> TemplateValue {
        let first = cmd.args[0]
        switch first {
        case .field(let pos, let ident):
            at(pos, .arg(first))
            receiverIsInterface = dotIsInterface
            return try evalFieldChain(dot, receiver: dot, ident: ident, args: cmd.args, final: final)
        case .chain(let pos, let inner, let fields):
            at(pos, .arg(first))
            if case .nilValue = inner { throw errorf("indirection through explicit nil in \(first.description)") }
            let receiver = try evalArg(dot, inner)
            at(pos, .arg(first))
            return try evalFieldChain(dot, receiver: receiver, ident: fields, args: cmd.args, final: final)
        case .identifier(let pos, let name):
            at(pos, .arg(first))
            return try evalFunction(dot, name, args: cmd.args, final: final, command: (cmd.pos, .command(cmd)))
        case .pipe(let p):
            try notAFunction(cmd.args, final)
            return try evalPipeline(dot, p)
        case .variable(let v):
            at(v.pos, .arg(first))
            let value = try varValue(v.ident[0])
            if v.ident.count == 1 {
                try notAFunction(cmd.args, final)
                return value
            }
            return try evalFieldChain(dot, receiver: value, ident: Array(v.ident.dropFirst()), args: cmd.args, final: final)
        default:
            break
        }
        at(first.pos, .arg(first))
        try notAFunction(cmd.args, final)
        switch first {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .nilValue: throw errorf("nil is not a command")
        case .number(let n): return try idealConstant(n)
        case .string(_, _, let s): return .string(s)
        default: throw errorf("can't evaluate command \(GoQuote.quote(first.description))")
        }
    }

    private func idealConstant(_ n: NumberNode) throws -> TemplateValue {
        let lower = n.text.lowercased()
        let isHexInt = lower.count > 2 && (lower.hasPrefix("0x") || lower.hasPrefix("-0x") || lower.hasPrefix("+0x")) && !lower.contains("p")
        let isRuneInt = n.text.hasPrefix("'")
        if n.isComplex { return .complex128(n.complexReal, n.complexImag) }
        if n.isFloat && !isHexInt && !isRuneInt && n.text.contains(where: { ".eEpP".contains($0) }) { return .float64(n.float64) }
        if n.isInt { return .int(n.int64) }
        if n.isUint { throw errorf("\(n.text) overflows int") }
        return .missing
    }

    // MARK: Fields

    private mutating func evalFieldChain(_ dot: TemplateValue, receiver: TemplateValue, ident: [String],
                                         args: [Arg], final: TemplateValue?) throws -> TemplateValue {
        var r = receiver
        // Values read out of map[string]interface{} have the static type interface{} in Go.
        var viaInterface = receiverIsInterface
        receiverIsInterface = false
        for (i, name) in ident.enumerated() {
            let last = i == ident.count - 1
            let container = r
            r = try evalField(dot, name, receiver: r, args: last ? args : [], final: last ? final : nil,
                              staticType: viaInterface ? "interface {}" : nil)
            if case .map = container { viaInterface = true } else { viaInterface = false }
        }
        return r
    }

    private mutating func evalField(_ dot: TemplateValue, _ name: String, receiver: TemplateValue, args: [Arg],
                                    final: TemplateValue?, staticType: String?) throws -> TemplateValue {
        if case .missing = receiver {
            if missingKey == .error { throw errorf("nil data; no entry for key \(GoQuote.quote(name))") }
            return .missing
        }
        let hasArgs = args.count > 1 || final != nil
        switch GoMethods.lookup(receiver, name) {
        case .method(let method): return try callMethod(dot, name, method, args: args, final: final)
        case .unimplemented(let typeName):
            throw errorf("method \(name) of \(typeName) is not implemented by alertrelay's templates (use Format, Unix, UnixNano, Add, Sub and the calendar methods)")
        case .none: break
        }
        switch receiver {
        case .object(let o):
            if !o.embedded.isEmpty, o.fields[name] != nil, o.embedded.contains(name), name.first?.isLowercase == true {
                throw errorf("\(name) is an unexported field of struct type \(o.typeName)")
            }
            if let v = o.embedded.isEmpty ? o.fields[name] : o.lookup(name) {
                if hasArgs { throw errorf("\(name) has arguments but cannot be invoked as function") }
                return v
            }
        case .map(let m):
            if hasArgs { throw errorf("\(name) is not a method but has arguments") }
            if let v = m[name] { return v }
            switch missingKey {
            case .invalid: return .missing
            case .zero: return .null  // the zero interface{}: prints <no value>, has no fields
            case .error: throw errorf("map has no entry for key \(GoQuote.quote(name))")
            }
        case .nilMap(let strings):
            if hasArgs { throw errorf("\(name) is not a method but has arguments") }
            switch missingKey {
            case .invalid: return .missing
            case .zero: return strings ? .string("") : .null
            case .error: throw errorf("map has no entry for key \(GoQuote.quote(name))")
            }
        case .stringMap(let m):
            if hasArgs { throw errorf("\(name) is not a method but has arguments") }
            if let v = m[name] { return .string(v) }
            switch missingKey {
            case .invalid: return .missing
            case .zero: return .string("")
            case .error: throw errorf("map has no entry for key \(GoQuote.quote(name))")
            }
        case .null:
            throw errorf("nil pointer evaluating interface {}.\(name)")
        case .nilInterface(let t):
            throw errorf("nil pointer evaluating \(t).\(name)")
        default:
            break
        }
        throw errorf("can't evaluate field \(name) in type \(staticType ?? receiver.goTypeName)")
    }

    /// Go's `evalCall` for a method: the argument count, the result count, then each argument
    /// evaluated for its parameter's type (`evalArg`) and the piped value checked (`validateType`).
    private mutating func callMethod(_ dot: TemplateValue, _ name: String, _ method: GoMethods.Method,
                                     args: [Arg], final: TemplateValue?) throws -> TemplateValue {
        let argNodes = args.dropFirst()
        let count = argNodes.count + (final == nil ? 0 : 1)
        if count != method.params.count {
            throw errorf("wrong number of args for \(name): want \(method.params.count) got \(count)")
        }
        if method.results != 1 { throw errorf("can't call method/function \(GoQuote.quote(name)) with \(method.results) results") }
        var values: [TemplateValue] = []
        for (a, param) in zip(argNodes, method.params) { values.append(try evalArg(dot, a, as: param)) }
        if let final { values.append(try validate(final, as: method.params[method.params.count - 1])) }
        return method.call(values)
    }

    /// Go's `evalArg` for a parameter of a known type: constants must be of its kind, other
    /// operands are evaluated and then checked.
    private mutating func evalArg(_ dot: TemplateValue, _ a: Arg, as param: GoMethods.Param) throws -> TemplateValue {
        at(a.pos, .arg(a))
        switch a {
        case .dot: return try validate(dot, as: param)
        case .nilValue: throw errorf("cannot assign nil to \(param.goTypeName)")
        case .field, .variable, .pipe, .identifier, .chain:
            let value = try evalArg(dot, a)
            return try validate(value, as: param)
        case .bool, .number, .string:
            break
        }
        switch (param, a) {
        case (.string, .string(_, _, let text)): return .string(text)
        case (.string, _): throw errorf("expected string; found \(a.description)")
        case (.int, .number(let n)) where n.isInt: return .int(n.int64)
        case (.duration, .number(let n)) where n.isInt: return .duration(GoDuration(nanoseconds: n.int64))
        case (.int, _), (.duration, _): throw errorf("expected integer; found \(a.description)")
        case (.time, _): throw errorf("can't handle \(a.description) for arg of type time.Time")
        }
    }

    /// Go's `validateType`: the value must be of the parameter's type.
    private func validate(_ value: TemplateValue, as param: GoMethods.Param) throws -> TemplateValue {
        if param.accepts(value) { return value }
        switch value {
        case .missing: throw errorf("invalid value; expected \(param.goTypeName)")
        case .null: throw errorf("wrong type for value; expected \(param.goTypeName); got interface {}")
        default: throw errorf("wrong type for value; expected \(param.goTypeName); got \(value.goTypeName)")
        }
    }

    // MARK: Functions

    static func text(of cmd: CommandNode) -> String {
        var s = ""
        cmd.write(to: &s)
        return s
    }

    private mutating func evalFunction(_ dot: TemplateValue, _ name: String, args: [Arg], final: TemplateValue?,
                                       command: (pos: Int, context: ErrorContext)) throws -> TemplateValue {
        let argNodes = Array(args.dropFirst())
        switch name {
        case "and", "or":
            // Short-circuit: evaluate left to right, stop at the first falsy (and) / truthy (or).
            let count = argNodes.count + (final == nil ? 0 : 1)
            if count < 1 { throw errorf("wrong number of args for \(name): want at least 1 got 0") }
            var value: TemplateValue = .missing
            for (i, a) in argNodes.enumerated() {
                value = try evalArg(dot, a)
                let truth = Self.isTrue(value) ?? true
                if name == "and" ? !truth : truth { return value }
                if i == argNodes.count - 1 && final == nil { return value }
            }
            if let final { return final }
            return value
        default:
            break
        }
        let count = argNodes.count + (final == nil ? 0 : 1)
        let builtin = functions.isEmpty || functions[name] == nil ? Builtins.lookup(name) : nil
        if let builtin {
            try checkArity(name, builtin.arity, builtin.variadic, count)
        } else if let f = functions[name] {
            try checkArity(name, f.arity, f.variadic, count)
        } else {
            throw errorf("\(GoQuote.quote(name)) is not a defined function")
        }
        // printf's format is its one typed parameter (a Go string): checked as Go's evalArg checks it,
        // before the other arguments are evaluated.
        let typedFormat = builtin != nil && name == "printf"
        var values: [TemplateValue] = []
        values.reserveCapacity(count)
        for (k, a) in argNodes.enumerated() { values.append(k == 0 && typedFormat ? try evalArg(dot, a, as: .string) : try evalArg(dot, a)) }
        if let final { values.append(typedFormat && argNodes.isEmpty ? try validate(final, as: .string) : final) }
        if let builtin {
            do {
                return try builtin.body(values)
            } catch let e as TemplateFunctionError {
                at(command.pos, command.context)
                throw errorf("error calling \(name): \(e.message)")
            }
        }
        guard let f = functions[name] else { throw errorf("\(GoQuote.quote(name)) is not a defined function") }
        do {
            return try f.body(values)
        } catch {
            at(command.pos, command.context)
            throw errorf("error calling \(name): \(error.message)")
        }
    }

    private func checkArity(_ name: String, _ arity: Int, _ variadic: Bool, _ got: Int) throws {
        if variadic {
            if got < arity - 1 { throw errorf("wrong number of args for \(name): want at least \(arity - 1) got \(got)") }
        } else if got != arity {
            throw errorf("wrong number of args for \(name): want \(arity) got \(got)")
        }
    }

    private mutating func evalArg(_ dot: TemplateValue, _ a: Arg) throws -> TemplateValue {
        at(a.pos, .arg(a))
        switch a {
        case .dot: return dot
        case .nilValue: return .null
        case .field(let pos, let ident):
            at(pos, .arg(a))
            receiverIsInterface = dotIsInterface
            return try evalFieldChain(dot, receiver: dot, ident: ident, args: [a], final: nil)
        case .variable(let v):
            let value = try varValue(v.ident[0])
            if v.ident.count == 1 { return value }
            return try evalFieldChain(dot, receiver: value, ident: Array(v.ident.dropFirst()), args: [], final: nil)
        case .pipe(let p): return try evalPipeline(dot, p)
        case .identifier(let pos, let name): return try evalFunction(dot, name, args: [a], final: nil, command: (pos, .arg(a)))
        case .chain(let pos, let inner, let fields):
            if case .nilValue = inner { throw errorf("indirection through explicit nil in \(a.description)") }
            let receiver = try evalArg(dot, inner)
            at(pos, .arg(a))
            return try evalFieldChain(dot, receiver: receiver, ident: fields, args: [], final: nil)
        case .bool(_, let b): return .bool(b)
        case .number(let n): return try idealConstant(n)
        case .string(_, _, let s): return .string(s)
        }
    }

    // MARK: Shortcuts

    /// One ordinary field step, or nil when the general path must decide.
    @inline(__always)
    private func fastField(_ receiver: TemplateValue, _ name: String) -> TemplateValue? {
        switch receiver {
        case .object(let o) where o.embedded.isEmpty: return o.fields[name]
        case .map(let m): return m[name]
        case .stringMap(let m): return m[name].map { .string($0) }
        default: return nil
        }
    }

    private func fastValue(_ fast: FastAction, _ dot: TemplateValue) -> TemplateValue? {
        switch fast {
        case .fields(let ident):
            var r = dot
            for name in ident {
                guard let next = fastField(r, name) else { return nil }
                r = next
            }
            return r
        case .indexLiteral(let ident, let key):
            guard indexIsBuiltin else { return nil }
            var r = dot
            for name in ident {
                guard let next = fastField(r, name) else { return nil }
                r = next
            }
            switch r {
            case .map(let m): return m[key] ?? .missing  // index of a missing key: the zero interface{}
            case .stringMap(let m): return .string(m[key] ?? "")
            case .nilMap(let strings): return strings ? .string("") : .missing
            default: return nil
            }
        }
    }

    // MARK: Printing

    private mutating func printValue(_ v: TemplateValue) throws {
        switch v {
        case .missing, .null: output += "<no value>"  // a nil interface{} digs down to no value
        default: output += GoFormat.v(v)
        }
    }
}

extension PipeNode {
    var descriptionForErrors: String {
        var s = ""
        write(to: &s)
        return s
    }
}
