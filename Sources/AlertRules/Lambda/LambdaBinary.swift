/// Binary operators with Kapacitor's type table (`tick/stateful/evaluation_funcs.go`):
/// no implicit conversions except int against float in comparisons.
enum LambdaBinary {
    static func isNumeric(_ t: LambdaType) -> Bool { t == .int || t == .float }

    /// The result type of `l op r`, or nil when Kapacitor has no such operation.
    static func resultType(_ op: LambdaOperator, _ l: LambdaType, _ r: LambdaType) -> LambdaType? {
        switch op {
        case .and, .or: return l == .boolean && r == .boolean ? .boolean : nil
        case .equal, .notEqual:
            if l == r, [.boolean, .int, .float, .string, .duration].contains(l) { return .boolean }
            return isNumeric(l) && isNumeric(r) ? .boolean : nil
        case .less, .lessEqual, .greater, .greaterEqual:
            if l == r, [.int, .float, .string, .duration].contains(l) { return .boolean }
            return isNumeric(l) && isNumeric(r) ? .boolean : nil
        case .regexEqual, .regexNotEqual: return l == .string && r == .regex ? .boolean : nil
        case .plus:
            return l == r && [.int, .float, .duration, .string].contains(l) ? l : nil
        case .minus:
            return l == r && [.int, .float, .duration].contains(l) ? l : nil
        case .mult:
            if l == r, l == .int || l == .float { return l }
            if l == .duration, isNumeric(r) { return .duration }
            if r == .duration, isNumeric(l) { return .duration }
            return nil
        case .div:
            if l == r, l == .int || l == .float { return l }
            if l == .duration, isNumeric(r) { return .duration }
            if l == .duration, r == .duration { return .int }
            return nil
        case .mod: return l == .int && r == .int ? .int : nil
        case .not: return nil
        }
    }

    /// The result type when the operands' types are only known at run time.
    static func resultTypeIfKnown(_ op: LambdaOperator) -> LambdaType? {
        switch op {
        case .and, .or, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .regexEqual, .regexNotEqual: return .boolean
        default: return nil
        }
    }

    /// Kapacitor's `determineError` wording.
    static func typeError(_ op: LambdaOperator, _ l: LambdaType, _ r: LambdaType) -> String {
        if l == .missing || r == .missing {
            return "\(l == .missing ? "left" : "right") value is missing"
        }
        if !operators(of: l).contains(op) {
            return "invalid \(op.kind) operator \(op.rawValue) for type \(l)"
        }
        return "mismatched type to binary operator. got \(l) \(op.rawValue) \(r). see bool(), int(), float(), string(), duration()"
    }

    static func operators(of t: LambdaType) -> Set<LambdaOperator> {
        let all: [LambdaOperator] = [.plus, .minus, .mult, .div, .mod, .and, .or, .equal, .notEqual, .less, .greater,
                                     .lessEqual, .greaterEqual, .regexEqual, .regexNotEqual]
        let types: [LambdaType] = [.int, .float, .string, .boolean, .duration, .regex]
        return Set(all.filter { op in types.contains { resultType(op, t, $0) != nil } })
    }

