#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Scan {
    /// Builds the point from a scanned line, as InfluxDB's `Name()`, `Tags()` and `Fields()` read it.
    static func decode(_ b: Bytes, keyStart: Int, measurementEnd: Int, fieldsStart: Int, fieldsEnd: Int,
                       time: Int64, scratch: inout Scratch) throws -> Point {
        // Measurement: escape.Unescape (\, \" \space \= lose their backslash).
        let measurement: String
        let measurementKey = scratch.tables.measurements.key(b, keyStart, measurementEnd)
        if let key = measurementKey, let known = scratch.tables.measurements.find(key) {
            measurement = known
        } else {
            measurement = unescaped(b, keyStart, measurementEnd, scratch: &scratch) { $0 == comma || $0 == quote || $0 == sp || $0 == eq }
            if let key = measurementKey { scratch.tables.measurements.insert(key, measurement) }
        }
        var tags: [Tag] = []
        let tagCount = scratch.tagCount
        if tagCount > 0 {
            tags.reserveCapacity(tagCount)
            let starts = scratch.tagStarts
            let order = scratch.order
            for j in 0..<tagCount {
                let t = order[j]
                // The scan recorded each tag's unescaped `=`, where InfluxDB's walkTags splits too.
                let k = scratch.tagEquals[t]
                let end = starts[t + 1] - 1
                if k + 1 >= end { continue }  // InfluxDB skips a tag whose value is empty.
                let tagKey = scratch.tables.tags.key(b, starts[t], end)
                if let key = tagKey, let known = scratch.tables.tags.find(key) {
                    tags.append(known)
                    continue
                }
                let tag = Tag(key: unescapedTag(b, starts[t], k, scratch: &scratch),
                              value: unescapedTag(b, k + 1, end, scratch: &scratch))
                if let key = tagKey { scratch.tables.tags.insert(key, tag) }
                tags.append(tag)
            }
        }
        var fields: [Field] = []
        let simple = !scratch.lineHasBackslash || memchr(b.baseAddress! + fieldsStart, Int32(bs), fieldsEnd - fieldsStart) == nil
        let recorded = try simple && recordedFields(b, fieldsStart, fieldsEnd, into: &fields, scratch: &scratch)
        if !recorded {
            fields.removeAll(keepingCapacity: true)
            try iteratedFields(b, fieldsStart, fieldsEnd, into: &fields, scratch: &scratch)
        }
        // Deviation: InfluxDB accepts a point whose fields all have empty keys, then stores nothing.
        if fields.isEmpty { throw ScanFailure(position: fieldsStart, reason: "missing fields") }
        return Point(measurement: measurement, tags: tags, fields: fields, time: time)
    }

    /// Fields of a backslash-free field set, split where the scan recorded each `=` and comma
    /// (no rescanning). Returns false when those positions do not split the set as InfluxDB's
    /// iterator would (e.g. `f="a"=1,r`): the caller then takes ``iteratedFields``.
    static func recordedFields(_ b: Bytes, _ fieldsStart: Int, _ fieldsEnd: Int, into fields: inout [Field],
                               scratch: inout Scratch) throws -> Bool {
        let count = scratch.equalsCount
        guard count == scratch.commasCount + 1 else { return false }
        fields.reserveCapacity(count)
        var keyStart = fieldsStart
        for j in 0..<count {
            let k = scratch.fieldEquals[j]
            let ve = j < scratch.commasCount ? scratch.fieldCommas[j] : fieldsEnd
            guard k >= keyStart, k < ve else { return false }
            // A known key holds no quote; any other is checked (a quote there means the recorded
            // positions may not split the set as InfluxDB's iterator does).
            let nameKey = scratch.tables.fieldKeys.key(b, keyStart, k)
            var name = nameKey.flatMap { scratch.tables.fieldKeys.find($0) }
            if name == nil {
                guard memchr(b.baseAddress! + keyStart, Int32(quote), k - keyStart) == nil else { return false }
                if k > keyStart {
                    let made = string(b, keyStart, k)
                    if let key = nameKey { scratch.tables.fieldKeys.insert(key, made) }
                    name = made
                }
            }
            let vs = k + 1
            defer { keyStart = ve + 1 }
            guard let name, ve != vs else { continue }  // empty key or value: InfluxDB skips it
            let scanned = scratch.fieldValues[j]
            let value: FieldValue
            if scanned.end == ve {
                switch scanned.kind {
                case .float: value = .float(Double(bitPattern: scanned.bits))
                case .integer: value = .integer(Int64(bitPattern: scanned.bits))
                case .unsigned: value = .unsigned(scanned.bits)
                case .boolean: value = .boolean(scanned.bits != 0)
                case .none: value = try fieldValue(b, vs, ve, scratch: &scratch)
                }
            } else {
                value = try fieldValue(b, vs, ve, scratch: &scratch)
            }
            fields.append(Field(key: name, value: value))
        }
        return true
    }

    /// Fields exactly as InfluxDB's field iterator walks them: key up to the next unescaped `=`,
    /// value up to the next comma outside quotes.
    static func iteratedFields(_ b: Bytes, _ fieldsStart: Int, _ fieldsEnd: Int, into fields: inout [Field],
                               scratch: inout Scratch) throws {
        fields.reserveCapacity(8)
        var p = fieldsStart
        while p < fieldsEnd {
            let k = to(b, p, fieldsEnd, eq, base: fieldsStart)
            guard k < fieldsEnd else { throw ScanFailure(position: p, reason: "invalid field format") }
            let valueEnd = fieldValue(b, k + 1, fieldsEnd)
            let keyRange = (p, k)
            p = valueEnd + 1
            let vs = k + 1
            if keyRange.1 == keyRange.0 || valueEnd == vs { continue }  // empty key or value: InfluxDB skips it
            let key = fieldKey(b, keyRange.0, keyRange.1, scratch: &scratch)
            fields.append(Field(key: key, value: try fieldValue(b, vs, valueEnd, scratch: &scratch)))
        }
    }

    /// A field's value as InfluxDB's field iterator types it: by its first and last byte.
    @inline(__always)
    static func fieldValue(_ b: Bytes, _ vs: Int, _ valueEnd: Int, scratch: inout Scratch) throws -> FieldValue {
        let first = b[vs]
        let last = b[valueEnd - 1]
        if first == quote {
            guard valueEnd - vs >= 2 else {
                throw ScanFailure(position: vs, reason: "unbalanced quotes")  // InfluxDB panics here
            }
            return .string(unescapedStringField(b, vs + 1, valueEnd - 1, scratch: &scratch))
        } else if isNumericStart(first) {
            if last == UInt8(ascii: "i") {
                guard let v = parseInt64(b, vs, valueEnd - 1) else {
                    throw ScanFailure(position: vs, reason: "unable to parse integer value \"\(string(b, vs, valueEnd - 1))\"")
                }
                return .integer(v)
            } else if last == UInt8(ascii: "u") {
                guard let v = parseUInt64(b, vs, valueEnd - 1) else {
                    throw ScanFailure(position: vs, reason: "unable to parse unsigned value \"\(string(b, vs, valueEnd - 1))\"")
                }
                return .unsigned(v)
            } else {
                guard let v = parseFloat(b, vs, valueEnd) else {
                    throw ScanFailure(position: vs, reason: "unable to parse floating point value \"\(string(b, vs, valueEnd))\"")
                }
                return .float(v)
            }
        } else {
            guard let v = parseBool(b, vs, valueEnd) else {
                throw ScanFailure(position: vs, reason: "unable to parse bool value \"\(string(b, vs, valueEnd))\"")
            }
            return .boolean(v)
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

    /// Removes the backslash before each byte for which `escaped` is true (escape.Unescape).
    @inline(__always)
    static func unescaped(_ b: Bytes, _ s: Int, _ e: Int, scratch: inout Scratch, _ escaped: (UInt8) -> Bool) -> String {
        var hasBackslash = false
        var i = s
        while scratch.lineHasBackslash && i < e {
            if b[i] == bs {
                hasBackslash = true
                break
            }
            i += 1
        }
        if !hasBackslash { return string(b, s, e) }
        scratch.bytes.removeAll(keepingCapacity: true)
        i = s
        while i < e {
            if b[i] == bs && i + 1 < e && escaped(b[i + 1]) {
                scratch.bytes.append(b[i + 1])
                i += 2
                continue
            }
            scratch.bytes.append(b[i])
            i += 1
        }
        return String(decoding: scratch.bytes, as: UTF8.self)
    }

    /// A field key: escape.AppendUnescaped, the same rule as the measurement's.
    @inline(__always)
    static func fieldKey(_ b: Bytes, _ s: Int, _ e: Int, scratch: inout Scratch) -> String {
        unescaped(b, s, e, scratch: &scratch) { $0 == comma || $0 == quote || $0 == sp || $0 == eq }
    }

    /// A tag key or value: InfluxDB's unescapeTag replaces `\,` then `\ ` then `\=` over the whole
    /// text in turn; no replacement can create a new pair, so one left-to-right pass is the same.
    static func unescapedTag(_ b: Bytes, _ s: Int, _ e: Int, scratch: inout Scratch) -> String {
        unescaped(b, s, e, scratch: &scratch) { $0 == comma || $0 == sp || $0 == eq }
    }

    /// A string field's content: `\\` and `\"` lose their backslash (unescapeStringField).
    static func unescapedStringField(_ b: Bytes, _ s: Int, _ e: Int, scratch: inout Scratch) -> String {
        unescaped(b, s, e, scratch: &scratch) { $0 == bs || $0 == quote }
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
            var v = Double(fastValue)
            if scale > 0 { v *= powersOfTen[scale] } else if scale < 0 { v /= powersOfTen[-scale] }
            return b[s] == UInt8(ascii: "-") ? -v : v
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

    static let powersOfTen: [Double] = (0...22).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }
}
