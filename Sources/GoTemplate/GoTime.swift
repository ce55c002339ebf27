import GoDuration

/// Go's `time.Time` as templates see it: an instant (seconds and nanoseconds, the whole span Go's
/// times cover, zero time included) and a fixed zone (offset and abbreviation).
///
/// Zones are fixed offsets: `UTC`, or what an RFC 3339 offset gave (`time.FixedZone("", 7200)`,
/// whose abbreviation is empty, so Go prints the offset in its place: `+0200 +0200`). Go's
/// `Local` is taken to be UTC, as it is where alertrelay and its oracle run (`TZ=UTC`).
public struct GoTime: Sendable, Equatable {
    /// Seconds since the Unix epoch (negative before 1970; Go's zero time is -62135596800).
    public var unixSeconds: Int64
    /// Nanoseconds within the second, `0..<1_000_000_000`.
    public var nanosecond: Int
    /// Zone offset east of UTC, in seconds.
    public var offsetSeconds: Int
    /// Zone abbreviation (`UTC`); empty for a fixed offset without a name.
    public var zoneName: String

    /// Seconds from January 1, year 1 to the Unix epoch (Go's `unixToInternal`).
    static let unixToInternal: Int64 = 62_135_596_800

    /// An instant in UTC, `unixNano` nanoseconds after the epoch.
    public init(unixNano: Int64) {
        let (q, r) = unixNano.quotientAndRemainder(dividingBy: 1_000_000_000)
        self.init(unixSeconds: r < 0 ? q - 1 : q, nanosecond: Int(r < 0 ? r + 1_000_000_000 : r))
    }

    /// An instant in UTC; `nanosecond` must be in `0..<1_000_000_000`.
    public init(unixSeconds: Int64, nanosecond: Int) {
        self.unixSeconds = unixSeconds
        self.nanosecond = nanosecond
        self.offsetSeconds = 0
        self.zoneName = "UTC"
    }

    /// Go's zero `time.Time` (January 1, year 1, 00:00 UTC).
    public static let zero = GoTime(unixSeconds: -unixToInternal, nanosecond: 0)

    /// Go's `IsZero`: the instant of the zero time, whatever the zone.
    public var isZero: Bool { unixSeconds == -Self.unixToInternal && nanosecond == 0 }

    /// Go's `UnixNano`: wraps around outside years 1678–2262, as Go's does.
    public var unixNano: Int64 { unixSeconds &* 1_000_000_000 &+ Int64(nanosecond) }

    /// Seconds since the epoch of the wall clock in the time's zone.
    var localSeconds: Int64 { unixSeconds &+ Int64(offsetSeconds) }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    public var description: String {
        var out = dateAndTime(separator: " ") + " " + Self.numericZone(offsetSeconds) + " "
        out += zoneName.isEmpty ? Self.numericZone(offsetSeconds) : zoneName
        return out
    }

    /// RFC 3339 with nanoseconds, trailing zeros trimmed (Go's `time.RFC3339Nano`).
    public var rfc3339Nano: String {
        if offsetSeconds == 0 { return dateAndTime(separator: "T") + "Z" }
        let sign = offsetSeconds < 0 ? "-" : "+"
        let off = abs(offsetSeconds)
        return dateAndTime(separator: "T") + "\(sign)\(Self.pad(off / 3600, 2)):\(Self.pad(off % 3600 / 60, 2))"
    }

    /// `-0700`: the offset as Go prints it when a zone has no abbreviation.
    static func numericZone(_ offset: Int) -> String {
        let zone = abs(offset) / 60
        return (offset < 0 ? "-" : "+") + pad(zone / 60, 2) + pad(zone % 60, 2)
    }

