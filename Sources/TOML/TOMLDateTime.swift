/// A TOML date-time: an offset date-time (`1979-05-27T07:32:00Z`, `…-07:00`) when `offsetMinutes`
/// is set, else a local date-time (`1979-05-27T07:32:00`, no time zone).
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    public var date: TOMLDate
    public var time: TOMLTime
    /// Minutes east of UTC (`Z` and `-00:00` are 0); nil for a local date-time.
    public var offsetMinutes: Int?

    /// The date-time; `offsetMinutes` nil makes it local.
    public init(date: TOMLDate, time: TOMLTime, offsetMinutes: Int? = nil) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// RFC 3339: `1979-05-27T07:32:00Z`, `1979-05-27T00:32:00-07:00`, or without offset when local.
    public var description: String {
        var s = date.description + "T" + time.description
        guard let offset = offsetMinutes else { return s }
        if offset == 0 { return s + "Z" }
        s += offset < 0 ? "-" : "+"
        return s + TOMLDate.pad(abs(offset) / 60, 2) + ":" + TOMLDate.pad(abs(offset) % 60, 2)
    }
}
