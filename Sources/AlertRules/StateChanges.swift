/// The alert-state changes the engine took for the changelog (``RuleEngine/takeChanges()``), per
/// owning partition, as copied values: the engine thread only copies, ``records(for:)`` encodes
/// on the writer's thread.
public struct StateChanges: Sendable {
    struct Change: Sendable {
        var rule: String
        var group: String
        /// nil: the group was dropped (a tombstone).
        var state: AlertStateSnapshot.Group?
    }
    /// Per owner: tombstones first, then the groups' states (a group dropped and made again in
    /// the same interval ends as its state: the later record wins).
    var byOwner: [StateOwner: [Change]] = [:]
    /// The rules' shapes, for each record's value.
    var headers: [String: AlertStateSnapshot.Rule] = [:]

    /// Whether nothing changed.
    public var isEmpty: Bool { byOwner.isEmpty }
    /// The partitions with changes.
    public var owners: [StateOwner] { Array(byOwner.keys) }
    /// Records in all.
    public var count: Int { byOwner.values.reduce(0) { $0 + $1.count } }

    /// The changelog records of `owner`'s changes, in order.
    public func records(for owner: StateOwner) -> [StateChangelogRecord] {
        (byOwner[owner] ?? []).map { c in
            let key = StateChangelogRecord.key(topic: owner.topic, rule: c.rule, group: c.group)
            guard let state = c.state, var header = headers[c.rule] else { return StateChangelogRecord(key: key, value: nil) }
            header.groups = [:]
            var one = AlertStateSnapshot()
            one.version = StateChangelogRecord.version
            one.rules[c.rule] = header
            return StateChangelogRecord(key: key, value: AlertStateJSON.encode(one, groups: [c.rule: [(c.group, state)]]))
        }
    }
}
