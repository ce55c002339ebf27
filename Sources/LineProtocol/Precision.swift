/// The unit of line-protocol timestamps (`precision=` on InfluxDB's `/write`).
public enum Precision: String, Sendable, CaseIterable {
    /// `ns` (also `n`): the default.
    case nanoseconds = "ns"
    /// `us` (also `u`, `µs`).
    case microseconds = "us"
    /// `ms`.
    case milliseconds = "ms"
    /// `s`.
    case seconds = "s"
    /// `m`.
    case minutes = "m"
    /// `h`.
    case hours = "h"

    /// Parses the names InfluxDB 1.x and 2.x accept; `""` is nanoseconds.
    public init?(name: String) {
        switch name {
        case "", "n", "ns": self = .nanoseconds
        case "u", "us", "µs": self = .microseconds
        case "ms": self = .milliseconds
        case "s": self = .seconds
        case "m": self = .minutes
        case "h": self = .hours
        default: return nil
        }
    }

    /// Nanoseconds per unit.
    public var nanoseconds: Int64 {
        switch self {
        case .nanoseconds: return 1
        case .microseconds: return 1_000
        case .milliseconds: return 1_000_000
        case .seconds: return 1_000_000_000
        case .minutes: return 60_000_000_000
        case .hours: return 3_600_000_000_000
        }
    }

    /// `time` rounded down to a whole unit (what a point without a timestamp gets).
    public func truncate(_ time: Int64) -> Int64 {
        let unit = nanoseconds
        if unit == 1 { return time }
        let (q, r) = time.quotientAndRemainder(dividingBy: unit)
        return (r < 0 ? q - 1 : q) * unit
    }
}
