#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GoTemplate

/// A stateless function of Kapacitor's `tick/stateful/functions.go`.
struct LambdaFunction: Sendable {
    let name: String
    /// Accepted argument types and the result for each; `nil` means "any type" (for `if`, `isPresent`).
    let signatures: [([LambdaType], LambdaType)]
    let call: @Sendable ([LambdaValue]) throws(LambdaError) -> LambdaValue

    func accepts(_ types: [LambdaType]) -> Bool { signatures.contains { $0.0 == types } }

    func returnType(_ types: [LambdaType?]) -> LambdaType? {
        let results = Set(signatures.map(\.1))
        if results.count == 1 { return results.first }
        guard types.allSatisfy({ $0 != nil }) else { return nil }
        return signatures.first { $0.0 == types.compactMap { $0 } }?.1
    }

    func signatureError(_ literals: [String], _ types: [LambdaType]) -> String {
        if let i = types.firstIndex(of: .missing) {
            return "reference \(literals[i]) is missing value in call to \(name)()"
        }
        let given = zip(literals, types).map { "\($0): \($1)" }.joined(separator: ",")
        let available = signatures.map { "(" + $0.0.map(\.rawValue).joined(separator: ",") + ")" }.joined(separator: ", ")
        return "Cannot call function \"\(name)\" with args (\(given)), available signatures are [\(available)]."
    }

    func compile(_ args: [LambdaEval], literals: [String]) -> LambdaEval {
        let f = self
        return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
            var values: [LambdaValue] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(try a(c)) }
            let types = values.map(\.type)
            if !f.accepts(types) { throw LambdaError(f.signatureError(literals, types)) }
            do throws(LambdaError) { return try f.call(values) } catch { throw LambdaError("error calling \"\(f.name)\": \(error.message)") }
        }
    }
}

/// The table of stateless functions.
enum LambdaFunctions {
    static let allTypes: [LambdaType] = [.float, .int, .string, .boolean, .regex, .time, .duration]

