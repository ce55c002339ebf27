/// A span of time in nanoseconds, parsed and printed exactly as Go's `time.Duration` is.
///
/// Kapacitor's configuration (`timeout = "10s"`), its lambda literals (`5m`) and its templates
/// (`{{ .Duration }}` prints `1m30s`) all speak Go's duration syntax, so one type serves them all.
///
/// ```swift
/// let d = try GoDuration(parsing: "1m30s")   // 90_000_000_000 ns
/// d.description                              // "1m30s"
/// ```
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The span in nanoseconds; negative spans are allowed, as in Go.
    public var nanoseconds: Int64

    /// A duration of `nanoseconds`.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Zero.
    public static let zero = GoDuration(nanoseconds: 0)
    /// One nanosecond.
    public static let nanosecond = GoDuration(nanoseconds: 1)
    /// One microsecond.
    public static let microsecond = GoDuration(nanoseconds: 1_000)
    /// One millisecond.
    public static let millisecond = GoDuration(nanoseconds: 1_000_000)
    /// One second.
    public static let second = GoDuration(nanoseconds: 1_000_000_000)
    /// One minute.
    public static let minute = GoDuration(nanoseconds: 60_000_000_000)
    /// One hour.
    public static let hour = GoDuration(nanoseconds: 3_600_000_000_000)

    /// Whole milliseconds, rounded down (what librdkafka's `*.ms` properties take).
    public var milliseconds: Int64 { nanoseconds / 1_000_000 }

    /// The span as seconds in floating point.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The same span as a Swift `Duration`.
    public var swiftDuration: Duration { .nanoseconds(nanoseconds) }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// Why a duration string was not accepted; the messages are Go's own.
public enum GoDurationError: Error, Equatable, CustomStringConvertible {
    /// The text is not of the form `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or overflows.
    case invalid(String)
    /// A number without a unit, such as `"10"`.
    case missingUnit(String)
    /// A unit Go does not know, such as `"10sec"`.
    case unknownUnit(unit: String, text: String)

    public var description: String {
        switch self {
        case .invalid(let s): return "time: invalid duration \(goQuote(s))"
        case .missingUnit(let s): return "time: missing unit in duration \(goQuote(s))"
        case .unknownUnit(let u, let s): return "time: unknown unit \(goQuote(u)) in duration \(goQuote(s))"
        }
    }
}

