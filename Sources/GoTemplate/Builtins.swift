/// Go 1.19's text/template builtin functions over ``TemplateValue``.
enum Builtins {
    struct Builtin: Sendable {
        var arity: Int
        var variadic: Bool
        var body: @Sendable ([TemplateValue]) throws -> TemplateValue
    }

    /// The builtin called `name`: a switch over small strings beats hashing them on every call.
    @inline(__always)
    static func lookup(_ name: String) -> Builtin? {
        switch name {
        case "index": return index_
        case "printf": return printf_
        case "eq": return eq_
        case "len": return len_
        case "print": return print_
        case "not": return not_
        case "ne": return ne_
        case "lt": return lt_
        case "le": return le_
        case "gt": return gt_
        case "ge": return ge_
        case "println": return println_
        case "slice": return slice_
        case "html": return html_
        case "js": return js_
        case "urlquery": return urlquery_
        case "call": return call_
        default: return nil
        }
    }

    static let index_ = table["index"]!
    static let printf_ = table["printf"]!
    static let eq_ = table["eq"]!
    static let len_ = table["len"]!
    static let print_ = table["print"]!
    static let not_ = table["not"]!
    static let ne_ = table["ne"]!
    static let lt_ = table["lt"]!
    static let le_ = table["le"]!
    static let gt_ = table["gt"]!
    static let ge_ = table["ge"]!
    static let println_ = table["println"]!
    static let slice_ = table["slice"]!
    static let html_ = table["html"]!
    static let js_ = table["js"]!
    static let urlquery_ = table["urlquery"]!
    static let call_ = table["call"]!

    static let table: [String: Builtin] = [
        "not": Builtin(arity: 1, variadic: false) { .bool(!(Executor.isTrue($0[0]) ?? true)) },
        "len": Builtin(arity: 1, variadic: false) { try length($0[0]) },
        "index": Builtin(arity: 2, variadic: true) { try index($0[0], Array($0.dropFirst())) },
        "slice": Builtin(arity: 2, variadic: true) { try slice($0[0], Array($0.dropFirst())) },
        "print": Builtin(arity: 1, variadic: true) { .string(GoFormat.sprint($0)) },
        "println": Builtin(arity: 1, variadic: true) { .string(GoFormat.sprintln($0)) },
        // The executor has checked the format is a string, as Go's evalArg does for its parameter.
        "printf": Builtin(arity: 2, variadic: true) { args in
            guard case .string(let format) = args[0] else { return .string("") }
            return .string(GoFormat.sprintf(format, Array(args.dropFirst())))
        },
        "html": Builtin(arity: 1, variadic: true) { .string(htmlEscape(evalArgs($0))) },
        "js": Builtin(arity: 1, variadic: true) { .string(jsEscape(evalArgs($0))) },
        "urlquery": Builtin(arity: 1, variadic: true) { .string(queryEscape(evalArgs($0))) },
        "eq": Builtin(arity: 2, variadic: true) { args in .bool(try eq(args[0], Array(args.dropFirst()))) },
        "ne": Builtin(arity: 2, variadic: false) { args in .bool(!(try eq(args[0], [args[1]]))) },
        "lt": Builtin(arity: 2, variadic: false) { args in .bool(try lessThan(args[0], args[1])) },
        "le": Builtin(arity: 2, variadic: false) { args in
            .bool(try lessThan(args[0], args[1]) || eq(args[0], [args[1]]))
        },
        "gt": Builtin(arity: 2, variadic: false) { args in
            .bool(!(try lessThan(args[0], args[1]) || eq(args[0], [args[1]])))
        },
        "ge": Builtin(arity: 2, variadic: false) { args in .bool(!(try lessThan(args[0], args[1]))) },
        "call": Builtin(arity: 2, variadic: true) { args in
            if case .missing = args[0] { throw TemplateFunctionError("call of nil") }
            if case .null = args[0] { throw TemplateFunctionError("call of nil") }
            throw TemplateFunctionError("non-function of type \(args[0].goTypeName)")
        },
    ]

    // MARK: len, index, slice

    static func length(_ v: TemplateValue) throws -> TemplateValue {
        switch v {
        case .string(let s), .namedString(_, let s): return .int(Int64(s.utf8.count))
        case .list(let l): return .int(Int64(l.count))
        case .map(let m): return .int(Int64(m.count))
        case .stringMap(let m): return .int(Int64(m.count))
        case .nilMap: return .int(0)
        case .null: throw TemplateFunctionError("len of nil pointer")
        // Go's len asks reflect for the type of the invalid value and reports reflect's own words.
        case .missing: throw TemplateFunctionError("reflect: call of reflect.Value.Type on zero Value")
        default: throw TemplateFunctionError("len of type \(v.goTypeName)")
        }
    }

