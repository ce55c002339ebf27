import LineProtocol

/// A level expression of the form `"field" <op> number` or `"field" <op> -number` (the usual
/// warn/crit threshold), decided
/// from the point with no closure calls, no reference counting and no boxing: the compiled
/// expression's closures and objects are spread over the heap, and with a thousand rules each
/// touch of them is a cache miss. Gives the same result as the compiled expression wherever it
/// gives one; everything else (a tag of that name, a string or boolean field, a missing field)
/// is left to the expression, which also makes the error it reports.
struct LevelThreshold {
    let field: String
    let op: LambdaOperator
    /// The literal, as the expression has it (an integer literal compares integers as integers).
    let constant: Constant

    enum Constant {
        case float(Double)
        case int(Int64)
    }

    /// The threshold `node` is, if it is one (comparison operators only, not `time`).
    init?(_ node: LambdaNode) {
        guard case .binary(let op, .reference(let name, _), let right, _) = node, name != "time",
              op.kind == "comparison", op != .regexEqual, op != .regexNotEqual else { return nil }
        switch right {
        case .float(let k, _): constant = .float(k)
        case .int(let k, _): constant = .int(k)
        // A negative threshold is a literal under a unary minus; the expression negates it the same way.
        case .unary(.minus, .float(let k, _), _): constant = .float(-k)
        case .unary(.minus, .int(let k, _), _): constant = .int(0 &- k)
        default: return nil
        }
        field = name
        self.op = op
    }

    /// Whether the point passes, as `LambdaBinary`'s comparison with a number literal decides it;
    /// nil when the compiled expression must decide (or fail).
    @inline(__always)
    func evaluate(_ p: UnsafePointer<Point>) -> Bool? {
        guard let value = Self.value(field, p) else { return nil }
        return decide(value)
    }

    /// What a threshold on `field` compares in `p`: the reference's reading
    /// (``LambdaCompiler/reference(_:dialect:)``), the last field of the name; nil when a tag of
    /// the same name makes it a string or an error, or there is no such field.
    @inline(__always)
    static func value(_ field: String, _ p: UnsafePointer<Point>) -> FieldValue? {
        guard let value = p.pointee.field(field), p.pointee.tagIndex(field) == nil else { return nil }
        return value
    }

    /// Whether `value` (read by ``value(_:_:)``) passes; nil when the compiled expression must decide.
    @inline(__always)
    func decide(_ value: FieldValue) -> Bool? {
        switch (value, constant) {
        case (.float(let x), .float(let k)): return LambdaBinary.compare(op, x, k)
        case (.float(let x), .int(let k)): return LambdaBinary.compare(op, x, Double(k))
        case (.integer(let x), .float(let k)): return LambdaBinary.compare(op, Double(x), k)
        case (.integer(let x), .int(let k)): return LambdaBinary.compare(op, x, k)
        case (.unsigned(let u), .float(let k)):
            return u <= UInt64(Int64.max) ? LambdaBinary.compare(op, Double(Int64(u)), k) : LambdaBinary.compare(op, Double(u), k)
        case (.unsigned(let u), .int(let k)):
            return u <= UInt64(Int64.max) ? LambdaBinary.compare(op, Int64(u), k) : LambdaBinary.compare(op, Double(u), Double(k))
        default: return nil
        }
    }
}