    static func compile(_ op: LambdaOperator, _ le: @escaping LambdaEval, _ re: @escaping LambdaEval,
                        left: LambdaNode, right: LambdaNode) -> LambdaEval {
        switch op {
        case .and:
            return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                guard try bool(le(c), op, left: true) else { return .bool(false) }
                return .bool(try bool(re(c), op, left: false))
            }
        case .or:
            return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                if try bool(le(c), op, left: true) { return .bool(true) }
                return .bool(try bool(re(c), op, left: false))
            }
        default:
            // Comparison against a number literal: the common threshold, without boxing the literal.
            if case .reference = left, op.kind == "comparison", op != .regexEqual, op != .regexNotEqual {
                switch right {
                case .float(let k, _):
                    return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                        switch try le(c) {
                        case .float(let x): return .bool(compare(op, x, k))
                        case .int(let x): return .bool(compare(op, Double(x), k))
                        case let v: return try apply(op, v, .float(k))
                        }
                    }
                case .int(let k, _):
                    return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                        switch try le(c) {
                        case .float(let x): return .bool(compare(op, x, Double(k)))
                        case .int(let x): return .bool(compare(op, x, k))
                        case let v: return try apply(op, v, .int(k))
                        }
                    }
                default: break
                }
            }
            return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
                try apply(op, try le(c), try re(c))
            }
        }
    }

    @inline(__always)
    static func bool(_ v: LambdaValue, _ op: LambdaOperator, left: Bool) throws(LambdaError) -> Bool {
        switch v {
        case .bool(let b): return b
        case .missing(let r): throw LambdaError("\(left ? "left" : "right") reference value \"\(r)\" is missing value")
        default: throw LambdaError("invalid logical operator \(op.rawValue) for type \(v.type)")
        }
    }

    @inline(__always)
    static func compare<T: Comparable>(_ op: LambdaOperator, _ a: T, _ b: T) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        case .greaterEqual: return a >= b
        default: return false
        }
    }

    static func apply(_ op: LambdaOperator, _ l: LambdaValue, _ r: LambdaValue) throws(LambdaError) -> LambdaValue {
        switch (l, r) {
        case (.missing(let ref), _): throw LambdaError("left reference value \"\(ref)\" is missing value")
        case (_, .missing(let ref)): throw LambdaError("right reference value \"\(ref)\" is missing value")
        default: break
        }
        if op.kind == "comparison" {
            switch (l, r, op) {
            case (.string(let s), .regex(let re), .regexEqual): return .bool(re.matches(s))
            case (.string(let s), .regex(let re), .regexNotEqual): return .bool(!re.matches(s))
            case (.float(let a), .float(let b), _) where op != .regexEqual && op != .regexNotEqual: return .bool(compare(op, a, b))
            case (.int(let a), .int(let b), _) where op != .regexEqual && op != .regexNotEqual: return .bool(compare(op, a, b))
            case (.int(let a), .float(let b), _) where op != .regexEqual && op != .regexNotEqual: return .bool(compare(op, Double(a), b))
            case (.float(let a), .int(let b), _) where op != .regexEqual && op != .regexNotEqual: return .bool(compare(op, a, Double(b)))
            case (.string(let a), .string(let b), _) where op != .regexEqual && op != .regexNotEqual:
                return .bool(compare(op, goOrder(a, b), 0))
            case (.duration(let a), .duration(let b), _) where op != .regexEqual && op != .regexNotEqual: return .bool(compare(op, a, b))
            case (.bool(let a), .bool(let b), .equal): return .bool(a == b)
            case (.bool(let a), .bool(let b), .notEqual): return .bool(a != b)
            default: throw LambdaError(typeError(op, l.type, r.type))
            }
        }
        switch (l, r) {
        case (.float(let a), .float(let b)):
            switch op {
            case .plus: return .float(a + b)
            case .minus: return .float(a - b)
            case .mult: return .float(a * b)
            case .div: return .float(a / b)
            default: break
            }
        case (.int(let a), .int(let b)):
            switch op {
            case .plus: return .int(a &+ b)
            case .minus: return .int(a &- b)
            case .mult: return .int(a &* b)
            case .div:
                if b == 0 { throw LambdaError("integer divide by zero") }
                return .int(a.dividedReportingOverflow(by: b).partialValue)
            case .mod:
                if b == 0 { throw LambdaError("integer divide by zero") }
                return .int(a.remainderReportingOverflow(dividingBy: b).partialValue)
            default: break
            }
        case (.duration(let a), .duration(let b)):
            switch op {
            case .plus: return .duration(a &+ b)
            case .minus: return .duration(a &- b)
            case .div:
                if b == 0 { throw LambdaError("integer divide by zero") }
                return .int(a.dividedReportingOverflow(by: b).partialValue)
            default: break
            }
        case (.duration(let a), .int(let b)):
            if op == .mult { return .duration(a &* b) }
            if op == .div {
                if b == 0 { throw LambdaError("integer divide by zero") }
                return .duration(a.dividedReportingOverflow(by: b).partialValue)
            }
        case (.int(let a), .duration(let b)):
            if op == .mult { return .duration(a &* b) }
        case (.duration(let a), .float(let b)):
            if op == .mult { return .duration(goInt64(Double(a) * b)) }
            if op == .div { return .duration(goInt64(Double(a) / b)) }
        case (.float(let a), .duration(let b)):
            if op == .mult { return .duration(goInt64(a * Double(b))) }
        case (.string(let a), .string(let b)):
            if op == .plus { return .string(a + b) }
        default: break
        }
        throw LambdaError(typeError(op, l.type, r.type))
    }

    /// Go's string order: bytewise (Swift's `<` and `==` follow Unicode canonical equivalence).
    static func goOrder(_ a: String, _ b: String) -> Int {
        var i = a.utf8.makeIterator()
        var j = b.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }

    /// Go's float64 → int64 conversion for values in range; saturates instead of undefined results.
    static func goInt64(_ d: Double) -> Int64 {
        if d.isNaN { return Int64.min }
        if d >= 9.2233720368547758e18 { return Int64.min }
        if d < -9.2233720368547758e18 { return Int64.min }
        return Int64(d)
    }
}
