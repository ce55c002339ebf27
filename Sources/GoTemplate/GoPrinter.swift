/// Go's `fmt` printer (`pp` in print.go, `fmt` in format.go) over template values: `Sprint`,
/// `Sprintln` and `Sprintf` with every verb, flag, width, precision and argument index, and Go's
/// error forms (`%!d(string=a)`, `%!d(MISSING)`, `%!(EXTRA …)`, `%!(BADWIDTH)`…).
///
/// Each ``TemplateValue`` case stands for the Go type it models: a time is a struct with a
/// `String()` method (whose `%d` shows its fields `{wall ext loc}`), a duration an `int64` with one,
/// a month or weekday an `int` with one, a list `[]interface{}` whose nil elements are nil
/// interfaces. Pointers have no stable address to print: `%p` of a list or map prints Go's form with
/// a placeholder address, `0xc000010000`.
struct GoPrinter {
    struct Flags {
        var widPresent = false, precPresent = false, minus = false, plus = false, sharp = false, space = false, zero = false
        /// `%+v`: struct field names; the plus flag itself is cleared for `v`.
        var plusV = false
        /// `%#v`: Go syntax; the sharp flag itself is cleared for `v`.
        var sharpV = false
    }

    private(set) var buf: [UInt8] = []
    private var flags = Flags()
    private var wid = 0
    private var prec = 0
    private var erroring = false
    /// Go's `p.arg` (nil: Go's nil or unset) and `p.value` (nil: the invalid reflect.Value), what a
    /// bad verb reports.
    private var arg: TemplateValue?
    private var value: TemplateValue?
    private var reordered = false
    private var goodArgNum = true

    var string: String { String(decoding: buf, as: UTF8.self) }

    // MARK: Entry points

