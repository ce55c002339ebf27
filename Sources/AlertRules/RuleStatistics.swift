/// Counters of one rule.
public struct RuleStatistics: Sendable, Equatable {
    public var evaluations: UInt64 = 0
    public var filteredOut: UInt64 = 0
    public var expressionErrors: UInt64 = 0
    public var templateErrors: UInt64 = 0
    /// Events per level, indexed by `AlertLevel.rawValue`.
    public var events: [UInt64] = [0, 0, 0, 0]
    /// Events not sent because an active inhibitor matched them (`inhibit`).
    public var inhibited: UInt64 = 0
    public var groups: Int = 0
    /// Points not evaluated because they would have opened a group beyond a limit.
    public var groupsRefused: UInt64 = 0
    /// Idle OK groups dropped after the group expiry.
    public var groupsExpired: UInt64 = 0
    public var lastError: String?
}