    static func math1(_ name: String, _ f: @escaping @Sendable (Double) -> Double) -> LambdaFunction {
        LambdaFunction(name: name, signatures: [([.float], .float)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .float(let x) = a[0] else { throw LambdaError("cannot pass \(a[0].type.goTypeName) to \(name), must be float64") }
            return .float(f(x))
        }
    }

    static func math2(_ name: String, _ f: @escaping @Sendable (Double, Double) -> Double) -> LambdaFunction {
        LambdaFunction(name: name, signatures: [([.float, .float], .float)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .float(let x) = a[0], case .float(let y) = a[1] else { throw LambdaError("\(name) expects two float64 arguments") }
            return .float(f(x, y))
        }
    }

    static func str1(_ name: String, _ f: @escaping @Sendable (String) -> LambdaValue, _ result: LambdaType) -> LambdaFunction {
        LambdaFunction(name: name, signatures: [([.string], result)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .string(let x) = a[0] else { throw LambdaError("cannot pass \(a[0].type.goTypeName) to \(name), must be string") }
            return f(x)
        }
    }

    static func str2(_ name: String, _ result: LambdaType, _ f: @escaping @Sendable (String, String) -> LambdaValue) -> LambdaFunction {
        LambdaFunction(name: name, signatures: [([.string, .string], result)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .string(let x) = a[0], case .string(let y) = a[1] else { throw LambdaError("\(name) expects two string arguments") }
            return f(x, y)
        }
    }

    static func timeFunction(_ name: String, _ part: @escaping @Sendable (tm) -> Int64) -> LambdaFunction {
        LambdaFunction(name: name, signatures: [([.time], .int)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .time(let ns) = a[0] else { throw LambdaError("cannot convert \(a[0].type.goTypeName) to time.Time") }
            return .int(part(localTime(ns)))
        }
    }

    /// Kapacitor's time functions read the point's time in the server's local zone (`TZ`).
    static func localTime(_ ns: Int64) -> tm {
        var seconds = time_t(ns / 1_000_000_000 - (ns % 1_000_000_000 < 0 ? 1 : 0))
        var out = tm()
        localtime_r(&seconds, &out)
        return out
    }

    static let table: [String: LambdaFunction] = {
        var t: [String: LambdaFunction] = [:]
        func add(_ f: LambdaFunction) { t[f.name] = f }
        // Conversions.
        add(LambdaFunction(name: "bool", signatures: [([.boolean], .boolean), ([.string], .boolean), ([.int], .boolean), ([.float], .boolean)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            switch a[0] {
            case .bool(let b): return .bool(b)
            case .string(let s):
                switch s {
                case "1", "t", "T", "TRUE", "true", "True": return .bool(true)
                case "0", "f", "F", "FALSE", "false", "False": return .bool(false)
                default: throw LambdaError("strconv.ParseBool: parsing \(goQuote(s)): invalid syntax")
                }
            case .int(let i):
                if i == 0 || i == 1 { return .bool(i == 1) }
                throw LambdaError("cannot convert \(i) to boolean")
            case .float(let f):
                if f == 0 || f == 1 { return .bool(f == 1) }
                throw LambdaError("cannot convert \(GoJSON.plainFloat(f)) to boolean")
            case let v: throw LambdaError("cannot convert \(v.type.goTypeName) to boolean")
            }
        })
        add(LambdaFunction(name: "int", signatures: [([.boolean], .int), ([.string], .int), ([.int], .int), ([.float], .int), ([.duration], .int)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            switch a[0] {
            case .int(let i): return .int(i)
            case .float(let f): return .int(LambdaBinary.goInt64(f.rounded(.towardZero)))
            case .string(let s):
                guard let i = Int64(s) else { throw LambdaError("strconv.ParseInt: parsing \(goQuote(s)): invalid syntax") }
                return .int(i)
            case .bool(let b): return .int(b ? 1 : 0)
            case .duration(let d): return .int(d)
            case let v: throw LambdaError("cannot convert \(v.type.goTypeName) to integer")
            }
        })
        add(LambdaFunction(name: "float", signatures: [([.boolean], .float), ([.string], .float), ([.int], .float), ([.float], .float)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            switch a[0] {
            case .int(let i): return .float(Double(i))
            case .float(let f): return .float(f)
            case .string(let s):
                guard let f = Double(s), !s.isEmpty, !s.hasPrefix(" ") else {
                    throw LambdaError("strconv.ParseFloat: parsing \(goQuote(s)): invalid syntax")
                }
                return .float(f)
            case .bool(let b): return .float(b ? 1 : 0)
            case let v: throw LambdaError("cannot convert \(v.type.goTypeName) to float")
            }
        })
        add(LambdaFunction(name: "string", signatures: [([.boolean], .string), ([.string], .string), ([.int], .string), ([.float], .string), ([.duration], .string)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            switch a[0] {
            case .int(let i): return .string(String(i))
            case .float(let f): return .string(GoJSON.plainFloat(f))
            case .bool(let b): return .string(b ? "true" : "false")
            case .duration(let d): return .string(LambdaDuration.format(d))
            case .string(let s): return .string(s)
            case let v: throw LambdaError("cannot convert \(v.type.goTypeName) to string")
            }
        })
        add(LambdaFunction(name: "duration", signatures: [([.duration], .duration), ([.int, .duration], .duration), ([.float, .duration], .duration), ([.string, .duration], .duration), ([.string], .duration)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            func unit() throws(LambdaError) -> Int64 {
                guard a.count == 2 else { throw LambdaError("duration expects unit argument for int and float values") }
                guard case .duration(let u) = a[1] else { throw LambdaError("invalid duration unit type: \(a[1].type.goTypeName)") }
                return u
            }
            switch a[0] {
            case .duration(let d): return .duration(d)
            case .int(let i): return .duration(i &* (try unit()))
            case .float(let f): return .duration(LambdaBinary.goInt64(f * Double(try unit())))
            case .string(let s):
                guard let d = LambdaDuration.parse(s) else { throw LambdaError("invalid duration string \(goQuote(s))") }
                return .duration(d)
            case let v: throw LambdaError("cannot convert \(v.type.goTypeName) to duration")
            }
        })
        // Math.
        let m1: [(String, @Sendable (Double) -> Double)] = [
            ("abs", { Swift.abs($0) }), ("acos", acos), ("acosh", acosh), ("asin", asin), ("asinh", asinh), ("atan", atan),
            ("atanh", atanh), ("cbrt", cbrt), ("ceil", { $0.rounded(.up) }), ("cos", cos), ("cosh", cosh), ("erf", erf),
            ("erfc", erfc), ("exp", exp), ("exp2", exp2), ("expm1", expm1), ("floor", { $0.rounded(.down) }),
            ("gamma", tgamma), ("j0", j0), ("j1", j1), ("log", log), ("log10", log10), ("log1p", log1p), ("log2", log2),
            ("logb", { $0 == 0 ? -.infinity : ($0.isInfinite ? .infinity : ($0.isNaN ? $0 : Double($0.exponent))) }),
            ("sin", sin), ("sinh", sinh), ("sqrt", { $0.squareRoot() }), ("tan", tan), ("tanh", tanh),
            ("trunc", { $0.rounded(.towardZero) }), ("y0", y0), ("y1", y1),
        ]
        for (n, f) in m1 { add(math1(n, f)) }
        let m2: [(String, @Sendable (Double, Double) -> Double)] = [
            ("atan2", atan2), ("hypot", hypot), ("pow", pow), ("mod", fmod),
            ("max", { x, y in (x.isNaN || y.isNaN) ? .nan : (x == 0 && y == 0 ? (x.sign == .plus ? x : y) : Swift.max(x, y)) }),
            ("min", { x, y in (x.isNaN || y.isNaN) ? .nan : (x == 0 && y == 0 ? (x.sign == .minus ? x : y) : Swift.min(x, y)) }),
        ]
        for (n, f) in m2 { add(math2(n, f)) }
        add(LambdaFunction(name: "pow10", signatures: [([.int], .float)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .int(let n) = a[0] else { throw LambdaError("cannot pass \(a[0].type.goTypeName) to pow10, must be int64") }
            if n < -323 { return .float(0) }
            if n > 308 { return .float(.infinity) }
            return .float(Double("1e\(n)") ?? 0)
        })
        for (n, f) in [("jn", jn), ("yn", yn)] as [(String, @Sendable (Int32, Double) -> Double)] {
            add(LambdaFunction(name: n, signatures: [([.int, .float], .float)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
                guard case .int(let i) = a[0], case .float(let x) = a[1] else { throw LambdaError("\(n) expects an int64 and a float64") }
                return .float(f(Int32(clamping: i), x))
            })
        }
        // Strings (Go's strings package, on bytes where Go counts bytes).
        add(str2("strContains", .boolean) { .bool($1.isEmpty || $0.utf8.firstRange(of: $1.utf8) != nil) })
        add(str2("strContainsAny", .boolean) { s, chars in .bool(s.unicodeScalars.contains { chars.unicodeScalars.contains($0) }) })
        add(str2("strCount", .int) { s, sub in
            if sub.isEmpty { return .int(Int64(s.unicodeScalars.count + 1)) }
            var n: Int64 = 0
            var rest = Substring(s).utf8[...]
            while let r = rest.firstRange(of: sub.utf8) { n += 1; rest = rest[r.upperBound...] }
            return .int(n)
        })
        add(str2("strHasPrefix", .boolean) { .bool($0.utf8.starts(with: $1.utf8)) })
        add(str2("strHasSuffix", .boolean) { .bool($0.utf8.reversed().starts(with: $1.utf8.reversed())) })
        add(str2("strIndex", .int) { s, sub in
            guard let r = s.utf8.firstRange(of: sub.utf8) else { return .int(-1) }
            return .int(Int64(s.utf8.distance(from: s.utf8.startIndex, to: r.lowerBound)))
        })
        add(str2("strIndexAny", .int) { s, chars in
            var offset = 0
            for c in s.unicodeScalars {
                if chars.unicodeScalars.contains(c) { return .int(Int64(offset)) }
                offset += String(c).utf8.count
            }
            return .int(-1)
        })
        add(str2("strLastIndex", .int) { s, sub in
            let b = Array(s.utf8), p = Array(sub.utf8)
            if p.isEmpty { return .int(Int64(b.count)) }
            guard b.count >= p.count else { return .int(-1) }
            for i in stride(from: b.count - p.count, through: 0, by: -1) where Array(b[i..<i + p.count]) == p { return .int(Int64(i)) }
            return .int(-1)
        })
        add(str2("strLastIndexAny", .int) { s, chars in
            var found: Int64 = -1
            var offset = 0
            for c in s.unicodeScalars {
                if chars.unicodeScalars.contains(c) { found = Int64(offset) }
                offset += String(c).utf8.count
            }
            return .int(found)
        })
        add(str1("strLength", { .int(Int64($0.utf8.count)) }, .int))
        add(str1("strToLower", { .string($0.lowercased()) }, .string))
        add(str1("strToUpper", { .string($0.uppercased()) }, .string))
        add(str1("strTrimSpace", { .string(trimmingSpace($0)) }, .string))
        add(str2("strTrim", .string) { s, cut in
            .string(String(String.UnicodeScalarView(s.unicodeScalars.drop { cut.unicodeScalars.contains($0) }.reversed().drop { cut.unicodeScalars.contains($0) }.reversed())))
        })
        add(str2("strTrimLeft", .string) { s, cut in .string(String(String.UnicodeScalarView(s.unicodeScalars.drop { cut.unicodeScalars.contains($0) }))) })
        add(str2("strTrimRight", .string) { s, cut in
            .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed().drop { cut.unicodeScalars.contains($0) }.reversed())))
        })
        add(str2("strTrimPrefix", .string) { s, p in
            s.utf8.starts(with: p.utf8) ? .string(String(decoding: Array(s.utf8.dropFirst(p.utf8.count)), as: UTF8.self)) : .string(s)
        })
        add(str2("strTrimSuffix", .string) { s, p in
            s.utf8.reversed().starts(with: p.utf8.reversed()) ? .string(String(decoding: Array(s.utf8.dropLast(p.utf8.count)), as: UTF8.self)) : .string(s)
        })
        add(LambdaFunction(name: "strReplace", signatures: [([.string, .string, .string, .int], .string)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .string(let s) = a[0], case .string(let old) = a[1], case .string(let new) = a[2], case .int(let n) = a[3] else {
                throw LambdaError("strReplace expects (string, string, string, int)")
            }
            return .string(goReplace(s, old, new, n))
        })
        add(LambdaFunction(name: "strSubstring", signatures: [([.string, .int, .int], .string)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .string(let s) = a[0], case .int(let start) = a[1], case .int(let stop) = a[2] else {
                throw LambdaError("strSubstring expects (string, int, int)")
            }
            let b = Array(s.utf8)
            if start < 0 { throw LambdaError("found negative index for strSubstring: \(start)") }
            if stop < 0 { throw LambdaError("found negative index for strSubstring: \(stop)") }
            if Int(stop) >= b.count { throw LambdaError("stop index too large for string in strSubstring: \(stop)") }
            if start > stop { throw LambdaError("slice bounds out of range [\(start):\(stop)]") }
            return .string(String(decoding: b[Int(start)..<Int(stop)], as: UTF8.self))
        })
        add(LambdaFunction(name: "regexReplace", signatures: [([.regex, .string, .string], .string)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .regex(let re) = a[0], case .string(let src) = a[1], case .string(let repl) = a[2] else {
                throw LambdaError("regexReplace expects (regex, string, string)")
            }
            return .string(re.replaceAll(in: src, with: repl))
        })
        // Presence and choice.
        add(LambdaFunction(name: "isPresent", signatures: (allTypes + [.missing]).map { ([$0], .boolean) }) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            if case .missing = a[0] { return .bool(false) }
            return .bool(true)
        })
        add(LambdaFunction(name: "if", signatures: allTypes.map { ([.boolean, $0, $0], $0) }) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .bool(let cond) = a[0] else {
                throw LambdaError("first argument to if must be a condition with type of bool - got \(a[0].type.goTypeName)")
            }
            return cond ? a[1] : a[2]
        })
        // Time.
        add(LambdaFunction(name: "unixNano", signatures: [([.time], .int)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            guard case .time(let ns) = a[0] else { throw LambdaError("cannot convert \(a[0].type.goTypeName) to time.Time") }
            return .int(ns)
        })
        add(timeFunction("minute") { Int64($0.tm_min) })
        add(timeFunction("hour") { Int64($0.tm_hour) })
        add(timeFunction("weekday") { Int64($0.tm_wday) })
        add(timeFunction("day") { Int64($0.tm_mday) })
        add(timeFunction("month") { Int64($0.tm_mon + 1) })
        add(timeFunction("year") { Int64($0.tm_year) + 1900 })
        add(LambdaFunction(name: "now", signatures: [([], .time)]) { (_: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return .time(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
        })
        add(LambdaFunction(name: "humanBytes", signatures: [([.float], .string), ([.int], .string)]) { (a: [LambdaValue]) throws(LambdaError) -> LambdaValue in
            switch a[0] {
            case .float(let f): return .string(humanBytes(f.isNaN || f < 0 ? 0 : (f >= 1.8446744073709552e19 ? UInt64.max : UInt64(f))))
            case .int(let i): return .string(humanBytes(UInt64(bitPattern: i)))
            case let v: throw LambdaError("cannot convert \(v.type.goTypeName) to humanBytes")
            }
        })
        return t
    }()

    /// go-humanize's `Bytes`: SI units, one decimal below 10.
    static func humanBytes(_ s: UInt64) -> String {
        if s < 10 { return "\(s) B" }
        let sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        let e = (log(Double(s)) / log(1000.0)).rounded(.down)
        let suffix = sizes[min(Int(e), sizes.count - 1)]
        let val = (Double(s) / pow(1000, e) * 10 + 0.5).rounded(.down) / 10
        return cFormat(val < 10 ? "%.1f" : "%.0f", val) + " " + suffix
    }

    /// Go's `strings.TrimSpace`: leading and trailing Unicode white space (White_Space, the set
    /// Foundation's `whitespacesAndNewlines` is) removed.
    static func trimmingSpace(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// C's printf formatting of one double (`%.1f`, `%.0f`): the same rounding Go's `%f` does.
    static func cFormat(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 400)  // %.1f of the largest double is 311 bytes
        let n = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer[..<Int(max(0, min(n, Int32(buffer.count - 1))))].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Go's `strings.Replace(s, old, new, n)` on bytes.
    static func goReplace(_ s: String, _ old: String, _ new: String, _ n: Int64) -> String {
        if n == 0 || old == new && !old.isEmpty { return s }
        let b = Array(s.utf8), o = Array(old.utf8), w = Array(new.utf8)
        var out: [UInt8] = []
        var i = 0
        var done: Int64 = 0
        if o.isEmpty {
            // Go inserts `new` before every UTF-8 sequence and at the end.
            var idx = s.unicodeScalars.startIndex
            var result = ""
            while idx != s.unicodeScalars.endIndex, n < 0 || done < n {
                result += new
                result.unicodeScalars.append(s.unicodeScalars[idx])
                idx = s.unicodeScalars.index(after: idx)
                done += 1
            }
            result += String(String.UnicodeScalarView(s.unicodeScalars[idx...]))
            if idx == s.unicodeScalars.endIndex, n < 0 || done < n { result += new }
            return result
        }
        while i <= b.count - o.count, n < 0 || done < n {
            if Array(b[i..<i + o.count]) == o {
                out += w
                i += o.count
                done += 1
            } else {
                out.append(b[i])
                i += 1
            }
        }
        out += b[i...]
        return String(decoding: out, as: UTF8.self)
    }

    static func goQuote(_ s: String) -> String {
        var out = ""
        GoJSON.appendString(s, to: &out, escapeHTML: false)
        return out
    }
}

/// `sigma`, `count` and `spread`: their running state lives with each group.
enum LambdaStatefulFunction: String {
    case sigma, count, spread

    var returnType: LambdaType { self == .count ? .int : .float }

    func compile(_ args: [LambdaEval], argTypes: [LambdaType?], slot: Int, position p: LambdaPosition) throws(LambdaError) -> LambdaEval {
        let expected = self == .count ? 0 : 1
        guard args.count == expected else {
            throw LambdaError(self == .count ? "count expects no arguments" : "\(rawValue) expects exactly one argument", line: p.line, column: p.column)
        }
        if let t = argTypes.first, let t, t != .float {
            throw LambdaError("Cannot call function \"\(rawValue)\" with args (\(t)), available signatures are [(float)].", line: p.line, column: p.column)
        }
        let kind = self
        return { (c: LambdaInput) throws(LambdaError) -> LambdaValue in
            guard let state = c.state, slot < state.slots.count else { throw LambdaError("\(kind.rawValue)() has no state here") }
            if kind == .count {
                state.slots[slot].count += 1
                return .int(state.slots[slot].count)
            }
            let x: Double
            switch try args[0](c) {
            case .float(let f): x = f
            case .missing(let r): throw LambdaError("error calling \"\(kind.rawValue)\": reference \"\(r)\" is missing value")
            case let v: throw LambdaError("Cannot call function \"\(kind.rawValue)\" with args (\(v.type)), available signatures are [(float)].")
            }
            if kind == .spread {
                if x < state.slots[slot].min { state.slots[slot].min = x }
                if x > state.slots[slot].max { state.slots[slot].max = x }
                return .float(state.slots[slot].max - state.slots[slot].min)
            }
            var s = state.slots[slot]
            s.n += 1
            let delta = x - s.mean
            s.mean += delta / s.n
            s.m2 += delta * (x - s.mean)
            let variance = s.m2 / (s.n - 1)
            state.slots[slot] = s
            if s.n < 2 || variance == 0 { return .float(0) }
            return .float(Swift.abs(x - s.mean) / variance.squareRoot())
        }
    }
}

/// The functions of a handler's `match` expression (Kapacitor's `services/alert/handlers.go`).
enum LambdaEventFunctions {
    /// `nil` if `name` is not an event function; `.some(nil)` if it is but was given arguments.
    static func compile(_ name: String, argumentCount: Int) -> (LambdaEval, LambdaType?)?? {
        let f: (LambdaEval, LambdaType)
        switch name {
        case "changed": f = ({ (c: LambdaInput) in .bool(c.event?.pointee.changed ?? false) }, .boolean)
        case "level": f = ({ (c: LambdaInput) in .int(Int64(c.event?.pointee.level.rawValue ?? 0)) }, .int)
        case "name": f = ({ (c: LambdaInput) in .string(c.event?.pointee.name ?? "") }, .string)
        case "taskName": f = ({ (c: LambdaInput) in .string(c.event?.pointee.taskName ?? "") }, .string)
        case "alertDuration": f = ({ (c: LambdaInput) in .duration(c.event?.pointee.duration ?? 0) }, .duration)
        case "duration" where argumentCount == 0: f = ({ (c: LambdaInput) in .duration(c.event?.pointee.duration ?? 0) }, .duration)
        default: return nil
        }
        if argumentCount != 0 { return .some(nil) }
        return .some((f.0, f.1))
    }
}