    static func indexArg(_ v: TemplateValue, cap: Int) throws -> Int {
        let x: Int64
        switch v {
        case .int(let i), .int64(let i): x = i
        case .uint64(let u): x = Int64(clamping: u)
        case .null, .missing: throw TemplateFunctionError("cannot index slice/array with nil")
        default: throw TemplateFunctionError("cannot index slice/array with type \(v.goTypeName)")
        }
        if x < 0 || x > Int64(cap) { throw TemplateFunctionError("index out of range: \(x)") }
        return Int(x)
    }

    static func index(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        var current = item
        switch current {
        case .missing, .null: throw TemplateFunctionError("index of untyped nil")
        default: break
        }
        for i in indexes {
            switch current {
            case .list(let l):
                let x = try indexArg(i, cap: l.count)
                if x == l.count { throw TemplateFunctionError("index out of range: \(x)") }
                current = l[x]
            case .string(let s), .namedString(_, let s):
                let bytes = Array(s.utf8)
                let x = try indexArg(i, cap: bytes.count)
                if x == bytes.count { throw TemplateFunctionError("index out of range: \(x)") }
                current = .uint64(UInt64(bytes[x]))  // a byte (uint8); printed as a number
            case .map(let m):
                guard case .string(let k) = i else {
                    if case .null = i { throw TemplateFunctionError("value is nil; should be of type string") }
                    throw TemplateFunctionError("value has type \(i.goTypeName); should be string")
                }
                current = m[k] ?? .missing
            case .stringMap(let m):
                guard case .string(let k) = i else {
                    if case .null = i { throw TemplateFunctionError("value is nil; should be of type string") }
                    throw TemplateFunctionError("value has type \(i.goTypeName); should be string")
                }
                current = .string(m[k] ?? "")
            case .nilMap(let strings):
                guard case .string = i else {
                    if case .null = i { throw TemplateFunctionError("value is nil; should be of type string") }
                    throw TemplateFunctionError("value has type \(i.goTypeName); should be string")
                }
                current = strings ? .string("") : .missing
            case .null:
                throw TemplateFunctionError("index of nil pointer")
            default:
                throw TemplateFunctionError("can't index item of type \(current.goTypeName)")
            }
        }
        return current
    }