    /// `2006-01-02<sep>15:04:05.999999999` in the time's own zone.
    private func dateAndTime(separator: String) -> String {
        let c = civil
        var out = Self.year(c.year) + "-" + Self.pad(c.month, 2) + "-" + Self.pad(c.day, 2) + separator
        out += Self.pad(c.hour, 2) + ":" + Self.pad(c.minute, 2) + ":" + Self.pad(c.second, 2)
        if nanosecond > 0 {
            var frac = Self.pad(nanosecond, 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            out += "." + frac
        }
        return out
    }

    /// A year as Go's `2006` prints it: four digits at least, the sign before them.
    static func year(_ y: Int64) -> String { y < 0 ? "-" + pad(-y, 4) : pad(y, 4) }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func pad(_ v: Int64, _ width: Int) -> String { pad(Int(v), width) }

    /// The calendar fields of the wall clock in the time's zone.
    struct Civil {
        var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64
        /// 0 = Sunday.
        var weekday: Int64
        /// 1…366.
        var yearDay: Int64
    }

    var civil: Civil {
        let secs = localSeconds
        let (y, mo, d, h, mi, s) = Self.civil(secs)
        var days = secs / 86_400
        if secs % 86_400 < 0 { days -= 1 }
        let weekday = ((4 + days) % 7 + 7) % 7  // 1970-01-01 was a Thursday
        return Civil(year: y, month: mo, day: d, hour: h, minute: mi, second: s, weekday: weekday, yearDay: Self.yearDay(y, mo, d))
    }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func yearDay(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let before: [Int64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return before[Int(m - 1)] + d + (isLeap(y) && m > 2 ? 1 : 0)
    }

    /// Civil date and time from seconds since the epoch (proleptic Gregorian).
    static func civil(_ seconds: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }

    /// Days since the epoch of a civil date; `month` is 1…12 (Howard Hinnant's algorithm).
    static func days(year y: Int64, month mo: Int64, day d: Int64) -> Int64 {
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension GoTime {
    /// Go's `time.Parse(time.RFC3339Nano, s)`: `2006-01-02T15:04:05.999999999Z07:00`, years
    /// 0000–9999, fields in range. `Z` gives UTC, another offset a fixed zone without a name — except
    /// a zero offset, which Go gives the local zone (UTC here) and so its name.
    public init?(rfc3339 s: String) {
        let b = Array(s.utf8)
        func num(_ a: Int, _ n: Int) -> Int64? {
            guard a + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in a..<a + n {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[k] - 0x30)
            }
            return v
        }
        func byte(_ k: Int, _ c: Character) -> Bool { k < b.count && b[k] == c.asciiValue! }
        guard b.count >= 20, let y = num(0, 4), byte(4, "-"), let mo = num(5, 2), byte(7, "-"), let d = num(8, 2), byte(10, "T"),
              let h = num(11, 2), byte(13, ":"), let mi = num(14, 2), byte(16, ":"), let sec = num(17, 2) else { return nil }
        let monthDays: [Int64] = [31, Self.isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(mo), d >= 1, d <= monthDays[Int(mo - 1)], h < 24, mi < 60, sec < 60 else { return nil }
        var i = 19
        var nanos = 0
        if byte(i, ".") || byte(i, ",") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39, digits < 9 {
                nanos = nanos * 10 + Int(b[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        var offset = 0
        if byte(i, "Z") {
            i += 1
        } else if byte(i, "+") || byte(i, "-"), let oh = num(i + 1, 2), byte(i + 3, ":"), let om = num(i + 4, 2), oh <= 24, om <= 60 {
            offset = Int(oh * 3600 + om * 60) * (byte(i, "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = Self.days(year: y, month: mo, day: d) * 86_400 + h * 3600 + mi * 60 + sec - Int64(offset)
        self.init(unixSeconds: seconds, nanosecond: nanos)
        if offset != 0 {
            self.offsetSeconds = offset
            self.zoneName = ""
        }
    }
}

extension GoTime {
    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                     "October", "November", "December"]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Go's `time.Month` value for `month` (1…12).
    static func month(_ month: Int64) -> TemplateValue {
        .namedInteger(typeName: "time.Month", value: month, text: (1...12).contains(month) ? monthNames[Int(month - 1)] : "%!Month(\(month))")
    }

    /// Go's `time.Weekday` value for `weekday` (0 = Sunday).
    static func weekday(_ weekday: Int64) -> TemplateValue {
        .namedInteger(typeName: "time.Weekday", value: weekday, text: (0...6).contains(weekday) ? dayNames[Int(weekday)] : "%!Weekday(\(weekday))")
    }

    /// Go's `GoString()` (`%#v`): `time.Date(2026, time.November, 27, 10, 0, 0, 500000000, time.UTC)`.
    /// A zero offset named UTC is `time.UTC` (Go's `time.Local` prints the same way here).
    var goString: String {
        let c = civil
        var out = "time.Date(\(c.year), time.\(Self.monthNames[Int(c.month - 1)]), \(c.day), \(c.hour), \(c.minute), \(c.second), \(nanosecond), "
        out += offsetSeconds == 0 && zoneName == "UTC" ? "time.UTC" : "time.Location(\(GoQuote.quote(zoneName)))"
        return out + ")"
    }
}

extension GoTime {
    /// Go's `Add`: the nanoseconds carried into the seconds, which saturate as Go's do.
    func adding(_ d: GoDuration) -> GoTime {
        var dsec = d.nanoseconds / 1_000_000_000
        var nsec = nanosecond + Int(d.nanoseconds % 1_000_000_000)
        if nsec >= 1_000_000_000 {
            dsec += 1
            nsec -= 1_000_000_000
        } else if nsec < 0 {
            dsec -= 1
            nsec += 1_000_000_000
        }
        var t = self
        let (sum, overflow) = unixSeconds.addingReportingOverflow(dsec)
        t.unixSeconds = overflow ? (dsec > 0 ? Int64.max : Int64.min + 1) : sum
        t.nanosecond = nsec
        return t
    }

    /// Go's `Sub`: `self - u`, saturated to the durations' range.
    func sub(_ u: GoTime) -> GoDuration {
        let d = GoDuration(nanoseconds: (unixSeconds &- u.unixSeconds) &* 1_000_000_000 &+ Int64(nanosecond - u.nanosecond))
        if u.adding(d).equal(self) { return d }
        return GoDuration(nanoseconds: before(u) ? Int64.min : Int64.max)
    }

    func before(_ u: GoTime) -> Bool { unixSeconds < u.unixSeconds || (unixSeconds == u.unixSeconds && nanosecond < u.nanosecond) }
    func after(_ u: GoTime) -> Bool { u.before(self) }
    func equal(_ u: GoTime) -> Bool { unixSeconds == u.unixSeconds && nanosecond == u.nanosecond }

    /// The same instant in UTC (Go's `UTC`, and `Local` where the local zone is UTC).
    public var inUTC: GoTime {
        var t = self
        t.offsetSeconds = 0
        t.zoneName = "UTC"
        return t
    }

    /// The remainder of the time since the zero time divided by `d` (Go's `div`), `0..<d`.
    private func remainder(_ d: Int64) -> Int64 {
        let dd = UInt64(d)
        var sec = (unixSeconds &+ Self.unixToInternal) % d
        if sec < 0 { sec += d }
        let product = UInt64(sec).multipliedFullWidth(by: 1_000_000_000 % dd)
        let r = dd.dividingFullWidth(product).remainder
        return Int64((r + UInt64(nanosecond)) % dd)
    }

    /// Go's `Truncate`: rounded down to a multiple of `d` since the zero time; unchanged when d ≤ 0.
    func truncated(_ d: GoDuration) -> GoTime {
        guard d.nanoseconds > 0 else { return self }
        return adding(GoDuration(nanoseconds: -remainder(d.nanoseconds)))
    }

    /// Go's `Round`: to the nearest multiple of `d` since the zero time, halves up; unchanged when d ≤ 0.
    func rounded(_ d: GoDuration) -> GoTime {
        guard d.nanoseconds > 0 else { return self }
        let r = remainder(d.nanoseconds)
        if UInt64(r) + UInt64(r) < UInt64(d.nanoseconds) { return adding(GoDuration(nanoseconds: -r)) }
        return adding(GoDuration(nanoseconds: d.nanoseconds - r))
    }

    /// Go's `AddDate`: the civil date moved and normalized (October 32 is November 1), the clock kept.
    func addingDate(years: Int64, months: Int64, days: Int64) -> GoTime {
        let c = civil
        var m = c.month - 1 &+ months
        var y = c.year &+ years &+ m / 12
        m %= 12
        if m < 0 {
            m += 12
            y -= 1
        }
        let dayNumber = Self.days(year: y, month: m + 1, day: 1) &+ (c.day - 1) &+ days
        var t = self
        t.unixSeconds = dayNumber &* 86_400 &+ c.hour * 3600 + c.minute * 60 + c.second &- Int64(offsetSeconds)
        return t
    }
}