/// Go's `%q` for the plain strings that appear in duration errors.
private func goQuote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension GoDuration {
    /// Parses Go's duration syntax (`time.ParseDuration`): `"300ms"`, `"-1.5h"`, `"2h45m"`, `"0"`.
    ///
    /// Units: `ns`, `us` (or `µs`, `μs`), `ms`, `s`, `m`, `h`.
    /// - Throws: ``GoDurationError`` with Go's message.
    public init(parsing text: String) throws(GoDurationError) {
        let bytes = Array(text.utf8)
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        if bytes.count - i == 1, bytes[i] == UInt8(ascii: "0") {
            self.init(nanoseconds: 0)
            return
        }
        if i == bytes.count { throw .invalid(text) }
        var total: UInt64 = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: ".") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
                throw .invalid(text)
            }
            // Integer part.
            let intStart = i
            var whole: UInt64 = 0
            var overflow = false
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
                if o1 || o2 || a > 1 << 63 { overflow = true }
                whole = a
                i += 1
            }
            if overflow { throw .invalid(text) }
            let pre = i != intStart
            // Fraction.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var post = false
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                let fracStart = i
                var fracOverflow = false
                while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
                    if !fracOverflow {
                        let (m, o1) = fraction.multipliedReportingOverflow(by: 10)
                        let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
                        if o1 || o2 || a > 1 << 63 {
                            fracOverflow = true  // Go ignores digits beyond precision.
                        } else {
                            fraction = a
                            scale *= 10
                        }
                    }
                    i += 1
                }
                post = i != fracStart
            }
            if !pre && !post { throw .invalid(text) }
            // Unit.
            let unitStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "."), !(bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")) {
                i += 1
            }
            if unitStart == i { throw .missingUnit(text) }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            let perUnit: UInt64
            switch unit {
            case "ns": perUnit = 1
            case "us", "µs", "μs": perUnit = 1_000
            case "ms": perUnit = 1_000_000
            case "s": perUnit = 1_000_000_000
            case "m": perUnit = 60_000_000_000
            case "h": perUnit = 3_600_000_000_000
            default: throw .unknownUnit(unit: unit, text: text)
            }
            let (wholeNs, o1) = whole.multipliedReportingOverflow(by: perUnit)
            if o1 || wholeNs > 1 << 63 { throw .invalid(text) }
            var value = wholeNs
            if fraction > 0 {
                let add = UInt64(Double(fraction) * (Double(perUnit) / scale))
                let (v, o2) = value.addingReportingOverflow(add)
                if o2 || v > 1 << 63 { throw .invalid(text) }
                value = v
            }
            let (t, o3) = total.addingReportingOverflow(value)
            if o3 || t > 1 << 63 { throw .invalid(text) }
            total = t
        }
        if negative {
            self.init(nanoseconds: total == 1 << 63 ? Int64.min : -Int64(total))
        } else {
            if total > UInt64(Int64.max) { throw .invalid(text) }
            self.init(nanoseconds: Int64(total))
        }
    }

    /// Go's `Duration.String()`: `"1h2m3.5s"`, `"1.5µs"`, `"0s"`.
    public var description: String {
        var buf = [UInt8](repeating: 0, count: 32)
        var w = buf.count
        let neg = nanoseconds < 0
        var u = neg ? UInt64(bitPattern: 0 &- nanoseconds) : UInt64(nanoseconds)
        if u < 1_000_000_000 {
            // Sub-second: a single smaller unit, with a fraction.
            var prec = 0
            w -= 1
            buf[w] = UInt8(ascii: "s")
            w -= 1
            if u == 0 {
                return "0s"
            } else if u < 1_000 {
                prec = 0
                buf[w] = UInt8(ascii: "n")
            } else if u < 1_000_000 {
                prec = 3
                // "µ" is two bytes in UTF-8: C2 B5.
                w -= 1
                buf[w] = 0xC2
                buf[w + 1] = 0xB5
            } else {
                prec = 6
                buf[w] = UInt8(ascii: "m")
            }
            (w, u) = Self.formatFraction(&buf, w, u, prec)
            w = Self.formatInt(&buf, w, u)
        } else {
            w -= 1
            buf[w] = UInt8(ascii: "s")
            (w, u) = Self.formatFraction(&buf, w, u, 9)
            w = Self.formatInt(&buf, w, u % 60)
            u /= 60
            if u > 0 {
                w -= 1
                buf[w] = UInt8(ascii: "m")
                w = Self.formatInt(&buf, w, u % 60)
                u /= 60
                if u > 0 {
                    w -= 1
                    buf[w] = UInt8(ascii: "h")
                    w = Self.formatInt(&buf, w, u)
                }
            }
        }
        if neg {
            w -= 1
            buf[w] = UInt8(ascii: "-")
        }
        return String(decoding: buf[w...], as: UTF8.self)
    }

    private static func formatFraction(_ buf: inout [UInt8], _ w0: Int, _ v0: UInt64, _ prec: Int) -> (Int, UInt64) {
        var w = w0
        var v = v0
        var printed = false
        for _ in 0..<prec {
            let digit = v % 10
            printed = printed || digit != 0
            if printed {
                w -= 1
                buf[w] = UInt8(digit) + UInt8(ascii: "0")
            }
            v /= 10
        }
        if printed {
            w -= 1
            buf[w] = UInt8(ascii: ".")
        }
        return (w, v)
    }

    private static func formatInt(_ buf: inout [UInt8], _ w0: Int, _ v0: UInt64) -> Int {
        var w = w0
        var v = v0
        if v == 0 {
            w -= 1
            buf[w] = UInt8(ascii: "0")
        } else {
            while v > 0 {
                w -= 1
                buf[w] = UInt8(v % 10) + UInt8(ascii: "0")
                v /= 10
            }
        }
        return w
    }
}
