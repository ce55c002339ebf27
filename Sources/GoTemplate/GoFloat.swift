#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for the formats fmt uses: `e E f g G b x X`.
///
/// Decimal digits come from the shortest round-trip form (precision -1) or from C's correctly
/// rounded `%.*e`/`%.*f` (fixed precision; both round the exact binary value half to even, as Go's
/// decimal conversion does); the layout rules are Go's own (`formatDigits`, `fmtE`, `fmtF`, `fmtB`,
/// `fmtX`), which C's `%f` and `%e` share.
enum GoFloat {
    /// Decimal digits `d` with the decimal point `dp` digits from the left (`0.0123`: d "123", dp -1).
    struct Digits {
        var d: [UInt8]
        var dp: Int
        var nd: Int { d.count }
    }

    static func format(_ f: Double, _ fmt: UInt8, _ prec: Int) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        let neg = f.sign == .minus
        switch fmt {
        case UInt8(ascii: "b"), UInt8(ascii: "x"), UInt8(ascii: "X"):
            let bits = f.bitPattern
            var exp = Int((bits >> 52) & 0x7FF)
            var mant = bits & ((1 << 52) - 1)
            if exp == 0 { exp += 1 } else { mant |= 1 << 52 }
            exp -= 1023
            return fmt == UInt8(ascii: "b") ? formatB(neg, mant, exp) : formatX(neg, mant, exp, prec, upper: fmt == UInt8(ascii: "X"))
        default:
            break
        }
        // With a precision, C's %f and %e lay the digits out as Go's fmtF and fmtE do.
        if prec >= 0 && (fmt == UInt8(ascii: "f") || fmt == UInt8(ascii: "e")) { return c(fmt == UInt8(ascii: "f") ? "%.*f" : "%.*e", prec, f) }
        var prec = prec
        let shortest = prec < 0
        var digs: Digits
        if f == 0 {
            digs = Digits(d: [], dp: 0)
            if shortest {
                prec = 0
            } else if fmt != UInt8(ascii: "e") && fmt != UInt8(ascii: "E") && fmt != UInt8(ascii: "f") && prec == 0 {
                prec = 1
            }
        } else if shortest {
            let (d, dp) = GoFormat.shortestDigits(f)
            digs = Digits(d: d, dp: dp)
            switch fmt {
            case UInt8(ascii: "e"), UInt8(ascii: "E"): prec = max(digs.nd - 1, 0)
            case UInt8(ascii: "f"): prec = max(digs.nd - digs.dp, 0)
            default: prec = digs.nd
            }
        } else {
            if fmt == UInt8(ascii: "E") {
                digs = significant(f, prec + 1)
            } else {
                if prec == 0 { prec = 1 }
                digs = significant(f, prec)
            }
        }
        return formatDigits(neg, digs, prec, fmt, shortest: shortest)
    }

    /// C's `printf(format, prec, f)` for a `%.*f` or `%.*e` format (Foundation's String(format:)
    /// costs ten times as much).
    static func c(_ format: StaticString, _ prec: Int, _ f: Double) -> String {
        let cFormat = UnsafeRawPointer(format.utf8Start).assumingMemoryBound(to: CChar.self)
        func write(into buf: inout [UInt8]) -> Int {
            let size = buf.count
            return Int(withVaList([Int32(prec), f]) { args in
                buf.withUnsafeMutableBytes { vsnprintf($0.baseAddress?.assumingMemoryBound(to: CChar.self), size, cFormat, args) }
            })
        }
        var buf = [UInt8](repeating: 0, count: 64)
        var n = write(into: &buf)
        if n >= buf.count {
            buf = [UInt8](repeating: 0, count: n + 1)
            n = write(into: &buf)
        }
        return String(decoding: buf[..<n], as: UTF8.self)
    }

    /// `n` significant digits, correctly rounded, trailing zeros trimmed.
    static func significant(_ f: Double, _ n: Int) -> Digits {
        let text = c("%.*e", max(n - 1, 0), abs(f))
        let parts = text.split(separator: "e")
        var d = Array(parts[0].utf8.filter { $0 != UInt8(ascii: ".") })
        let exp = Int(parts[1]) ?? 0
        while let last = d.last, last == UInt8(ascii: "0") { d.removeLast() }
        return Digits(d: d, dp: d.isEmpty ? 0 : exp + 1)
    }

    /// Go's `formatDigits`.
    static func formatDigits(_ neg: Bool, _ digs: Digits, _ prec: Int, _ fmt: UInt8, shortest: Bool) -> String {
        switch fmt {
        case UInt8(ascii: "e"), UInt8(ascii: "E"): return formatE(neg, digs, prec, fmt)
        case UInt8(ascii: "f"): return formatF(neg, digs, prec)
        default:
            var prec = prec
            var eprec = prec
            if eprec > digs.nd && digs.nd >= digs.dp { eprec = digs.nd }
            if shortest { eprec = 6 }
            let exp = digs.dp - 1
            if exp < -4 || exp >= eprec {
                if prec > digs.nd { prec = digs.nd }
                return formatE(neg, digs, prec - 1, fmt == UInt8(ascii: "G") ? UInt8(ascii: "E") : UInt8(ascii: "e"))
            }
            if prec > digs.dp { prec = digs.nd }
            return formatF(neg, digs, max(prec - digs.dp, 0))
        }
    }

    /// `-d.ddddde±dd`.
    static func formatE(_ neg: Bool, _ d: Digits, _ prec: Int, _ fmt: UInt8) -> String {
        var out: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        out.append(d.nd == 0 ? UInt8(ascii: "0") : d.d[0])
        if prec > 0 {
            out.append(UInt8(ascii: "."))
            var i = 1
            let m = min(d.nd, prec + 1)
            if i < m {
                out.append(contentsOf: d.d[i..<m])
                i = m
            }
            while i <= prec {
                out.append(UInt8(ascii: "0"))
                i += 1
            }
        }
        out.append(fmt)
        var exp = d.dp - 1
        if d.nd == 0 { exp = 0 }
        if exp < 0 {
            out.append(UInt8(ascii: "-"))
            exp = -exp
        } else {
            out.append(UInt8(ascii: "+"))
        }
        if exp < 10 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(48 + exp))
        } else {
            out.append(contentsOf: Array(String(exp).utf8))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `-ddd.ddddd`.
    static func formatF(_ neg: Bool, _ d: Digits, _ prec: Int) -> String {
        var out: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        if d.dp > 0 {
            let m = min(d.nd, d.dp)
            out.append(contentsOf: d.d[0..<m])
            for _ in m..<d.dp { out.append(UInt8(ascii: "0")) }
        } else {
            out.append(UInt8(ascii: "0"))
        }
        if prec > 0 {
            out.append(UInt8(ascii: "."))
            for i in 1...prec {
                let j = d.dp + i - 1
                out.append(j >= 0 && j < d.nd ? d.d[j] : UInt8(ascii: "0"))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `-mantissa p±exponent` (a binary exponent, mantissa in decimal).
    static func formatB(_ neg: Bool, _ mant: UInt64, _ exp: Int) -> String {
        let e = exp - 52
        return (neg ? "-" : "") + String(mant) + "p" + (e >= 0 ? "+" : "") + String(e)
    }

    /// `-0x1.hhhhp±dd`.
    static func formatX(_ neg: Bool, _ mantissa: UInt64, _ exponent: Int, _ prec: Int, upper: Bool) -> String {
        var mant = mantissa
        var exp = mantissa == 0 ? 0 : exponent
        mant = mant &<< 8
        while mant != 0 && mant & (1 << 60) == 0 {
            mant = mant &<< 1
            exp -= 1
        }
        if prec >= 0 && prec < 15 {
            let shift = UInt64(prec * 4)
            let extra = (mant &<< shift) & ((1 << 60) - 1)
            mant = mant &>> (60 - shift)
            if extra | (mant & 1) > 1 << 59 { mant += 1 }
            mant = mant &<< (60 - shift)
            if mant & (1 << 61) != 0 {
                mant = mant &>> 1
                exp += 1
            }
        }
        let hex = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        out += [UInt8(ascii: "0"), upper ? UInt8(ascii: "X") : UInt8(ascii: "x"), UInt8(48 + Int((mant >> 60) & 1))]
        mant = mant &<< 4
        if prec < 0 && mant != 0 {
            out.append(UInt8(ascii: "."))
            while mant != 0 {
                out.append(hex[Int((mant >> 60) & 15)])
                mant = mant &<< 4
            }
        } else if prec > 0 {
            out.append(UInt8(ascii: "."))
            for _ in 0..<prec {
                out.append(hex[Int((mant >> 60) & 15)])
                mant = mant &<< 4
            }
        }
        out.append(upper ? UInt8(ascii: "P") : UInt8(ascii: "p"))
        out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        exp = abs(exp)
        if exp < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: Array(String(exp).utf8))
        return String(decoding: out, as: UTF8.self)
    }
}
