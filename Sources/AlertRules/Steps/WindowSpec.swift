import GoDuration

/// Kapacitor's `window()`: `period`, `every` (default: the period; 0: emit on every point),
/// `align` and `fillPeriod`, on point time.
public struct WindowSpec: Sendable, Equatable, CustomStringConvertible {
    /// Nanoseconds each emitted window covers.
    public var period: Int64
    /// Nanoseconds between emissions; 0 emits a window for every point.
    public var every: Int64
    /// Emission times are multiples of `every` (Kapacitor's `.align()`).
    public var align: Bool
    /// The first window is emitted only once a whole period has passed (`.fillPeriod()`).
    public var fillPeriod: Bool
    /// The most points one group's window holds; beyond it a point is refused and counted.
    public var maxPoints: Int

    /// The default bound on points per group's window.
    public static let defaultMaxPoints = 100_000

    public init(period: Int64, every: Int64? = nil, align: Bool = false, fillPeriod: Bool = false, maxPoints: Int = WindowSpec.defaultMaxPoints) {
        self.period = period
        self.every = every ?? period
        self.align = align
        self.fillPeriod = fillPeriod
        self.maxPoints = maxPoints
    }

    public var description: String {
        var s = "window(period: \(GoDuration(nanoseconds: period)), every: \(GoDuration(nanoseconds: every))"
        if align { s += ", align" }
        if fillPeriod { s += ", fillPeriod" }
        return s + ")"
    }

    /// Nanoseconds from Go's zero time (January 1, year 1, UTC) to the Unix epoch.
    static let goZeroToUnix = Int128(62_135_596_800) * 1_000_000_000

    /// `t` rounded down to a multiple of `d` since Go's zero time, as Go's `Time.Truncate`: the
    /// same as multiples since 1970 for every `d` that divides a day, not for a week.
    static func truncate(_ t: Int64, _ d: Int64) -> Int64 {
        guard d > 0 else { return t }
        let r = (Int128(t) + goZeroToUnix) % Int128(d)
        return t - Int64(r)
    }

    /// The first emission time for a group whose first point is at `t` (Kapacitor's newWindowByTime).
    func firstEmit(after t: Int64) -> Int64 {
        if fillPeriod {
            var next = t &+ period
            if align {
                let firstPeriod = next
                next = Self.truncate(next, every)
                if next <= firstPeriod { next &+= every }
            }
            return next
        }
        var next = t &+ every
        if align { next = Self.truncate(next, every) }
        return next
    }
}
