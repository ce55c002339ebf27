#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Scan {
    @inline(__always)
    static func isNumeric(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") }

    /// Scans a float, integer (`i`) or unsigned (`u`) value; returns its end and sets `value` to
    /// the number when it can (see ``ScannedValue``).
    ///
    /// The common shapes — `[-]digits[.digits]` with an optional `i`/`u`, then a comma, a space or
    /// the line's end, at most 19 digits — are read here in one pass that also computes the value;
    /// anything else (exponents, `NaN`, errors, long numbers) goes to ``numberExact``, InfluxDB's
    /// scanNumber rule by rule. Both accept the same text with the same end.
    @inline(__always)
    static func number(_ b: Bytes, _ start: Int, _ e: Int, value: inout ScannedValue) throws -> Int {
        var i = start
        let negative = b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        let digitsStart = i
        i = digitRun(b, i, e, into: &mantissa)
        var digits = i - digitsStart
        var fractionDigits = -1  // no '.'
        if i < e && b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            // One by one: fractions are short here, and the word check costs more than it saves.
            while i < e, b[i] &- 0x30 <= 9 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
                i += 1
            }
            fractionDigits = i - fractionStart
            digits += fractionDigits
        }
        guard digits > 0 && digits <= 19 else { return try numberExact(b, start, e, value: &value) }
        var c = i < e ? b[i] : sp
        if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            // An exponent: taken here only when Clinger's exact path applies (the value is then a
            // finite double, as strconv computes it); anything else is the exact scan's.
            var j = i + 1
            var negativeExponent = false
            if j < e && (b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-")) {
                negativeExponent = b[j] == UInt8(ascii: "-")
                j += 1
            }
            var exponent = 0
            let exponentStart = j
            while j < e, b[j] &- 0x30 <= 9, j - exponentStart < 3 {
                exponent = exponent * 10 + Int(b[j] &- 0x30)
                j += 1
            }
            let after = j < e ? b[j] : sp
            let scale = (negativeExponent ? -exponent : exponent) - max(fractionDigits, 0)
            guard j > exponentStart, after == comma || after == sp, digits <= 15, scale >= -22, scale <= 22 else {
                return try numberExact(b, start, e, value: &value)
            }
            value = ScannedValue(kind: .float, bits: exactDouble(mantissa, scale: scale, negative: negative).bitPattern, end: j)
            return j
        }
        c = i < e ? b[i] : sp
        if c == comma || c == sp {
            if digits <= 15 {
                let v = exactDouble(mantissa, scale: -max(fractionDigits, 0), negative: negative)
                value = ScannedValue(kind: .float, bits: v.bitPattern, end: i)
            }
            return i
        }
        // `i` or `u` must end the number; a '.' before it is an error the exact scan reports.
        let next = i + 1 < e ? b[i + 1] : sp
        guard fractionDigits < 0 && (next == comma || next == sp) else { return try numberExact(b, start, e, value: &value) }
        if c == UInt8(ascii: "i") && digits <= 18 {
            let v = negative ? -Int64(mantissa) : Int64(mantissa)
            value = ScannedValue(kind: .integer, bits: UInt64(bitPattern: v), end: i + 1)
            return i + 1
        }
        if c == UInt8(ascii: "u") && !negative {
            value = ScannedValue(kind: .unsigned, bits: mantissa, end: i + 1)
            return i + 1
        }
        return try numberExact(b, start, e, value: &value)
    }

    /// InfluxDB's scanNumber, rule by rule. It is reached for what ``number`` does not read (and
    /// for every number when the fast paths are off); it sets `value` only for exponents and long
    /// floats, whose check already parses them — decoding parses the rest from the text.
    static func numberExact(_ b: Bytes, _ start: Int, _ e: Int, value: inout ScannedValue) throws -> Int {
        var i = start
        var isInt = false
        var isUnsigned = false
        if i < e && b[i] == UInt8(ascii: "-") {
            i += 1
            if i == e { throw ScanFailure(position: i, reason: "invalid number") }
        }
        var decimal = false
        var scientific = false
        while i < e {
            let c = b[i]
            // Digits are most of a number: take them without the checks below.
            if c &- 0x30 <= 9 {
                i += 1
                continue
            }
            if c == comma || c == sp { break }
            if c == UInt8(ascii: "i") && i > start && !(isInt || isUnsigned) {
                isInt = true
                i += 1
                continue
            } else if c == UInt8(ascii: "u") && i > start && !(isInt || isUnsigned) {
                isUnsigned = true
                i += 1
                continue
            }
            if c == UInt8(ascii: ".") {
                if decimal { throw ScanFailure(position: i, reason: "invalid number") }
                decimal = true
            }
            if i > start && (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) {
                scientific = true
                i += 1
                continue
            }
            if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && (b[i - 1] == UInt8(ascii: "e") || b[i - 1] == UInt8(ascii: "E")) {
                i += 1
                continue
            }
            if i + 2 < e && (c == UInt8(ascii: "N") || c == UInt8(ascii: "n")) {
                throw ScanFailure(position: i, reason: "invalid number")
            }
            if !isNumeric(c) { throw ScanFailure(position: i, reason: "invalid number") }
            i += 1
        }
        if (isInt || isUnsigned) && (decimal || scientific) { throw ScanFailure(position: start, reason: "invalid number") }
        var digits = i - start
        if isInt { digits -= 1 }
        if decimal { digits -= 1 }
        if b[start] == UInt8(ascii: "-") { digits -= 1 }
        if digits == 0 { throw ScanFailure(position: start, reason: "invalid number") }
        if isInt {
            if b[i - 1] != UInt8(ascii: "i") { throw ScanFailure(position: start, reason: "invalid number") }
            if i - 1 - start >= 19 && parseInt64(b, start, i - 1) == nil {
                throw ScanFailure(position: start, reason: "unable to parse integer \(string(b, start, i - 1)): value out of range")
            }
        } else if isUnsigned {
            if b[i - 1] != UInt8(ascii: "u") { throw ScanFailure(position: start, reason: "invalid number") }
            if b[start] == UInt8(ascii: "-") { throw ScanFailure(position: start, reason: "invalid number") }
            if i - 1 - start >= 20 && parseUInt64(b, start, i - 1) == nil {
                throw ScanFailure(position: start, reason: "unable to parse unsigned \(string(b, start, i - 1)): value out of range")
            }
        } else if scientific || i - start >= 25 {
            guard let v = parseFloat(b, start, i) else { throw ScanFailure(position: start, reason: "invalid float") }
            value = ScannedValue(kind: .float, bits: v.bitPattern, end: i)
            return i
        }
        return i
    }

    /// Reads the decimal digits from `i` on into `value` (eight at a time, then one by one; it
    /// wraps past 19 digits, which callers count and refuse); returns where they end.
    @inline(__always)
    static func digitRun(_ b: Bytes, _ i0: Int, _ e: Int, into value: inout UInt64) -> Int {
        var i = i0
        while i + 8 <= e, let eight = eightDigits(b, i) {
            value = value &* 100_000_000 &+ eight
            i += 8
        }
        while i < e, b[i] &- 0x30 <= 9 {
            value = value &* 10 &+ UInt64(b[i] &- 0x30)
            i += 1
        }
        return i
    }

    /// The value of the eight bytes at `i` read as decimal digits, or nil when one is not a digit
    /// (SWAR: one load, a check and three multiplies instead of eight dependent steps).
    @inline(__always)
    static func eightDigits(_ b: Bytes, _ i: Int) -> UInt64? {
        guard let base = b.baseAddress else { return nil }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
        // Each byte is 0x30...0x39: high nibble 3, and adding 6 does not carry out of the low nibble.
        let high = word & 0xF0F0_F0F0_F0F0_F0F0
        let carried = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        guard high == 0x3030_3030_3030_3030 && carried == 0x3030_3030_3030_3030 else { return nil }
        var v = word &- 0x3030_3030_3030_3030
        // Pairs, then quads, then the eight (the first byte is the most significant digit).
        v = (v &* 10) &+ (v >> 8)
        v = ((v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
             &+ ((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))) >> 32
        return v
    }

    /// Scans `t`, `T`, `true`, `True`, `TRUE`, `f`, `F`, `false`, `False`, `FALSE`; returns its end.
    static func boolean(_ b: Bytes, _ start: Int, _ e: Int, value: inout ScannedValue) throws -> Int {
        var i = start
        let first = b[i]
        let t = UInt8(ascii: "t"), f = UInt8(ascii: "f"), bigT = UInt8(ascii: "T"), bigF = UInt8(ascii: "F")
        if first != t && first != f && first != bigT && first != bigF {
            throw ScanFailure(position: i, reason: "invalid boolean")
        }
        i += 1
        while i < e && b[i] != comma && b[i] != sp { i += 1 }
        guard let v = parseBool(b, start, i) else { throw ScanFailure(position: start, reason: "invalid boolean") }
        value = ScannedValue(kind: .boolean, bits: v ? 1 : 0, end: i)
        return i
    }

    /// Scans the optional timestamp; returns its end and start.
    /// Also returns the value when it is plain digits (at most 19, at most Int64.max), read eight
    /// at a time; otherwise nil and the caller parses the text.
    static func time(_ b: Bytes, _ i0: Int, _ e: Int, fast: Bool) throws -> (Int, Int, Int64?) {
        let start = skipWhitespace(b, i0, e)
        var i = start
        var value: UInt64 = 0
        if fast { i = digitRun(b, i, e, into: &value) }
        // 19 digits fit a UInt64 (below 10^19): in range when at most Int64.max.
        if fast && i - start <= 19 && value <= UInt64(Int64.max) && (i == e || b[i] == sp || b[i] == nl) {
            return (i, start, i > start ? Int64(value) : nil)
        }
        i = start
        while i < e {
            let c = b[i]
            if c == nl || c == sp { break }
            if i == start && c == UInt8(ascii: "-") {
                i += 1
                continue
            }
            if c < 0x30 || c > 0x39 { throw ScanFailure(position: i, reason: "bad timestamp") }
            i += 1
        }
        return (i, start, nil)
    }

    /// InfluxDB's `SafeCalcTime`: the timestamp in nanoseconds, or nil when out of range.
    static func safeTime(_ a: Int64, _ m: Int64) -> Int64? {
        let product: Int64
        if a == 0 || m == 0 || a == 1 || m == 1 {
            product = a &* m
        } else {
            if a == minNanoTime || m == maxNanoTime { return nil }
            let c = a &* m
            guard c / m == a else { return nil }
            product = c
        }
        guard product >= minNanoTime && product <= maxNanoTime else { return nil }
        return product
    }

    /// The end of a field value starting at `i`: the next comma outside quotes.
    @inline(__always)
    static func fieldValue(_ b: Bytes, _ i0: Int, _ e: Int) -> Int {
        var i = i0
        var quoted = false
        while i < e {
            let c = b[i]
            if c == bs && i + 1 < e && (b[i + 1] == quote || b[i + 1] == bs) {
                i += 2
                continue
            }
            if c == quote {
                i += 1
                quoted.toggle()
                continue
            }
            if c == comma && !quoted { break }
            i += 1
        }
        return i
    }

    static func string(_ b: Bytes, _ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }
}
