/// How many alert groups the engine keeps, and when it forgets idle ones: a tag with millions of
/// values (a request id, a pod name that changes on every deploy) must not grow memory without
/// bound. Beyond a limit a point that would open a new group is not evaluated for that rule and
/// is counted (`RuleStatistics.groupsRefused`); groups that are OK and have seen no point for
/// `expiry` are dropped (an OK group has no recovery pending, so forgetting it changes no alert).
public struct GroupLimits: Sendable, Equatable {
    /// Groups of all rules together.
    public var maxGroups: Int
    /// Groups of one rule, unless the rule sets its own `maxGroups`.
    public var maxGroupsPerRule: Int
    /// Nanoseconds of point time after which an idle OK group is dropped; 0: never.
    public var expiry: Int64

    /// Limits as given.
    public init(maxGroups: Int, maxGroupsPerRule: Int, expiry: Int64) {
        self.maxGroups = maxGroups
        self.maxGroupsPerRule = maxGroupsPerRule
        self.expiry = expiry
    }

    /// No limit and no expiry (benchmarks, and library users who bound their input themselves).
    public static let unlimited = GroupLimits(maxGroups: .max, maxGroupsPerRule: .max, expiry: 0)
}