    static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        if indexes.count > 3 { throw TemplateFunctionError("too many slice indexes: \(indexes.count)") }
        switch item {
        case .string(let s), .namedString(_, let s):
            if indexes.count == 3 { throw TemplateFunctionError("cannot 3-index slice a string") }
            let bytes = Array(s.utf8)
            var idx = [0, bytes.count]
            for (k, i) in indexes.enumerated() { idx[k] = try indexArg(i, cap: bytes.count) }
            if idx[0] > idx[1] { throw TemplateFunctionError("invalid slice index: \(idx[0]) > \(idx[1])") }
            return .string(String(decoding: bytes[idx[0]..<idx[1]], as: UTF8.self))
        case .list(let l):
            var idx = [0, l.count, l.count]
            for (k, i) in indexes.enumerated() { idx[k] = try indexArg(i, cap: l.count) }
            if idx[0] > idx[1] { throw TemplateFunctionError("invalid slice index: \(idx[0]) > \(idx[1])") }
            if indexes.count == 3 && idx[1] > idx[2] { throw TemplateFunctionError("invalid slice index: \(idx[1]) > \(idx[2])") }
            return .list(Array(l[idx[0]..<idx[1]]))
        case .missing:
            throw TemplateFunctionError("slice of untyped nil")
        default:
            throw TemplateFunctionError("can't slice item of type \(item.goTypeName)")
        }
    }

    // MARK: Comparison

    enum Kind { case bool, int, uint, float, string, other }

    static func kind(_ v: TemplateValue) -> Kind {
        switch v {
        case .bool: return .bool
        case .int, .int64, .duration, .namedInteger: return .int
        case .uint64: return .uint
        case .float64: return .float
        case .string, .namedString: return .string
        default: return .other
        }
    }

    /// The text of a value of string kind (a Go string or a named string type).
    static func stringValue(_ v: TemplateValue) -> String {
        switch v {
        case .string(let s), .namedString(_, let s): return s
        default: return ""
        }
    }

    static func intValue(_ v: TemplateValue) -> Int64 {
        switch v {
        case .int(let i), .int64(let i): return i
        case .duration(let d): return d.nanoseconds
        case .namedInteger(_, let v, _): return v
        default: return 0
        }
    }

    static func eq(_ a: TemplateValue, _ others: [TemplateValue]) throws -> Bool {
        if others.isEmpty { throw TemplateFunctionError("missing argument for comparison") }
        let k1 = kind(a)
        for b in others {
            let k2 = kind(b)
            var truth = false
            if k1 != k2 {
                switch (k1, k2, a, b) {
                case (.int, .uint, _, .uint64(let u)): truth = intValue(a) >= 0 && UInt64(intValue(a)) == u
                case (.uint, .int, .uint64(let u), _): truth = intValue(b) >= 0 && u == UInt64(intValue(b))
                default:
                    if !isZero(a) && !isZero(b) { throw TemplateFunctionError("incompatible types for comparison") }
                }
            } else {
                switch (a, b) {
                case (.bool(let x), .bool(let y)): truth = x == y
                case (.float64(let x), .float64(let y)): truth = x == y
                case (.string, _), (.namedString, _): truth = stringValue(a) == stringValue(b)
                case (.uint64(let x), .uint64(let y)): truth = x == y
                default:
                    if k1 == .int {
                        truth = intValue(a) == intValue(b)
                    } else {
                        truth = try compareOther(a, b)
                    }
                }
            }
            if truth { return true }
        }
        return false
    }

    /// `arg1 != zero && arg != zero`: whether Go's reflect.Value is the invalid zero Value.
    static func isZero(_ v: TemplateValue) -> Bool {
        if case .missing = v { return true }
        return false
    }

    static func compareOther(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        switch (a, b) {
        case (.null, .null), (.missing, .missing): return true
        case (.null, _), (_, .null): return false
        case (.time(let x), .time(let y)): return x == y
        case (.stringer(let t1, let x), .stringer(let t2, let y)): return t1 == t2 && x == y
        case (.list, _), (.map, _), (.stringMap, _), (.nilMap, _):
            throw TemplateFunctionError("non-comparable type \(GoPrinter.format(a, verb: "s")): \(a.goTypeName)")
        default:
            if a.goTypeName != b.goTypeName {
                throw TemplateFunctionError("non-comparable types \(GoPrinter.format(a, verb: "s")): \(a.goTypeName), \(b.goTypeName): \(GoFormat.v(b))")
            }
            return a == b
        }
    }

    static func lessThan(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let k1 = kind(a), k2 = kind(b)
        if k1 == .other || k1 == .bool || k2 == .other || k2 == .bool {
            throw TemplateFunctionError("invalid type for comparison")
        }
        if k1 != k2 {
            switch (k1, k2, a, b) {
            case (.int, .uint, _, .uint64(let u)): return intValue(a) < 0 || UInt64(intValue(a)) < u
            case (.uint, .int, .uint64(let u), _): return intValue(b) >= 0 && u < UInt64(intValue(b))
            default: throw TemplateFunctionError("incompatible types for comparison")
            }
        }
        switch (a, b) {
        case (.float64(let x), .float64(let y)): return x < y
        case (.string, _), (.namedString, _): return Array(stringValue(a).utf8).lexicographicallyPrecedes(Array(stringValue(b).utf8))
        case (.uint64(let x), .uint64(let y)): return x < y
        default: return intValue(a) < intValue(b)
        }
    }

    // MARK: Escaping

    /// Go's `evalArgs`: one string argument as is, anything else through fmt.Sprint.
    static func evalArgs(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        // Go's printableValue: a nil or missing argument prints as <no value> here.
        return GoFormat.sprint(args.map { v -> TemplateValue in
            switch v {
            case .missing, .null: return .string("<no value>")
            default: return v
            }
        })
    }

    /// text/template's `html`: html/template's table without `+`.
    static func htmlEscape(_ s: String) -> String { HTMLEscaping.text(s, escapePlus: false) }

    static func jsEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if c.value < 0x20 {
                    out += "\\u" + GoQuote.hex(c.value, 4).uppercased()
                } else if c.value < 0x80 || GoUnicode.isPrint(c) {
                    out.unicodeScalars.append(c)
                } else {
                    out += "\\u" + GoQuote.hex(c.value, 4).uppercased()
                }
            }
        }
        return out
    }

    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + GoQuote.hex(UInt32(b), 2).uppercased()
            }
        }
        return out
    }
}
