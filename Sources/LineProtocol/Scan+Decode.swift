#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Scan {
    /// Builds the point from a scanned line, as InfluxDB's `Name()`, `Tags()` and `Fields()` read
    /// it, into the one buffer the point will own (see ``PointBuilder``).
    static func decode(_ b: Bytes, lineStart: Int, lineEnd: Int, keyStart: Int, measurementEnd: Int, fieldsStart: Int,
                       fieldsEnd: Int, time: Int64, scratch: inout Scratch) throws -> Point {
        let unescape = scratch.lineHasBackslash
        scratch.builder.begin(line: b, lineStart, lineEnd)
        scratch.builder.appendMeasurement(b, keyStart, measurementEnd, unescape: unescape, measurementEscape)
        let tagCount = scratch.tagCount
        if tagCount > 0 {
            let starts = scratch.tagStarts
            let order = scratch.order
            let equals = scratch.tagEquals
            let escaped = scratch.tagEscaped
            for j in 0..<tagCount {
                let t = order[j]
                // The scan recorded each tag's unescaped `=`, where InfluxDB's walkTags splits too.
                let k = equals[t]
                let end = starts[t + 1] - 1
                if k + 1 >= end { continue }  // InfluxDB skips a tag whose value is empty.
                let key = scratch.builder.appendText(b, starts[t], k, unescape: escaped[t], tagEscape)
                let value = scratch.builder.appendText(b, k + 1, end, unescape: escaped[t], tagEscape)
                scratch.builder.appendTag(key: key, value: value)
            }
        }
        let mark = scratch.builder.mark()
        let simple = scratch.fastPaths && !scratch.fieldsHaveBackslash
        let recorded = try simple && recordedFields(b, fieldsStart, fieldsEnd, scratch: &scratch)
        if !recorded {
            scratch.builder.rollBack(to: mark)
            try iteratedFields(b, fieldsStart, fieldsEnd, scratch: &scratch)
        }
        // Deviation: InfluxDB accepts a point whose fields all have empty keys, then stores nothing.
        if scratch.builder.fieldCount == 0 { throw ScanFailure(position: fieldsStart, reason: "missing fields") }
        return scratch.builder.finish(time: time)
    }

    /// escape.Unescape, for measurements and field keys: `\,` `\"` `\ ` `\=` lose the backslash.
    @inline(__always)
    static func measurementEscape(_ c: UInt8) -> Bool { c == comma || c == quote || c == sp || c == eq }
    /// InfluxDB's unescapeTag replaces `\,` then `\ ` then `\=` over the whole text in turn; no
    /// replacement can create a new pair, so one left-to-right pass is the same.
    @inline(__always)
    static func tagEscape(_ c: UInt8) -> Bool { c == comma || c == sp || c == eq }
    /// unescapeStringField: `\\` and `\"` lose the backslash.
    @inline(__always)
    static func stringFieldEscape(_ c: UInt8) -> Bool { c == bs || c == quote }

    /// Fields of a backslash-free field set, split where the scan recorded each `=` and comma
    /// (no rescanning). Returns false when those positions do not split the set as InfluxDB's
    /// iterator would (e.g. `f="a"=1,r`): the caller then takes ``iteratedFields``.
    static func recordedFields(_ b: Bytes, _ fieldsStart: Int, _ fieldsEnd: Int, scratch: inout Scratch) throws -> Bool {
        let count = scratch.equalsCount
        // A quote in a key means the recorded positions may not split the set as InfluxDB's
        // iterator does.
        guard count == scratch.commasCount + 1, !scratch.fieldKeysHaveQuote else { return false }
        var keyStart = fieldsStart
        for j in 0..<count {
            let k = scratch.fieldEquals[j]
            let ve = j < scratch.commasCount ? scratch.fieldCommas[j] : fieldsEnd
            guard k >= keyStart, k < ve else { return false }
            let vs = k + 1
            defer { keyStart = ve + 1 }
            if k == keyStart || ve == vs { continue }  // empty key or value: InfluxDB skips it
            let key = scratch.builder.appendText(b, keyStart, k, unescape: false, measurementEscape)
            let scanned = scratch.fieldValues[j]
            if scanned.end == ve && scanned.kind != .none {
                scratch.builder.appendField(key: key, kind: scanned.kind, bits: scanned.bits)
            } else {
                try appendFieldValue(b, vs, ve, key: key, unescape: false, scratch: &scratch)
            }
        }
        return true
    }

    /// Fields exactly as InfluxDB's field iterator walks them: key up to the next unescaped `=`,
    /// value up to the next comma outside quotes.
    static func iteratedFields(_ b: Bytes, _ fieldsStart: Int, _ fieldsEnd: Int, scratch: inout Scratch) throws {
        var p = fieldsStart
        while p < fieldsEnd {
            let k = to(b, p, fieldsEnd, eq, base: fieldsStart)
            guard k < fieldsEnd else { throw ScanFailure(position: p, reason: "invalid field format") }
            let valueEnd = fieldValue(b, k + 1, fieldsEnd)
            let keyRange = (p, k)
            p = valueEnd + 1
            let vs = k + 1
            if keyRange.1 == keyRange.0 || valueEnd == vs { continue }  // empty key or value: InfluxDB skips it
            let key = scratch.builder.appendText(b, keyRange.0, keyRange.1, unescape: true, measurementEscape)
            try appendFieldValue(b, vs, valueEnd, key: key, unescape: true, scratch: &scratch)
        }
    }

    /// Adds the field `key` with the value `b[vs..<valueEnd]`, typed as InfluxDB's field iterator
    /// types it: by its first and last byte.
    static func appendFieldValue(_ b: Bytes, _ vs: Int, _ valueEnd: Int, key: (Int, Int), unescape: Bool,
                                 scratch: inout Scratch) throws {
        let first = b[vs]
        let last = b[valueEnd - 1]
        if first == quote {
            guard valueEnd - vs >= 2 else {
                throw ScanFailure(position: vs, reason: "unbalanced quotes")  // InfluxDB panics here
            }
            let text = scratch.builder.appendText(b, vs + 1, valueEnd - 1, unescape: unescape, stringFieldEscape)
            scratch.builder.appendField(key: key, kind: .none, bits: UInt64(text.0) << 32 | UInt64(text.1))
        } else if isNumericStart(first) {
            if last == UInt8(ascii: "i") {
                guard let v = parseInt64(b, vs, valueEnd - 1) else {
                    throw ScanFailure(position: vs, reason: "unable to parse integer value \"\(string(b, vs, valueEnd - 1))\"")
                }
                scratch.builder.appendField(key: key, kind: .integer, bits: UInt64(bitPattern: v))
            } else if last == UInt8(ascii: "u") {
                guard let v = parseUInt64(b, vs, valueEnd - 1) else {
                    throw ScanFailure(position: vs, reason: "unable to parse unsigned value \"\(string(b, vs, valueEnd - 1))\"")
                }
                scratch.builder.appendField(key: key, kind: .unsigned, bits: v)
            } else {
                guard let v = parseFloat(b, vs, valueEnd) else {
                    throw ScanFailure(position: vs, reason: "unable to parse floating point value \"\(string(b, vs, valueEnd))\"")
                }
                scratch.builder.appendField(key: key, kind: .float, bits: v.bitPattern)
            }
        } else {
            guard let v = parseBool(b, vs, valueEnd) else {
                throw ScanFailure(position: vs, reason: "unable to parse bool value \"\(string(b, vs, valueEnd))\"")
            }
            scratch.builder.appendField(key: key, kind: .boolean, bits: v ? 1 : 0)
        }
    }

    @inline(__always)
    static func isNumericStart(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "n"),
             UInt8(ascii: "N"), UInt8(ascii: "i"), UInt8(ascii: "I"), UInt8(ascii: "u"):
            return true
        default:
            return false
        }
    }

    // MARK: Numbers, as Go's strconv reads them

    /// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, in range.
    static func parseInt64(_ b: Bytes, _ s: Int, _ e: Int) -> Int64? {
        guard s < e else { return nil }
        let negative = b[s] == UInt8(ascii: "-")
        let digitsStart = negative || b[s] == UInt8(ascii: "+") ? s + 1 : s
        guard let magnitude = parseUInt64(b, digitsStart, e) else { return nil }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude > UInt64(Int64.max) ? nil : Int64(magnitude)
    }

    /// strconv.ParseUint(s, 10, 64): decimal digits, in range.
    static func parseUInt64(_ b: Bytes, _ s: Int, _ e: Int) -> UInt64? {
        guard s < e else { return nil }
        var v: UInt64 = 0
        var i = s
        while i < e {
            let d = b[i] &- 0x30
            guard d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }

    /// strconv.ParseBool.
    static func parseBool(_ b: Bytes, _ s: Int, _ e: Int) -> Bool? {
        switch e - s {
        case 1:
            switch b[s] {
            case UInt8(ascii: "1"), UInt8(ascii: "t"), UInt8(ascii: "T"): return true
            case UInt8(ascii: "0"), UInt8(ascii: "f"), UInt8(ascii: "F"): return false
            default: return nil
            }
        case 4:
            if matches(b, s, "true") || matches(b, s, "TRUE") || matches(b, s, "True") { return true }
            return nil
        case 5:
            if matches(b, s, "false") || matches(b, s, "FALSE") || matches(b, s, "False") { return false }
            return nil
        default:
            return nil
        }
    }

    @inline(__always)
    static func matches(_ b: Bytes, _ s: Int, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for k in 0..<w.count where b[s + k] != w[k] { return false }
        return true
    }

    /// strconv.ParseFloat(s, 64) for decimal input: nil on a syntax error or overflow (±Inf).
    /// Accepts `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`.
    static func parseFloat(_ b: Bytes, _ s: Int, _ e: Int) -> Double? {
        var i = s
        if i < e && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
        var mantissaDigits = 0
        var fastValue: UInt64 = 0
        var fastDigits = 0
        var fractionDigits = 0
        while i < e, b[i] &- 0x30 <= 9 {
            if fastDigits < 19 {
                fastValue = fastValue * 10 + UInt64(b[i] &- 0x30)
                fastDigits += 1
            } else {
                fastDigits = 99
            }
            mantissaDigits += 1
            i += 1
        }
        if i < e && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < e, b[i] &- 0x30 <= 9 {
                if fastDigits < 19 {
                    fastValue = fastValue * 10 + UInt64(b[i] &- 0x30)
                    fastDigits += 1
                } else {
                    fastDigits = 99
                }
                fractionDigits += 1
                mantissaDigits += 1
                i += 1
            }
        }
        guard mantissaDigits > 0 else { return nil }
        var exponent = 0
        if i < e && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            var negative = false
            if i < e && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) {
                negative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var expDigits = 0
            while i < e, b[i] &- 0x30 <= 9 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] &- 0x30) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            if negative { exponent = -exponent }
        }
        guard i == e else { return nil }
        // Exact fast path (Clinger): an integer mantissa below 2^53 and a power of ten that is
        // itself an exact double; one IEEE multiply or divide then rounds correctly, as strtod.
        let scale = exponent - fractionDigits
        if fastDigits <= 15 && scale >= -22 && scale <= 22 {
            return exactDouble(fastValue, scale: scale, negative: b[s] == UInt8(ascii: "-"))
        }
        // General case: strtod is correctly rounded, like Go's ParseFloat.
        let length = e - s
        let value: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buf in
            for k in 0..<length { buf[k] = CChar(bitPattern: b[s + k]) }
            buf[length] = 0
            return strtod(buf.baseAddress!, nil)
        }
        return value.isInfinite ? nil : value
    }

    /// `mantissa` x 10^`scale`, negated when `negative`: correctly rounded, as strtod, when the
    /// mantissa is below 2^53 and |scale| <= 22 (Clinger's fast path: one IEEE multiply or divide
    /// of two exact doubles). The callers check both.
    @inline(__always)
    static func exactDouble(_ mantissa: UInt64, scale: Int, negative: Bool) -> Double {
        var v = Double(mantissa)
        if scale > 0 { v *= powersOfTen[scale] } else if scale < 0 { v /= powersOfTen[-scale] }
        return negative ? -v : v
    }

    /// 10^0 ... 10^22, each an exact double (a literal, so it is initialized statically: no
    /// lazy-initialization check on the number path).
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
