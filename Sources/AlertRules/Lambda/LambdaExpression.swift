import LineProtocol

/// What an alert event offers a handler's `match` expression: `changed()`, `level()`, `name()`,
/// `taskName()`, `alertDuration()`, and tags as `"references"`.
public struct LambdaEventInfo: Sendable {
    public var changed: Bool
    public var level: AlertLevel
    public var name: String
    public var taskName: String
    public var duration: Int64
    public var tags: [Tag]

    public init(changed: Bool, level: AlertLevel, name: String, taskName: String, duration: Int64, tags: [Tag]) {
        self.changed = changed
        self.level = level
        self.name = name
        self.taskName = taskName
        self.duration = duration
        self.tags = tags
    }
}

/// The running state of the stateful functions (`sigma`, `count`, `spread`) of one group.
public final class LambdaState {
    struct Slot {
        var n: Double = 0
        var mean: Double = 0
        var m2: Double = 0
        var min: Double = .infinity
        var max: Double = -.infinity
        var count: Int64 = 0
    }
    @exclusivity(unchecked) var slots: [Slot]

    /// State for `count` call sites.
    public init(slots count: Int) { slots = Array(repeating: Slot(), count: count) }

    /// The state for `count` slots, or nil when the expressions have no stateful function (most
    /// have none: no state is made per group for them).
    public static func forSlots(_ count: Int) -> LambdaState? { count > 0 ? LambdaState(slots: count) : nil }
}

/// What an expression is evaluated against.
public struct LambdaContext {
    /// The point (rules): references read its fields, then its tags; `"time"` is its time.
    public var point: Point?
    /// The event (handler matches): references read its tags.
    public var event: LambdaEventInfo?
    /// Stateful function state of the point's group.
    public var state: LambdaState?

    public init(point: Point? = nil, event: LambdaEventInfo? = nil, state: LambdaState? = nil) {
        self.point = point
        self.event = event
        self.state = state
    }
}

/// What compiled closures read: pointers to the caller's point or event (no copies, no retains).
struct LambdaInput {
    var point: UnsafePointer<Point>?
    var event: UnsafePointer<LambdaEventInfo>?
    unowned(unsafe) var state: LambdaState?
}

extension LambdaContext {
    /// Runs `body` with pointers to this context's point and event.
    func withInput<R>(_ body: (LambdaInput) throws(LambdaError) -> R) throws(LambdaError) -> R {
        func withEvent(_ p: UnsafePointer<Point>?) throws(LambdaError) -> R {
            if let event {
                return try withUnsafePointer(to: event) { (e) throws(LambdaError) -> R in
                    try body(LambdaInput(point: p, event: e, state: state))
                }
            }
            return try body(LambdaInput(point: p, event: nil, state: state))
        }
        if let point {
            return try withUnsafePointer(to: point) { (p) throws(LambdaError) -> R in try withEvent(p) }
        }
        return try withEvent(nil)
    }
}

typealias LambdaEval = (LambdaInput) throws(LambdaError) -> LambdaValue

/// Where an expression is used: the names it may call and the identifiers it may name.
public enum LambdaDialect: Sendable {
    /// Alert rule expressions (`where`, levels, resets): point fields and tags.
    case rule
    /// Handler `match` expressions: tags, `OK`…`CRITICAL`, `changed()`, `level()`, …
    case handlerMatch
}

/// A compiled lambda expression, ready to evaluate against points (or events).
///
/// `@unchecked Sendable` only because `eval` is a plain closure type: it is made once by
/// ``LambdaCompiler`` from the parsed tree and constants, captures nothing it mutates (stateful
/// functions keep their state in the ``LambdaInput`` each call passes), and every stored property
/// is a `let`, so calling it from any thread reads only immutable data.
public final class LambdaExpression: @unchecked Sendable, CustomStringConvertible {
    /// The parsed expression.
    public let node: LambdaNode
    /// The type the expression always has, when it does not depend on the data.
    public let staticType: LambdaType?
    let eval: LambdaEval

