import GoDuration

/// The methods of Go's `time.Time`, `time.Duration`, `time.Month` and `time.Weekday` (and the
/// `String()` of named types) as templates call them: Go's signatures, so the executor checks
/// argument counts and types as Go's does, and Go's results.
enum GoMethods {
    /// A parameter's Go type.
    enum Param: Sendable, Equatable {
        case string, int, duration, time

        var goTypeName: String {
            switch self {
            case .string: return "string"
            case .int: return "int"
            case .duration: return "time.Duration"
            case .time: return "time.Time"
            }
        }

        /// Whether a value of this dynamic type is assignable to the parameter.
        func accepts(_ v: TemplateValue) -> Bool {
            switch (self, v) {
            case (.string, .string), (.int, .int), (.duration, .duration), (.time, .time): return true
            default: return false
            }
        }
    }

    /// A method: parameters, result count (templates call only one-result methods) and body.
    struct Method: Sendable {
        var params: [Param]
        var results = 1
        var call: @Sendable ([TemplateValue]) -> TemplateValue
    }

    /// What a name means on a receiver.
    enum Lookup {
        /// A method templates can call (or one Go refuses for its result count).
        case method(Method)
        /// A Go method this engine does not implement: an error naming it, never a wrong value.
        case unimplemented(typeName: String)
        /// Not a method: fields and map keys decide.
        case none
    }

    static func lookup(_ receiver: TemplateValue, _ name: String) -> Lookup {
        switch receiver {
        case .time(let t): return timeMethod(t, name)
        case .duration(let d): return durationMethod(d, name)
        case .stringer(_, let s), .namedInteger(_, _, let s):
            return name == "String" ? .method(Method(params: []) { _ in .string(s) }) : .none
        default: return .none
        }
    }

    /// time.Time methods of Go 1.19 that take no part here (byte slices, locations, encoders).
    static let unimplementedTimeMethods: Set<String> = [
        "AppendFormat", "GobEncode", "In", "Location", "MarshalBinary", "MarshalJSON", "MarshalText",
    ]

    private static func timeMethod(_ t: GoTime, _ name: String) -> Lookup {
        func m(_ params: [Param] = [], results: Int = 1, _ body: @escaping @Sendable ([TemplateValue]) -> TemplateValue) -> Lookup {
            .method(Method(params: params, results: results, call: body))
        }
        func int(_ v: Int64) -> Lookup { m { _ in .int(v) } }
        switch name {
        case "Add": return m([.duration]) { .time(t.adding(duration($0[0]))) }
        case "AddDate": return m([.int, .int, .int]) { .time(t.addingDate(years: int64($0[0]), months: int64($0[1]), days: int64($0[2]))) }
        case "After": return m([.time]) { .bool(t.after(time($0[0]))) }
        case "Before": return m([.time]) { .bool(t.before(time($0[0]))) }
        case "Equal": return m([.time]) { .bool(t.equal(time($0[0]))) }
        case "Sub": return m([.time]) { .duration(t.sub(time($0[0]))) }
        case "Round": return m([.duration]) { .time(t.rounded(duration($0[0]))) }
        case "Truncate": return m([.duration]) { .time(t.truncated(duration($0[0]))) }
        case "Format": return m([.string]) { args in
            guard case .string(let layout) = args[0] else { return .missing }
            return .string(t.format(layout))
        }
        case "Year": return int(t.civil.year)
        case "Month": return m { _ in GoTime.month(t.civil.month) }
        case "Day": return int(t.civil.day)
        case "Hour": return int(t.civil.hour)
        case "Minute": return int(t.civil.minute)
        case "Second": return int(t.civil.second)
        case "Nanosecond": return int(Int64(t.nanosecond))
        case "YearDay": return int(t.civil.yearDay)
        case "Weekday": return m { _ in GoTime.weekday(t.civil.weekday) }
        case "IsZero": return m { _ in .bool(t.isZero) }
        case "IsDST": return m { _ in .bool(false) }  // fixed zones have no daylight saving time
        case "UTC", "Local": return m { _ in .time(t.inUTC) }
        case "Unix": return m { _ in .int64(t.unixSeconds) }
        case "UnixMilli": return m { _ in .int64(t.unixSeconds &* 1_000 &+ Int64(t.nanosecond / 1_000_000)) }
        case "UnixMicro": return m { _ in .int64(t.unixSeconds &* 1_000_000 &+ Int64(t.nanosecond / 1_000)) }
        case "UnixNano": return m { _ in .int64(t.unixNano) }
        case "String": return m { _ in .string(t.description) }
        case "GoString": return m { _ in .string(t.goString) }
        case "Date", "Clock": return m(results: 3) { _ in .missing }
        case "ISOWeek", "Zone", "ZoneBounds": return m(results: 2) { _ in .missing }
        default: return unimplementedTimeMethods.contains(name) ? .unimplemented(typeName: "time.Time") : .none
        }
    }

    private static func durationMethod(_ d: GoDuration, _ name: String) -> Lookup {
        func m(_ params: [Param] = [], _ body: @escaping @Sendable ([TemplateValue]) -> TemplateValue) -> Lookup {
            .method(Method(params: params, call: body))
        }
        let ns = d.nanoseconds
        func float(_ unit: Int64) -> Lookup {
            m { _ in .float64(Double(ns / unit) + Double(ns % unit) / Double(unit)) }
        }
        switch name {
        case "Hours": return float(3_600_000_000_000)
        case "Minutes": return float(60_000_000_000)
        case "Seconds": return float(1_000_000_000)
        case "Milliseconds": return m { _ in .int64(ns / 1_000_000) }
        case "Microseconds": return m { _ in .int64(ns / 1_000) }
        case "Nanoseconds": return m { _ in .int64(ns) }
        case "String": return m { _ in .string(d.description) }
        case "Abs": return m { _ in .duration(GoDuration(nanoseconds: ns >= 0 ? ns : (ns == Int64.min ? Int64.max : -ns))) }
        case "Truncate": return m([.duration]) { args in
            let unit = duration(args[0]).nanoseconds
            return .duration(unit <= 0 ? d : GoDuration(nanoseconds: ns - ns % unit))
        }
        case "Round": return m([.duration]) { .duration(round(d, duration($0[0]))) }
        default: return .none
        }
    }

    /// Go's `Duration.Round`: halves away from zero, saturating.
    static func round(_ d: GoDuration, _ m: GoDuration) -> GoDuration {
        let (ns, unit) = (d.nanoseconds, m.nanoseconds)
        guard unit > 0 else { return d }
        var r = ns % unit
        let lessThanHalf = { (x: Int64) in UInt64(x) &+ UInt64(x) < UInt64(unit) }
        if ns < 0 {
            r = -r
            if lessThanHalf(r) { return GoDuration(nanoseconds: ns + r) }
            let d1 = ns &- unit &+ r
            return GoDuration(nanoseconds: d1 < ns ? d1 : Int64.min)
        }
        if lessThanHalf(r) { return GoDuration(nanoseconds: ns - r) }
        let d1 = ns &+ unit &- r
        return GoDuration(nanoseconds: d1 > ns ? d1 : Int64.max)
    }

    private static func duration(_ v: TemplateValue) -> GoDuration {
        if case .duration(let d) = v { return d }
        return .zero
    }

    private static func time(_ v: TemplateValue) -> GoTime {
        if case .time(let t) = v { return t }
        return .zero
    }

    private static func int64(_ v: TemplateValue) -> Int64 {
        if case .int(let i) = v { return i }
        return 0
    }
}
