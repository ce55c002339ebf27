/// A TOML local time (`07:32:00.999999`): fractional seconds kept to the nanosecond, further
/// digits truncated as TOML 1.0 asks.
public struct TOMLTime: Sendable, Hashable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// 0–999,999,999.
    public var nanosecond: Int

    /// The time; the parser only makes valid ones (00:00:00 to 23:59:59.999999999).
    public init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// `HH:MM:SS`, with `.fffffffff` (trailing zeros dropped) when there is a fraction.
    public var description: String {
        var s = TOMLDate.pad(hour, 2) + ":" + TOMLDate.pad(minute, 2) + ":" + TOMLDate.pad(second, 2)
        if nanosecond > 0 {
            var digits = TOMLDate.pad(nanosecond, 9)
            while digits.last == "0" { digits.removeLast() }
            s += "." + digits
        }
        return s
    }
}