    /// Parses and compiles `text`.
    /// - Parameter slots: the next free stateful-function slot; advanced for each `sigma`, `count`, `spread`.
    /// - Throws: ``LambdaError`` for syntax errors, unknown functions or identifiers, and type errors
    ///   that do not depend on the data (`10 + 'a'`).
    public init(_ text: String, dialect: LambdaDialect = .rule, slots: inout Int) throws(LambdaError) {
        let node = try LambdaParser.parse(text)
        var compiler = LambdaCompiler(dialect: dialect, nextSlot: slots)
        let (eval, type) = try compiler.compile(node)
        slots = compiler.nextSlot
        self.node = node
        self.eval = eval
        self.staticType = type
    }

    /// Compiles an expression that needs no stateful slots (or whose state is not kept).
    public convenience init(_ text: String, dialect: LambdaDialect = .rule) throws(LambdaError) {
        var slots = 0
        try self.init(text, dialect: dialect, slots: &slots)
    }

    /// Evaluates to any value.
    public func evaluate(_ context: LambdaContext) throws(LambdaError) -> LambdaValue {
        try context.withInput { (i) throws(LambdaError) in try eval(i) }
    }

    /// The fast path for the rule engine: the point is read in place.
    @inline(__always)
    func evaluateBool(point: UnsafePointer<Point>, state: LambdaState?) throws(LambdaError) -> Bool {
        try Self.bool(try eval(LambdaInput(point: point, event: nil, state: state)))
    }

    @inline(__always)
    static func bool(_ v: LambdaValue) throws(LambdaError) -> Bool {
        switch v {
        case .bool(let b): return b
        case .missing(let r): throw LambdaError("reference \"\(r)\" is missing value")
        case let v: throw LambdaError("expression returned unexpected type \(v.type.goTypeName)")
        }
    }

    /// Evaluates a predicate: the result must be a boolean.
    public func evaluateBool(_ context: LambdaContext) throws(LambdaError) -> Bool {
        try Self.bool(try evaluate(context))
    }

    public var description: String { node.description }
}

/// Turns a syntax tree into a tree of closures, checking what can be checked before any data.
struct LambdaCompiler {
    let dialect: LambdaDialect
    var nextSlot: Int

    static let levelIdentifiers: [String: LambdaValue] = [
        "OK": .int(0), "INFO": .int(1), "WARNING": .int(2), "CRITICAL": .int(3),
    ]

