/// Integers, floats, dates and times: the same grammar as Python's `tomllib` (its regular
/// expressions, written out over bytes), then the range checks TOML asks for.
extension TOMLParser {
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// A date, date-time or time at the cursor, moved past it; nil (cursor unmoved) if there is none.
    mutating func scanDateOrTime(after: String) throws(TOMLError) -> TOMLValue.Content? {
        let b = cursor.bytes
        let i = cursor.offset
        if let year = digits(4, at: i), byte(i + 4) == UInt8(ascii: "-"),
           let month = digits(2, at: i + 5), (1...12).contains(month), byte(i + 7) == UInt8(ascii: "-"),
           let day = digits(2, at: i + 8), (1...31).contains(day) {
            let date = TOMLDate(year: year, month: month, day: day)
            var end = i + 10
            var dateTime: TOMLDateTime?
            if end < b.count, b[end] == UInt8(ascii: "T") || b[end] == UInt8(ascii: "t") || b[end] == UInt8(ascii: " "),
               let (time, timeEnd) = scanTime(at: end + 1) {
                end = timeEnd
                var offset: Int?
                if let z = byte(end), z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                    offset = 0
                    end += 1
                } else if let sign = byte(end), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                          let h = digits(2, at: end + 1), h <= 23, byte(end + 3) == UInt8(ascii: ":"),
                          let m = digits(2, at: end + 4), m <= 59 {
                    offset = (h * 60 + m) * (sign == UInt8(ascii: "-") ? -1 : 1)
                    end += 6
                }
                dateTime = TOMLDateTime(date: date, time: time, offsetMinutes: offset)
            }
            guard date.isValid else {
                let reason = year == 0 ? "year 0000 is before year 0001" : "\(TOMLDate.pad(year, 4))-\(TOMLDate.pad(month, 2)) has \(TOMLDate.daysIn(month: month, year: year)) days"
                throw error("\(after): \(date) is not a real day (\(reason))")
            }
            cursor.advance(end - i)
            return dateTime.map { .dateTime($0) } ?? .date(date)
        }
        if let (time, end) = scanTime(at: i) {
            cursor.advance(end - i)
            return .time(time)
        }
        return nil
    }

    /// `HH:MM:SS[.fraction]` at byte `i`: the time and where it ends.
    private func scanTime(at i: Int) -> (TOMLTime, Int)? {
        guard let hour = digits(2, at: i), hour <= 23, byte(i + 2) == UInt8(ascii: ":"),
              let minute = digits(2, at: i + 3), minute <= 59, byte(i + 5) == UInt8(ascii: ":"),
              let second = digits(2, at: i + 6), second <= 59 else { return nil }
        var end = i + 8
        var nanosecond = 0
        if byte(end) == UInt8(ascii: "."), let first = byte(end + 1), Self.isDigit(first) {
            end += 1
            var count = 0
            while let d = byte(end), Self.isDigit(d) {
                // Digits past the ninth are truncated, not rounded (TOML 1.0).
                if count < 9 { nanosecond = nanosecond * 10 + Int(d - UInt8(ascii: "0")) }
                count += 1
                end += 1
            }
            for _ in count..<max(count, 9) { nanosecond *= 10 }
        }
        return (TOMLTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond), end)
    }

    /// An integer or float at the cursor, moved past it; nil (cursor unmoved) if there is none.
    mutating func scanNumber(after: String) throws(TOMLError) -> TOMLValue.Content? {
        let start = cursor.offset
        if byte(start) == UInt8(ascii: "0"), let prefix = byte(start + 1) {
            let radix: Int? = switch prefix {
            case UInt8(ascii: "x"): 16
            case UInt8(ascii: "o"): 8
            case UInt8(ascii: "b"): 2
            default: nil
            }
            if let radix, let first = byte(start + 2), Self.digitValue(first, radix: radix) != nil {
                let end = digitRun(from: start + 2) { Self.digitValue($0, radix: radix) != nil }
                let digits = withoutUnderscores(start + 2, end)
                guard let n = Int64(digits, radix: radix) else {
                    throw error("\(after): \(cursor.text(from: start, to: end)) does not fit in a 64-bit integer (at most 0x7fffffffffffffff)")
                }
                cursor.advance(end - start)
                return .integer(n)
            }
        }
        var end = start
        if let s = byte(end), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { end += 1 }
        if let d = byte(end), Self.isDigit(d) {
            end = d == UInt8(ascii: "0") ? end + 1 : digitRun(from: end, Self.isDigit)
            var isFloat = false
            if byte(end) == UInt8(ascii: "."), let d = byte(end + 1), Self.isDigit(d) {
                end = digitRun(from: end + 1, Self.isDigit)
                isFloat = true
            }
            if let e = byte(end), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                var m = end + 1
                if let s = byte(m), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { m += 1 }
                if let d = byte(m), Self.isDigit(d) {
                    end = digitRun(from: m, Self.isDigit)
                    isFloat = true
                }
            }
            let text = withoutUnderscores(start, end)
            if isFloat {
                // The grammar above is a subset of what Double parses; out-of-range values become ±inf.
                guard let x = Double(text) else { return nil }
                cursor.advance(end - start)
                return .float(x)
            }
            guard let n = Int64(text) else {
                throw error("\(after): \(text) does not fit in a 64-bit integer (-9223372036854775808 to 9223372036854775807)")
            }
            cursor.advance(end - start)
            return .integer(n)
        }
        for (word, value) in [("inf", Double.infinity), ("nan", Double.nan)] {
            for (sign, signed) in [("", value), ("+", value), ("-", -value)] where matches(sign + word, at: start) {
                cursor.advance(sign.utf8.count + 3)
                return .float(signed)
            }
        }
        return nil
    }

    private func byte(_ i: Int) -> UInt8? {
        i < cursor.bytes.count ? cursor.bytes[i] : nil
    }

    /// `count` decimal digits at byte `i`, as a number.
    private func digits(_ count: Int, at i: Int) -> Int? {
        guard i + count <= cursor.bytes.count else { return nil }
        var value = 0
        for k in i..<(i + count) {
            let d = cursor.bytes[k]
            guard Self.isDigit(d) else { return nil }
            value = value * 10 + Int(d - UInt8(ascii: "0"))
        }
        return value
    }

    /// Where a run of digits starting at byte `i` (a digit) ends: an underscore only between digits.
    private func digitRun(from i: Int, _ isDigit: (UInt8) -> Bool) -> Int {
        var j = i + 1
        while let b = byte(j) {
            if isDigit(b) {
                j += 1
            } else if b == UInt8(ascii: "_"), let next = byte(j + 1), isDigit(next) {
                j += 2
            } else {
                break
            }
        }
        return j
    }

    private func withoutUnderscores(_ start: Int, _ end: Int) -> String {
        String(decoding: cursor.bytes[start..<end].lazy.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    }

    private func matches(_ word: String, at i: Int) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= cursor.bytes.count else { return false }
        return cursor.bytes[i..<(i + w.count)].elementsEqual(w)
    }

    static func digitValue(_ b: UInt8, radix: Int) -> Int? {
        guard let d = hexDigit(b).map(Int.init), d < radix else { return nil }
        return d
    }
}
