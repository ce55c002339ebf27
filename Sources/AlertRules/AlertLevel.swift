/// Alert levels, ordered as Kapacitor orders them: OK < INFO < WARNING < CRITICAL.
public enum AlertLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case ok = 0, info, warning, critical

    /// `OK`, `INFO`, `WARNING`, `CRITICAL`: what templates, JSON and logs show.
    public var description: String {
        switch self {
        case .ok: return "OK"
        case .info: return "INFO"
        case .warning: return "WARNING"
        case .critical: return "CRITICAL"
        }
    }

    /// Parses `OK`, `INFO`, `WARNING` or `CRITICAL` (any case).
    public init?(name: String) {
        guard let l = AlertLevel.allCases.first(where: { $0.description == name.uppercased() }) else { return nil }
        self = l
    }

    /// The rule-file key of the level's expression: `info`, `warn`, `crit` (`ok` has none).
    public var ruleKey: String {
        switch self {
        case .ok: return "ok"
        case .info: return "info"
        case .warning: return "warn"
        case .critical: return "crit"
        }
    }

    public static func < (a: AlertLevel, b: AlertLevel) -> Bool { a.rawValue < b.rawValue }
}