    mutating func compile(_ node: LambdaNode) throws(LambdaError) -> (LambdaEval, LambdaType?) {
        func fail(_ m: String, _ p: LambdaPosition) -> LambdaError { LambdaError(m, line: p.line, column: p.column) }
        switch node {
        case .int(let v, _): return ({ (_: LambdaInput) in .int(v) }, .int)
        case .float(let v, _): return ({ (_: LambdaInput) in .float(v) }, .float)
        case .string(let v, _): return ({ (_: LambdaInput) in .string(v) }, .string)
        case .bool(let v, _): return ({ (_: LambdaInput) in .bool(v) }, .boolean)
        case .duration(let v, _): return ({ (_: LambdaInput) in .duration(v) }, .duration)
        case .regex(let v, _): return ({ (_: LambdaInput) in .regex(v) }, .regex)
        case .identifier(let name, let p):
            if dialect == .handlerMatch, let v = Self.levelIdentifiers[name] {
                return ({ (_: LambdaInput) in v }, .int)
            }
            if dialect == .handlerMatch {
                throw fail("unknown identifier \"\(name)\" (known: OK, INFO, WARNING, CRITICAL)", p)
            }
            throw fail("unknown identifier \(name): fields and tags are written in double quotes (\"\(name)\"), strings in single quotes ('\(name)')", p)
        case .reference(let name, _):
            return (Self.reference(name, dialect: dialect), nil)
        case .unary(let op, let operand, let p):
            let (inner, t) = try compile(operand)
            if let t, t != .missing {
                let ok = op == .not ? t == .boolean : [.int, .float, .duration].contains(t)
                if !ok { throw fail("invalid unary operator \(op.rawValue) for type \(t)", p) }
            }
            return (Self.unary(op, inner), op == .not ? .boolean : t)
        case .binary(let op, let l, let r, let p):
            let (le, lt) = try compile(l)
            let (re, rt) = try compile(r)
            var type: LambdaType?
            if let lt, let rt {
                guard let t = LambdaBinary.resultType(op, lt, rt) else { throw fail(LambdaBinary.typeError(op, lt, rt), p) }
                type = t
            } else {
                type = LambdaBinary.resultTypeIfKnown(op)
            }
            return (LambdaBinary.compile(op, le, re, left: l, right: r), type)
        case .call(let name, let args, let p):
            var evals: [LambdaEval] = []
            var types: [LambdaType?] = []
            for a in args {
                let (e, t) = try compile(a)
                evals.append(e)
                types.append(t)
            }
            if dialect == .handlerMatch, let f = LambdaEventFunctions.compile(name, argumentCount: args.count) {
                if let f { return f } else { throw fail("\(name) takes no arguments", p) }
            }
            if let stateful = LambdaStatefulFunction(rawValue: name) {
                let slot = nextSlot
                nextSlot += 1
                return (try stateful.compile(evals, argTypes: types, slot: slot, position: p), stateful.returnType)
            }
            guard let f = LambdaFunctions.table[name] else {
                throw fail("undefined function: \"\(name)\"", p)
            }
            let literals = args.map(\.description)
            if types.allSatisfy({ $0 != nil }) {
                let concrete = types.compactMap { $0 }
                if !f.accepts(concrete) { throw fail(f.signatureError(literals, concrete), p) }
            }
            return (f.compile(evals, literals: literals), f.returnType(types))
        }
    }

    static func reference(_ name: String, dialect: LambdaDialect) -> LambdaEval {
        if dialect == .handlerMatch {
            return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                if let e = c.event { for t in e.pointee.tags where t.key == name { return .string(t.value) } }
                throw LambdaError("no tag exists for \(name)")
            }
        }
        if name == "time" {
            return { (c: LambdaInput) in c.point.map { .time($0.pointee.time) } ?? .missing(name) }
        }
        return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
            guard let p = c.point else { return .missing(name) }
            // Read in place: names are compared as bytes, a String is made only for what is found.
            let found: LambdaValue? = p.pointee.field(name).map { value in  // the last of repeated keys, as Kapacitor's map
                switch value {
                case .float(let d): return .float(d)
                case .integer(let v): return .int(v)
                case .unsigned(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .float(Double(u))
                case .string(let s): return .string(s)
                case .boolean(let b): return .bool(b)
                }
            }
            let tag = p.pointee.tag(name)
            if let tag {
                if found != nil { throw LambdaError("cannot have field and tags with same name \"\(name)\"") }
                return .string(tag)
            }
            return found ?? .missing(name)
        }
    }

    static func unary(_ op: LambdaOperator, _ inner: @escaping LambdaEval) -> LambdaEval {
        if op == .not {
            return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                switch try inner(c) {
                case .bool(let b): return .bool(!b)
                case .missing(let r): throw LambdaError("reference \"\(r)\" is missing value")
                case let v: throw LambdaError("invalid unary operator ! for type \(v.type)")
                }
            }
        }
        return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
            switch try inner(c) {
            case .int(let i): return .int(0 &- i)
            case .float(let f): return .float(-f)
            case .duration(let d): return .duration(0 &- d)
            case .missing(let r): throw LambdaError("reference \"\(r)\" is missing value")
            case let v: throw LambdaError("invalid unary operator - for type \(v.type)")
            }
        }
    }
}
