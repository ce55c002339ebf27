/// Go's `time.Time.Format(layout)` (Go 1.19): the reference time `Mon Jan 2 15:04:05 MST 2006`
/// written the way the output should look.
extension GoTime {
    private enum Chunk {
        case literal(String)
        case longYear, year, longMonth, month, numMonth, zeroMonth, longWeekDay, weekDay, day, underDay, zeroDay
        case underYearDay, zeroYearDay
        case hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond, pm, lowerPM, tz
        case numTZ(colon: Bool, seconds: Bool, short: Bool, iso: Bool)
        case fraction(digits: Int, trim: Bool, separator: Character)
    }

    private static let longMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                     "October", "November", "December"]
    private static let longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Splits a layout into Go's std chunks (`nextStdChunk`).
    private static func chunks(_ layout: String) -> [Chunk] {
        let b = Array(layout.utf8)
        var out: [Chunk] = []
        var literalStart = 0
        var i = 0
        func has(_ s: String, at j: Int) -> Bool {
            let u = Array(s.utf8)
            return j + u.count <= b.count && Array(b[j..<j + u.count]) == u
        }
        func lowerAt(_ j: Int) -> Bool { j < b.count && b[j] >= 0x61 && b[j] <= 0x7a }
        func emit(_ c: Chunk, length: Int) {
            if literalStart < i { out.append(.literal(String(decoding: b[literalStart..<i], as: UTF8.self))) }
            out.append(c)
            i += length
            literalStart = i
        }
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "J"):
                if has("January", at: i) { emit(.longMonth, length: 7); continue }
                if has("Jan", at: i), !lowerAt(i + 3) { emit(.month, length: 3); continue }
            case UInt8(ascii: "M"):
                if has("Monday", at: i) { emit(.longWeekDay, length: 6); continue }
                if has("Mon", at: i), !lowerAt(i + 3) { emit(.weekDay, length: 3); continue }
                if has("MST", at: i) { emit(.tz, length: 3); continue }
            case UInt8(ascii: "0"):
                if i + 1 < b.count, b[i + 1] >= UInt8(ascii: "1"), b[i + 1] <= UInt8(ascii: "6") {
                    let c: [Chunk] = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year]
                    emit(c[Int(b[i + 1] - UInt8(ascii: "1"))], length: 2)
                    continue
                }
                if has("002", at: i) { emit(.zeroYearDay, length: 3); continue }
            case UInt8(ascii: "1"):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "5") { emit(.hour, length: 2); continue }
                emit(.numMonth, length: 1)
                continue
            case UInt8(ascii: "2"):
                if has("2006", at: i) { emit(.longYear, length: 4); continue }
                emit(.day, length: 1)
                continue
            case UInt8(ascii: "_"):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "2") {
                    if has("2006", at: i + 1) {  // a literal "_" then the year
                        i += 1
                        emit(.longYear, length: 4)
                        continue
                    }
                    emit(.underDay, length: 2)
                    continue
                }
                if has("__2", at: i) { emit(.underYearDay, length: 3); continue }
            case UInt8(ascii: "3"): emit(.hour12, length: 1); continue
            case UInt8(ascii: "4"): emit(.minute, length: 1); continue
            case UInt8(ascii: "5"): emit(.second, length: 1); continue
            case UInt8(ascii: "P"):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "M") { emit(.pm, length: 2); continue }
            case UInt8(ascii: "p"):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "m") { emit(.lowerPM, length: 2); continue }
            case UInt8(ascii: "-"):
                if has("-070000", at: i) { emit(.numTZ(colon: false, seconds: true, short: false, iso: false), length: 7); continue }
                if has("-07:00:00", at: i) { emit(.numTZ(colon: true, seconds: true, short: false, iso: false), length: 9); continue }
                if has("-0700", at: i) { emit(.numTZ(colon: false, seconds: false, short: false, iso: false), length: 5); continue }
                if has("-07:00", at: i) { emit(.numTZ(colon: true, seconds: false, short: false, iso: false), length: 6); continue }
                if has("-07", at: i) { emit(.numTZ(colon: false, seconds: false, short: true, iso: false), length: 3); continue }
            case UInt8(ascii: "Z"):
                if has("Z070000", at: i) { emit(.numTZ(colon: false, seconds: true, short: false, iso: true), length: 7); continue }
                if has("Z07:00:00", at: i) { emit(.numTZ(colon: true, seconds: true, short: false, iso: true), length: 9); continue }
                if has("Z0700", at: i) { emit(.numTZ(colon: false, seconds: false, short: false, iso: true), length: 5); continue }
                if has("Z07:00", at: i) { emit(.numTZ(colon: true, seconds: false, short: false, iso: true), length: 6); continue }
                if has("Z07", at: i) { emit(.numTZ(colon: false, seconds: false, short: true, iso: true), length: 3); continue }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "0") || b[i + 1] == UInt8(ascii: "9") {
                    let digit = b[i + 1]
                    var j = i + 1
                    while j < b.count, b[j] == digit { j += 1 }
                    if !(j < b.count && b[j] >= UInt8(ascii: "0") && b[j] <= UInt8(ascii: "9")) {
                        emit(.fraction(digits: j - (i + 1), trim: digit == UInt8(ascii: "9"), separator: Character(UnicodeScalar(b[i]))),
                             length: j - i)
                        continue
                    }
                }
            default: break
            }
            i += 1
        }
        if literalStart < b.count { out.append(.literal(String(decoding: b[literalStart...], as: UTF8.self))) }
        return out
    }

    /// `t.Format(layout)`.
    public func format(_ layout: String) -> String {
        let fields = civil
        let (year, month, day, hour, minute, second) = (fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second)
        let weekday = fields.weekday
        let nanos = nanosecond
        var out = ""
        for c in Self.chunks(layout) {
            switch c {
            case .literal(let s): out += s
            case .longYear: out += Self.year(year)
            case .year: out += Self.pad(((year % 100) + 100) % 100, 2)
            case .longMonth: out += Self.longMonths[Int(month - 1)]
            case .month: out += String(Self.longMonths[Int(month - 1)].prefix(3))
            case .numMonth: out += String(month)
            case .zeroMonth: out += Self.pad(month, 2)
            case .longWeekDay: out += Self.longDays[Int(weekday)]
            case .weekDay: out += String(Self.longDays[Int(weekday)].prefix(3))
            case .day: out += String(day)
            case .underDay: out += (day < 10 ? " " : "") + String(day)
            case .zeroDay: out += Self.pad(day, 2)
            case .underYearDay:
                let yd = fields.yearDay
                out += String(repeating: " ", count: yd < 10 ? 2 : (yd < 100 ? 1 : 0)) + String(yd)
            case .zeroYearDay: out += Self.pad(fields.yearDay, 3)
            case .hour: out += Self.pad(hour, 2)
            case .hour12: out += String(hour % 12 == 0 ? 12 : hour % 12)
            case .zeroHour12: out += Self.pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case .minute: out += String(minute)
            case .zeroMinute: out += Self.pad(minute, 2)
            case .second: out += String(second)
            case .zeroSecond: out += Self.pad(second, 2)
            case .pm: out += hour >= 12 ? "PM" : "AM"
            case .lowerPM: out += hour >= 12 ? "pm" : "am"
            case .tz:
                if !zoneName.isEmpty {
                    out += zoneName
                } else {
                    var zone = offsetSeconds / 60
                    out += zone < 0 ? "-" : "+"
                    zone = abs(zone)
                    out += Self.pad(zone / 60, 2) + Self.pad(zone % 60, 2)
                }
            case .numTZ(let colon, let seconds, let short, let iso):
                if iso && offsetSeconds == 0 {
                    out += "Z"
                    break
                }
                var zone = offsetSeconds / 60
                var absOffset = offsetSeconds
                if zone < 0 {
                    out += "-"
                    zone = -zone
                    absOffset = -absOffset
                } else {
                    out += "+"
                }
                out += Self.pad(zone / 60, 2)
                if colon { out += ":" }
                if !short { out += Self.pad(zone % 60, 2) }
                if seconds {
                    if colon { out += ":" }
                    out += Self.pad(absOffset % 60, 2)
                }
            case .fraction(let digits, let trim, let separator):
                var frac = Self.pad(nanos, 9)
                frac = String(frac.prefix(min(digits, 9)))
                if trim {
                    while frac.hasSuffix("0") { frac.removeLast() }
                    if frac.isEmpty { break }
                }
                out.append(separator)
                out += frac
            }
        }
        return out
    }
}
