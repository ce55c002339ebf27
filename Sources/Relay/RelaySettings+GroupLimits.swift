import AlertRules
import RelayConfig

extension RelaySettings {
    /// `max-groups`, `max-groups-per-rule` and `group-expiry` as the rule engine takes them.
    public var groupLimits: GroupLimits {
        GroupLimits(maxGroups: maxGroups, maxGroupsPerRule: maxGroupsPerRule, expiry: groupExpiry.nanoseconds)
    }
}
