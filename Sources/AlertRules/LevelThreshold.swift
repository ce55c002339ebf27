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
    /// `field`'s number among the names the engine's thresholds read (see ``init(_:fieldID:)``):
    /// the rules of one point that read the same field find its value once (``PointShare``).
    let fieldID: Int32
    let op: LambdaOperator
    /// The literal, as the expression has it (an integer literal compares integers as integers).
    let constant: Constant

    enum Constant {
        case float(Double)
        case int(Int64)
    }

    /// What a threshold compares a field's value with: the number types only (a string or
    /// boolean field leaves the decision to the expression). Copied without reference counting.
    enum Operand {
        case float(Double)
        case integer(Int64)
        case unsigned(UInt64)
    }

    /// The threshold `node` is, if it is one (comparison operators only, not `time`); `fieldID`
    /// numbers its field's name (the same number for the same name, at least 0).
    init?(_ node: LambdaNode, fieldID: (String) -> Int32) {
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
        self.fieldID = fieldID(name)
        self.op = op
    }

    /// Whether the point passes, as `LambdaBinary`'s comparison with a number literal decides it;
    /// nil when the compiled expression must decide (or fail).
    @inline(__always)
    func evaluate(_ p: UnsafePointer<Point>) -> Bool? {
        guard let value = Self.operand(field, p) else { return nil }
        return decide(value)
    }

    /// What a threshold on `field` compares in `p`: the reference's reading
    /// (``LambdaCompiler/reference(_:dialect:)``), the last field of the name; nil when a tag of
    /// the same name makes it a string or an error, there is no such field, or it is not a number.
    @inline(__always)
    static func operand(_ field: String, _ p: UnsafePointer<Point>) -> Operand? {
        guard let value = p.pointee.field(field), p.pointee.tagIndex(field) == nil else { return nil }
        switch value {
        case .float(let x): return .float(x)
        case .integer(let x): return .integer(x)
        case .unsigned(let u): return .unsigned(u)
        case .string, .boolean: return nil
        }
    }

    /// Whether `value` (read by ``operand(_:_:)``) passes; nil when the compiled expression must decide.
    @inline(__always)
    func decide(_ value: Operand) -> Bool? {
        switch (value, constant) {
        case (.float(let x), .float(let k)): return LambdaBinary.compare(op, x, k)
        case (.float(let x), .int(let k)): return LambdaBinary.compare(op, x, Double(k))
        case (.integer(let x), .float(let k)): return LambdaBinary.compare(op, Double(x), k)
        case (.integer(let x), .int(let k)): return LambdaBinary.compare(op, x, k)
        case (.unsigned(let u), .float(let k)):
            return u <= UInt64(Int64.max) ? LambdaBinary.compare(op, Double(Int64(u)), k) : LambdaBinary.compare(op, Double(u), k)
        case (.unsigned(let u), .int(let k)):
            return u <= UInt64(Int64.max) ? LambdaBinary.compare(op, Int64(u), k) : LambdaBinary.compare(op, Double(u), Double(k))
        }
    }
}