    /// `fmt.Sprint(args...)`: a space between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var p = GoPrinter()
        var prevString = false
        for (i, a) in args.enumerated() {
            let isString = Self.isStringKind(a)
            if i > 0 && !isString && !prevString { p.buf.append(0x20) }
            p.printArg(Self.interfaceArg(a), "v")
            prevString = isString
        }
        return p.string
    }

    /// `fmt.Sprintln(args...)`: spaces between all operands, then a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        var p = GoPrinter()
        for (i, a) in args.enumerated() {
            if i > 0 { p.buf.append(0x20) }
            p.printArg(Self.interfaceArg(a), "v")
        }
        p.buf.append(0x0A)
        return p.string
    }

    /// `fmt.Sprintf(format, args...)`.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        if args.isEmpty && !format.utf8.contains(UInt8(ascii: "%")) { return format }
        var p = GoPrinter()
        p.buf.reserveCapacity(format.utf8.count + 32)
        p.doPrintf(Array(format.utf8), args)
        return p.string
    }

    /// `fmt.Sprintf("%<verb>", v)` for one value.
    static func format(_ v: TemplateValue, verb: Unicode.Scalar) -> String {
        var p = GoPrinter()
        p.printArg(Self.interfaceArg(v), verb)
        return p.string
    }

    /// A value passed to a `...interface{}` parameter: nil interfaces (of any type) become nil.
    static func interfaceArg(_ v: TemplateValue) -> TemplateValue? {
        switch v {
        case .missing, .null, .nilInterface: return nil
        default: return v
        }
    }

    /// Whether the value's Go kind is `string` (named string types included).
    static func isStringKind(_ v: TemplateValue) -> Bool {
        switch v {
        case .string, .stringer, .namedString: return true
        default: return false
        }
    }

    // MARK: doPrintf

    private static func tooLarge(_ x: Int) -> Bool { x > 1_000_000 || x < -1_000_000 }

    /// Go's `parsenum`.
    private static func parseNum(_ s: [UInt8], _ start: Int, _ end: Int) -> (num: Int, isNum: Bool, next: Int) {
        if start >= end { return (0, false, end) }
        var num = 0
        var isNum = false
        var i = start
        while i < end, s[i] >= 0x30, s[i] <= 0x39 {
            if tooLarge(num) { return (0, false, end) }
            num = num * 10 + Int(s[i] - 0x30)
            isNum = true
            i += 1
        }
        return (num, isNum, i)
    }

    /// Go's `intFromArg`: an integer argument for `*` width or precision.
    private static func intFromArg(_ a: [TemplateValue], _ argNum: Int) -> (num: Int, isInt: Bool, next: Int) {
        guard argNum < a.count else { return (0, false, argNum) }
        var num = 0
        var isInt = false
        switch a[argNum] {
        case .int(let n), .int64(let n), .namedInteger(_, let n, _):
            num = Int(n)
            isInt = true
        case .duration(let d):
            num = Int(d.nanoseconds)
            isInt = true
        case .uint64(let u):
            if u <= UInt64(Int.max) {
                num = Int(u)
                isInt = true
            }
        default:
            break
        }
        if tooLarge(num) { return (0, false, argNum + 1) }
        return (num, isInt, argNum + 1)
    }

    /// Go's `argNumber`: an explicit `[n]` index.
    private mutating func argNumber(_ argNum: Int, _ format: [UInt8], _ i: Int, _ numArgs: Int) -> (argNum: Int, i: Int, found: Bool) {
        guard i < format.count, format[i] == UInt8(ascii: "[") else { return (argNum, i, false) }
        reordered = true
        // parseArgNumber
        var index = 0, wid = 1, ok = false
        let rest = Array(format[i...])
        if rest.count >= 3 {
            var j = 1
            while j < rest.count {
                if rest[j] == UInt8(ascii: "]") {
                    let (width, isNum, next) = Self.parseNum(rest, 1, j)
                    if !isNum || next != j {
                        (index, wid, ok) = (0, j + 1, false)
                    } else {
                        (index, wid, ok) = (width - 1, j + 1, true)
                    }
                    break
                }
                j += 1
            }
        }
        if ok && index >= 0 && index < numArgs { return (index, i + wid, true) }
        goodArgNum = false
        return (argNum, i + wid, ok)
    }

    /// `a` holds the arguments as templates pass them; nil interfaces are Go's nil (interfaceArg).
    private mutating func doPrintf(_ format: [UInt8], _ a: [TemplateValue]) {
        let end = format.count
        var argNum = 0
        var afterIndex = false
        reordered = false
        var i = 0
        formatLoop: while i < end {
            goodArgNum = true
            let lasti = i
            while i < end && format[i] != UInt8(ascii: "%") { i += 1 }
            if i > lasti { buf += format[lasti..<i] }
            if i >= end { break }
            i += 1  // skip %
            flags = Flags()
            simpleFormat: while i < end {
                let c = format[i]
                switch c {
                case UInt8(ascii: "#"): flags.sharp = true
                case UInt8(ascii: "0"): flags.zero = !flags.minus
                case UInt8(ascii: "+"): flags.plus = true
                case UInt8(ascii: "-"):
                    flags.minus = true
                    flags.zero = false
                case UInt8(ascii: " "): flags.space = true
                default:
                    // Fast path: a lowercase verb right after the flags.
                    if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") && argNum < a.count {
                        if c == UInt8(ascii: "v") {
                            flags.sharpV = flags.sharp
                            flags.sharp = false
                            flags.plusV = flags.plus
                            flags.plus = false
                        }
                        printArg(Self.interfaceArg(a[argNum]), Unicode.Scalar(c))
                        argNum += 1
                        i += 1
                        continue formatLoop
                    }
                    break simpleFormat
                }
                i += 1
            }
            (argNum, i, afterIndex) = argNumber(argNum, format, i, a.count)
            if i < end && format[i] == UInt8(ascii: "*") {
                i += 1
                (wid, flags.widPresent, argNum) = Self.intFromArg(a, argNum)
                if !flags.widPresent { buf += Array("%!(BADWIDTH)".utf8) }
                if wid < 0 {
                    wid = -wid
                    flags.minus = true
                    flags.zero = false
                }
                afterIndex = false
            } else {
                (wid, flags.widPresent, i) = Self.parseNum(format, i, end)
                if afterIndex && flags.widPresent { goodArgNum = false }
            }
            if i + 1 < end && format[i] == UInt8(ascii: ".") {
                i += 1
                if afterIndex { goodArgNum = false }
                (argNum, i, afterIndex) = argNumber(argNum, format, i, a.count)
                if i < end && format[i] == UInt8(ascii: "*") {
                    i += 1
                    (prec, flags.precPresent, argNum) = Self.intFromArg(a, argNum)
                    if prec < 0 {
                        prec = 0
                        flags.precPresent = false
                    }
                    if !flags.precPresent { buf += Array("%!(BADPREC)".utf8) }
                    afterIndex = false
                } else {
                    (prec, flags.precPresent, i) = Self.parseNum(format, i, end)
                    if !flags.precPresent {
                        prec = 0
                        flags.precPresent = true
                    }
                }
            }
            if !afterIndex { (argNum, i, afterIndex) = argNumber(argNum, format, i, a.count) }
            if i >= end {
                buf += Array("%!(NOVERB)".utf8)
                break
            }
            let (verb, size) = Self.decodeRune(format, i)
            i += size
            switch verb {
            case "%": buf.append(UInt8(ascii: "%"))
            case _ where !goodArgNum: write("%!"); writeRune(verb); write("(BADINDEX)")
            case _ where argNum >= a.count: write("%!"); writeRune(verb); write("(MISSING)")
            default:
                if verb == "v" {
                    flags.sharpV = flags.sharp
                    flags.sharp = false
                    flags.plusV = flags.plus
                    flags.plus = false
                }
                printArg(Self.interfaceArg(a[argNum]), verb)
                argNum += 1
            }
        }
        if !reordered && argNum < a.count {
            flags = Flags()
            write("%!(EXTRA ")
            for (k, extra) in a[argNum...].enumerated() {
                if k > 0 { write(", ") }
                if let extra = Self.interfaceArg(extra) {
                    write(extra.goTypeName)
                    buf.append(UInt8(ascii: "="))
                    printArg(extra, "v")
                } else {
                    write("<nil>")
                }
            }
            buf.append(UInt8(ascii: ")"))
        }
    }

    private static func decodeRune(_ s: [UInt8], _ i: Int) -> (Unicode.Scalar, Int) {
        let b = s[i]
        if b < 0x80 { return (Unicode.Scalar(b), 1) }
        let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
        guard i + n <= s.count, n > 1, let scalar = String(decoding: s[i..<i + n], as: UTF8.self).unicodeScalars.first,
              scalar != "\u{FFFD}" || Array(s[i..<i + n]) == [0xEF, 0xBF, 0xBD] else {
            return ("\u{FFFD}", 1)
        }
        return (scalar, n)
    }

    // MARK: printArg / printValue

    private mutating func write(_ s: String) { buf.append(contentsOf: s.utf8) }
    private mutating func writeRune(_ r: Unicode.Scalar) { buf.append(contentsOf: String(r).utf8) }

    private mutating func printArg(_ a: TemplateValue?, _ verb: Unicode.Scalar) {
        arg = a
        value = nil
        guard let a else {
            if verb == "T" || verb == "v" { padString("<nil>") } else { badVerb(verb) }
            return
        }
        switch verb {
        case "T":
            fmtS(a.goTypeName)
            return
        case "p":
            fmtPointer(a, "p")
            return
        default:
            break
        }
        switch a {
        case .bool(let b): fmtBool(b, verb)
        case .float64(let f): fmtFloat(f, verb)
        case .complex128(let re, let im): fmtComplex(re, im, verb)
        case .int(let i), .int64(let i): fmtInteger(UInt64(bitPattern: i), signed: true, verb)
        case .uint64(let u): fmtInteger(u, signed: false, verb)
        case .string(let s): fmtString(s, verb)
        default:
            if !handleMethods(verb) { printValue(a, verb, depth: 0) }
        }
    }

    /// The text of a value's `String()` method, for the types that have one.
    private static func stringerText(_ v: TemplateValue) -> String? {
        switch v {
        case .time(let t): return t.description
        case .duration(let d): return d.description
        case .stringer(_, let s): return s
        case .namedInteger(_, _, let s): return s
        default: return nil
        }
    }

    /// Go's `handleMethods`: `GoString()` under `%#v`, `String()` under `v s x X q`.
    private mutating func handleMethods(_ verb: Unicode.Scalar) -> Bool {
        if erroring { return false }
        guard let a = arg else { return false }
        if flags.sharpV {
            if case .time(let t) = a {
                fmtS(t.goString)
                return true
            }
            return false
        }
        switch verb {
        case "v", "s", "x", "X", "q":
            if let text = Self.stringerText(a) {
                fmtString(text, verb)
                return true
            }
        default:
            break
        }
        return false
    }

    private mutating func printValue(_ v: TemplateValue, _ verb: Unicode.Scalar, depth: Int) {
        if depth > 0 {
            arg = Self.interfaceArg(v)
            if handleMethods(verb) { return }
        }
        arg = nil
        value = v
        switch v {
        case .missing, .null, .nilInterface:
            // A nil interface inside a slice, map or struct: <nil> under every verb, unpadded.
            if flags.sharpV {
                write((v.goTypeName == "<nil>" ? "interface {}" : v.goTypeName) + "(nil)")
            } else {
                write("<nil>")
            }
        case .bool(let b): fmtBool(b, verb)
        case .int(let i), .int64(let i), .namedInteger(_, let i, _): fmtInteger(UInt64(bitPattern: i), signed: true, verb)
        case .duration(let d): fmtInteger(UInt64(bitPattern: d.nanoseconds), signed: true, verb)
        case .uint64(let u): fmtInteger(u, signed: false, verb)
        case .float64(let f): fmtFloat(f, verb)
        case .complex128(let re, let im): fmtComplex(re, im, verb)
        case .string(let s), .stringer(_, let s), .namedString(_, let s): fmtString(s, verb)
        case .map(let m):
            printMap(v.goTypeName, goSortedKeys(m).map { ($0, m[$0]!) }, verb, depth)
        case .stringMap(let m):
            printMap(v.goTypeName, goSortedKeys(m).map { ($0, .string(m[$0]!)) }, verb, depth)
        case .nilMap:
            if flags.sharpV {
                write(v.goTypeName + "(nil)")
            } else {
                write("map[]")
            }
        case .object(let o):
            printStruct(o.typeName, o.fieldNames.map { ($0, o.fields[$0] ?? .null) }, verb, depth)
        case .time(let t):
            // time.Time's fields: wall (nanoseconds; no monotonic reading), ext (seconds since
            // year 1) and loc (nil for UTC).
            printStruct("time.Time", [("wall", .uint64(UInt64(t.nanosecond))),
                                      ("ext", .int64(t.unixSeconds &+ GoTime.unixToInternal))], verb, depth, location: true)
        case .list(let items):
            if flags.sharpV {
                write(v.goTypeName)
                buf.append(UInt8(ascii: "{"))
                for (i, e) in items.enumerated() {
                    if i > 0 { write(", ") }
                    printValue(e, verb, depth: depth + 1)
                }
                buf.append(UInt8(ascii: "}"))
            } else {
                buf.append(UInt8(ascii: "["))
                for (i, e) in items.enumerated() {
                    if i > 0 { buf.append(0x20) }
                    printValue(e, verb, depth: depth + 1)
                }
                buf.append(UInt8(ascii: "]"))
            }
        }
    }

    private mutating func printMap(_ typeName: String, _ pairs: [(String, TemplateValue)], _ verb: Unicode.Scalar, _ depth: Int) {
        if flags.sharpV {
            write(typeName)
            buf.append(UInt8(ascii: "{"))
        } else {
            write("map[")
        }
        for (i, (k, e)) in pairs.enumerated() {
            if i > 0 {
                if flags.sharpV { write(", ") } else { buf.append(0x20) }
            }
            printValue(.string(k), verb, depth: depth + 1)
            buf.append(UInt8(ascii: ":"))
            printValue(e, verb, depth: depth + 1)
        }
        buf.append(flags.sharpV ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    private mutating func printStruct(_ typeName: String, _ fields: [(String, TemplateValue)], _ verb: Unicode.Scalar, _ depth: Int,
                                      location: Bool = false) {
        if flags.sharpV { write(typeName) }
        buf.append(UInt8(ascii: "{"))
        for (i, (name, e)) in fields.enumerated() {
            if i > 0 {
                if flags.sharpV { write(", ") } else { buf.append(0x20) }
            }
            if flags.plusV || flags.sharpV {
                write(name)
                buf.append(UInt8(ascii: ":"))
            }
            printValue(e, verb, depth: depth + 1)
        }
        if location {
            if flags.sharpV { write(", ") } else { buf.append(0x20) }
            if flags.plusV || flags.sharpV { write("loc:") }
            printNilLocation(verb)
        }
        buf.append(UInt8(ascii: "}"))
    }

    /// A time's `loc` field, nil for UTC: an unexported pointer, so printed as a pointer (its
    /// `String()` method is out of reach).
    private mutating func printNilLocation(_ verb: Unicode.Scalar) {
        if flags.sharpV {
            write("(*time.Location)(nil)")
            return
        }
        switch verb {
        case "v": padString("<nil>")
        case "p": fmt0x64(0, leading0x: !flags.sharp)
        case "b", "o", "d", "x", "X": fmtInteger(0, signed: false, verb)
        default:
            erroring = true
            write("%!")
            writeRune(verb)
            write("(*time.Location=")
            padString("<nil>")
            buf.append(UInt8(ascii: ")"))
            erroring = false
        }
    }

    private mutating func fmtPointer(_ v: TemplateValue, _ verb: Unicode.Scalar) {
        let u: UInt64
        switch v {
        case .nilMap: u = 0
        case .list, .map, .stringMap: u = 0xc000010000
        default:
            badVerb(verb)
            return
        }
        switch verb {
        case "v":
            if flags.sharpV {
                write("(" + v.goTypeName + ")(")
                if u == 0 { write("nil") } else { fmt0x64(u, leading0x: true) }
                buf.append(UInt8(ascii: ")"))
            } else if u == 0 {
                padString("<nil>")
            } else {
                fmt0x64(u, leading0x: !flags.sharp)
            }
        case "p": fmt0x64(u, leading0x: !flags.sharp)
        case "b", "o", "d", "x", "X": fmtInteger(u, signed: false, verb)
        default: badVerb(verb)
        }
    }

    private mutating func badVerb(_ verb: Unicode.Scalar) {
        erroring = true
        write("%!")
        writeRune(verb)
        buf.append(UInt8(ascii: "("))
        if let a = arg {
            write(a.goTypeName)
            buf.append(UInt8(ascii: "="))
            printArg(a, "v")
        } else if let v = value {
            write(v.goTypeName)
            buf.append(UInt8(ascii: "="))
            printValue(v, "v", depth: 0)
        } else {
            write("<nil>")
        }
        buf.append(UInt8(ascii: ")"))
        erroring = false
    }

    // MARK: Kinds (print.go)

    private mutating func fmtBool(_ v: Bool, _ verb: Unicode.Scalar) {
        switch verb {
        case "t", "v": padString(v ? "true" : "false")
        default: badVerb(verb)
        }
    }

    private mutating func fmt0x64(_ v: UInt64, leading0x: Bool) {
        let sharp = flags.sharp
        flags.sharp = leading0x
        fmtIntegerBase(v, base: 16, signed: false, verb: "v", upper: false)
        flags.sharp = sharp
    }

    private mutating func fmtInteger(_ v: UInt64, signed: Bool, _ verb: Unicode.Scalar) {
        switch verb {
        case "v":
            if flags.sharpV && !signed {
                fmt0x64(v, leading0x: true)
            } else {
                fmtIntegerBase(v, base: 10, signed: signed, verb: verb, upper: false)
            }
        case "d": fmtIntegerBase(v, base: 10, signed: signed, verb: verb, upper: false)
        case "b": fmtIntegerBase(v, base: 2, signed: signed, verb: verb, upper: false)
        case "o", "O": fmtIntegerBase(v, base: 8, signed: signed, verb: verb, upper: false)
        case "x": fmtIntegerBase(v, base: 16, signed: signed, verb: verb, upper: false)
        case "X": fmtIntegerBase(v, base: 16, signed: signed, verb: verb, upper: true)
        case "c": fmtC(v)
        case "q": fmtQc(v)
        case "U": fmtUnicode(v)
        default: badVerb(verb)
        }
    }

    private mutating func fmtFloat(_ v: Double, _ verb: Unicode.Scalar) {
        switch verb {
        case "v": fmtFloatFormat(v, UInt8(ascii: "g"), -1)
        case "b", "g", "G", "x", "X": fmtFloatFormat(v, UInt8(verb.value), -1)
        case "f", "e", "E": fmtFloatFormat(v, UInt8(verb.value), 6)
        case "F": fmtFloatFormat(v, UInt8(ascii: "f"), 6)
        default: badVerb(verb)
        }
    }

    private mutating func fmtComplex(_ re: Double, _ im: Double, _ verb: Unicode.Scalar) {
        switch verb {
        case "v", "b", "g", "G", "x", "X", "f", "F", "e", "E":
            let oldPlus = flags.plus
            buf.append(UInt8(ascii: "("))
            fmtFloat(re, verb)
            flags.plus = true
            fmtFloat(im, verb)
            write("i)")
            flags.plus = oldPlus
        default:
            badVerb(verb)
        }
    }

    private mutating func fmtString(_ v: String, _ verb: Unicode.Scalar) {
        switch verb {
        case "v": if flags.sharpV { fmtQ(v) } else { fmtS(v) }
        case "s": fmtS(v)
        case "x": fmtSx(v, upper: false)
        case "X": fmtSx(v, upper: true)
        case "q": fmtQ(v)
        default: badVerb(verb)
        }
    }

    // MARK: Formatting (format.go)

    private static func runeCount(_ b: ArraySlice<UInt8>) -> Int { b.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }

    private mutating func writePadding(_ n: Int) {
        guard n > 0 else { return }
        buf += [UInt8](repeating: flags.zero ? UInt8(ascii: "0") : 0x20, count: n)
    }

    private mutating func pad(_ b: [UInt8]) {
        if !flags.widPresent || wid == 0 {
            buf += b
            return
        }
        let width = wid - Self.runeCount(b[...])
        if !flags.minus {
            writePadding(width)
            buf += b
        } else {
            buf += b
            writePadding(width)
        }
    }

    private mutating func padString(_ s: String) {
        if !flags.widPresent || wid == 0 {
            buf.append(contentsOf: s.utf8)
            return
        }
        let width = wid - s.unicodeScalars.count
        if !flags.minus { writePadding(width) }
        buf.append(contentsOf: s.utf8)
        if flags.minus { writePadding(width) }
    }

    private mutating func fmtUnicode(_ u: UInt64) {
        var prec = 4
        if flags.precPresent && self.prec > 4 { prec = self.prec }
        var digits = String(u, radix: 16).uppercased()
        if digits.count < prec { digits = String(repeating: "0", count: prec - digits.count) + digits }
        var out = "U+" + digits
        if flags.sharp, u <= 0x10FFFF, let r = Unicode.Scalar(UInt32(u)), GoUnicode.isPrint(r) {
            out += " '" + String(r) + "'"
        }
        let oldZero = flags.zero
        flags.zero = false
        padString(out)
        flags.zero = oldZero
    }

    private mutating func fmtIntegerBase(_ value: UInt64, base: UInt64, signed: Bool, verb: Unicode.Scalar, upper: Bool) {
        var u = value
        let negative = signed && Int64(bitPattern: u) < 0
        if negative { u = 0 &- u }
        var prec = 0
        if flags.precPresent {
            prec = self.prec
            if prec == 0 && u == 0 {
                let oldZero = flags.zero
                flags.zero = false
                writePadding(wid)
                flags.zero = oldZero
                return
            }
        } else if flags.zero && flags.widPresent {
            prec = wid
            if negative || flags.plus || flags.space { prec -= 1 }
        }
        var digits = String(u, radix: Int(base), uppercase: upper)
        if digits.utf8.count < prec { digits = String(repeating: "0", count: prec - digits.utf8.count) + digits }
        var prefix = ""
        if flags.sharp {
            switch base {
            case 2: prefix = "0b"
            case 8: if digits.utf8.first != UInt8(ascii: "0") { prefix = "0" }
            case 16: prefix = upper ? "0X" : "0x"
            default: break
            }
        }
        if verb == "O" { prefix = "0o" + prefix }
        if negative {
            prefix = "-" + prefix
        } else if flags.plus {
            prefix = "+" + prefix
        } else if flags.space {
            prefix = " " + prefix
        }
        let oldZero = flags.zero
        flags.zero = false
        padString(prefix.isEmpty ? digits : prefix + digits)
        flags.zero = oldZero
    }

    /// Go's `truncateString`: at most `prec` runes.
    private func truncate(_ s: String) -> String {
        guard flags.precPresent else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.prefix(prec)))
    }

    private mutating func fmtS(_ s: String) { padString(truncate(s)) }

    private mutating func fmtSx(_ s: String, upper: Bool) {
        let b = Array(s.utf8)
        var length = b.count
        if flags.precPresent && prec < length { length = prec }
        var width = 2 * length
        if width > 0 {
            if flags.space {
                if flags.sharp { width *= 2 }
                width += length - 1
            } else if flags.sharp {
                width += 2
            }
        } else {
            if flags.widPresent { writePadding(wid) }
            return
        }
        if flags.widPresent && wid > width && !flags.minus { writePadding(wid - width) }
        let digits = Array((upper ? "0123456789ABCDEFX" : "0123456789abcdefx").utf8)
        if flags.sharp { buf += [UInt8(ascii: "0"), digits[16]] }
        for i in 0..<length {
            if flags.space && i > 0 {
                buf.append(0x20)
                if flags.sharp { buf += [UInt8(ascii: "0"), digits[16]] }
            }
            buf += [digits[Int(b[i] >> 4)], digits[Int(b[i] & 0xF)]]
        }
        if flags.widPresent && wid > width && flags.minus { writePadding(wid - width) }
    }

    private mutating func fmtQ(_ value: String) {
        let s = truncate(value)
        if flags.sharp && GoQuote.canBackquote(s) {
            padString("`" + s + "`")
            return
        }
        padString(GoQuote.quote(s, asciiOnly: flags.plus))
    }

    private mutating func fmtC(_ c: UInt64) {
        let r = c > 0x10FFFF ? "\u{FFFD}" : (Unicode.Scalar(UInt32(c)) ?? "\u{FFFD}")
        padString(String(r))
    }

    private mutating func fmtQc(_ c: UInt64) {
        let r = c > 0x10FFFF ? "\u{FFFD}" : (Unicode.Scalar(UInt32(c)) ?? "\u{FFFD}")
        padString(GoQuote.quoteRune(r, asciiOnly: flags.plus))
    }

    private mutating func fmtFloatFormat(_ v: Double, _ verb: UInt8, _ defaultPrec: Int) {
        let prec = flags.precPresent ? self.prec : defaultPrec
        var num = Array(GoFloat.format(v, verb, prec).utf8)
        if num.first == UInt8(ascii: "-") || num.first == UInt8(ascii: "+") {
            // keep the sign
        } else {
            num.insert(UInt8(ascii: "+"), at: 0)
        }
        if flags.space && num[0] == UInt8(ascii: "+") && !flags.plus { num[0] = 0x20 }
        if num[1] == UInt8(ascii: "I") || num[1] == UInt8(ascii: "N") {
            let oldZero = flags.zero
            flags.zero = false
            if num[1] == UInt8(ascii: "N") && !flags.space && !flags.plus { num.removeFirst() }
            pad(num)
            flags.zero = oldZero
            return
        }
        if flags.sharp && verb != UInt8(ascii: "b") {
            var digits = 0
            switch verb {
            case UInt8(ascii: "v"), UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "x"):
                digits = prec
                if digits == -1 { digits = 6 }
            default:
                break
            }
            var tail: [UInt8] = []
            var hasDecimalPoint = false
            var sawNonzeroDigit = false
            var i = 1
            while i < num.count {
                let c = num[i]
                if c == UInt8(ascii: ".") {
                    hasDecimalPoint = true
                } else if c == UInt8(ascii: "p") || c == UInt8(ascii: "P") {
                    tail = Array(num[i...])
                    num.removeSubrange(i...)
                    break
                } else if (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) && verb != UInt8(ascii: "x") && verb != UInt8(ascii: "X") {
                    tail = Array(num[i...])
                    num.removeSubrange(i...)
                    break
                } else {
                    if c != UInt8(ascii: "0") { sawNonzeroDigit = true }
                    if sawNonzeroDigit { digits -= 1 }
                }
                i += 1
            }
            if !hasDecimalPoint {
                if num.count == 2 && num[1] == UInt8(ascii: "0") { digits -= 1 }
                num.append(UInt8(ascii: "."))
            }
            while digits > 0 {
                num.append(UInt8(ascii: "0"))
                digits -= 1
            }
            num += tail
        }
        if flags.plus || num[0] != UInt8(ascii: "+") {
            if flags.zero && flags.widPresent && wid > num.count {
                buf.append(num[0])
                writePadding(wid - num.count)
                buf += num[1...]
                return
            }
            pad(num)
            return
        }
        pad(Array(num[1...]))
    }
}
