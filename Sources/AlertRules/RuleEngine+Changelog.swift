/// Group mode: alert state that follows its input partition. Each group is owned by the
/// partition its first point came from (``select(owner:)`` before each batch); every change of a
/// group (a point through its alert or steps, a deadman check) marks it dirty, once, and a
/// dropped group leaves a tombstone; ``takeChanges()`` hands both over per owner for the
/// changelog. ``restore(_:owner:)`` brings a partition's groups in from its changelog,
/// ``dropGroups(of:)`` lets them go when the partition moves away. Engine thread only.
///
/// Bounded: a group is in the dirty list at most once while it lives, so the list holds at most
/// the groups the limits allow plus those dropped since the last take; ``pendingChanges`` lets
/// the caller take early when that grows.
extension RuleEngine {
    /// Starts tracking changes per owner (group mode); without it nothing here costs anything.
    public func trackChanges() { tracksChanges = true }

    /// Whether changes are tracked (group mode).
    public var isTrackingChanges: Bool { tracksChanges }

    /// Sets the partition the next points come from: a group they open is owned by it. nil
    /// (sidecar listeners) opens groups no partition owns, which no changelog carries.
    public func select(owner: StateOwner?) {
        guard let owner else {
            currentOwner = -1
            return
        }
        currentOwner = index(of: owner)
    }

    func index(of owner: StateOwner) -> Int32 {
        if let i = ownerIndex[owner] { return i }
        let i = Int32(owners.count)
        owners.append(owner)
        ownerIndex[owner] = i
        return i
    }

    /// Groups changed or dropped since the last ``takeChanges()`` (an upper bound).
    public var pendingChanges: Int { dirtyGroups.count + tombstones.count }

    /// `state` changed: it joins the dirty list (once). `adopting`: a point of the current batch
    /// changed it, so an unowned group becomes the current partition's.
    @inline(__always)
    func noteChange(_ rt: RuleRuntime, _ state: AlertState, adopting: Bool) {
        if state.owner < 0 {
            guard adopting, currentOwner >= 0 else { return }
            state.owner = currentOwner
        }
        guard !state.dirty else { return }
        state.dirty = true
        dirtyGroups.append((rt, state))
    }

    /// `state` was dropped (expiry): its owner's changelog forgets it.
    func noteRemoval(_ rt: RuleRuntime, _ state: AlertState) {
        state.dirty = false  // its entry in the dirty list, if any, is skipped
        guard state.owner >= 0 else { return }
        tombstones.append((state.owner, rt.rule.id, state.group))
    }

    /// Each rule's shape as the changelog records carry it (to check records against on restore).
    public var changelogHeaders: [String: AlertStateSnapshot.Rule] {
        var out: [String: AlertStateSnapshot.Rule] = [:]
        for rt in runtimes {
            out[rt.rule.id] = .init(groupBy: Self.describe(rt.rule.groupBy), history: rt.rule.history,
                                    functionSlots: rt.rule.functionSlots, groups: [:],
                                    steps: rt.rule.steps.isEmpty ? nil : rt.rule.steps.map(\.description))
        }
        return out
    }

    /// The groups changed and dropped since the last call, copied per owner; the dirty list
    /// starts empty again. `wanted`, when given, takes only the changes of the owners it accepts
    /// (one changelog's partitions, flushed at that changelog's interval); the others stay.
    public func takeChanges(of wanted: ((StateOwner) -> Bool)? = nil) -> StateChanges {
        var changes = StateChanges()
        guard !dirtyGroups.isEmpty || !tombstones.isEmpty else { return changes }
        changes.headers = changelogHeaders
        var accepted: [Bool] = []
        if let wanted { accepted = owners.map(wanted) }
        func takes(_ owner: Int32) -> Bool { accepted.isEmpty || accepted[Int(owner)] }
        var keptTombstones: [(owner: Int32, rule: String, group: String)] = []
        for t in tombstones {
            guard takes(t.owner) else {
                keptTombstones.append(t)
                continue
            }
            changes.byOwner[owners[Int(t.owner)], default: []].append(.init(rule: t.rule, group: t.group, state: nil))
        }
        var keptDirty: [(rule: RuleRuntime, state: AlertState)] = []
        for (rt, state) in dirtyGroups where state.dirty {
            guard takes(state.owner) else {
                keptDirty.append((rt, state))
                continue
            }
            state.dirty = false
            changes.byOwner[owners[Int(state.owner)], default: []].append(.init(rule: rt.rule.id, group: state.group, state: state.changelogRecord))
        }
        if wanted == nil {
            dirtyGroups.removeAll(keepingCapacity: dirtyGroups.count < 4096)
            tombstones.removeAll(keepingCapacity: tombstones.count < 4096)
        } else {
            dirtyGroups = keptDirty
            tombstones = keptTombstones
        }
        if changes.byOwner.isEmpty { changes.headers = [:] }
        return changes
    }

    /// The last events of `owner`'s groups that are firing (``LastAlertEvent``): what the topic
    /// levels and the firing list hold for them.
    public func lastEvents(of owner: StateOwner) -> [(rule: String, group: String, event: LastAlertEvent)] {
        guard let i = ownerIndex[owner] else { return [] }
        var out: [(rule: String, group: String, event: LastAlertEvent)] = []
        for rt in runtimes {
            for g in rt.groups.all where g.owner == i {
                if let e = g.lastEvent { out.append((rt.rule.id, g.group, e)) }
            }
        }
        return out
    }

    /// Restores the groups of `owner`'s changelog (after ``StateChangelogRecord/restored(_:topic:rules:)``),
    /// within the group limits, owned by `owner`; returns how many groups were restored. A group
    /// already here with the same key is replaced (the changelog is the owner's word).
    @discardableResult
    public func restore(_ restored: RestoredState, owner: StateOwner) -> Int {
        restore(restored.snapshot, owner: index(of: owner), bounded: true)
    }

    /// Forgets every group `owner` owns (its partition moved to another instance, which restores
    /// them from the changelog: take and write the changes first); returns how many. No
    /// tombstones: the groups live on elsewhere. The inhibitors they held are released.
    @discardableResult
    public func dropGroups(of owner: StateOwner) -> Int {
        guard let i = ownerIndex[owner] else { return 0 }
        var dropped = 0
        for rt in runtimes {
            dropped += rt.groups.removeAll(removed: { $0.dirty = false }, where: { $0.owner == i })
        }
        tombstones.removeAll { $0.owner == i }
        dirtyGroups.removeAll { !$0.state.dirty }
        if dropped > 0 {
            recountGroups()
            rebuildInhibitions()
        }
        return dropped
    }

    /// A reload: the new engine (this one) takes over the old one's owners and pending changes
    /// (groups moved by ``adoptState(from:)`` are the same objects); groups of rules that are
    /// not carried over (rule gone or changed shape) leave tombstones; every kept group is written
    /// again (its steps may have been reset, its rule's shape changed).
    func adoptChanges(from other: RuleEngine) {
        guard other.tracksChanges else { return }
        tracksChanges = true
        owners = other.owners
        ownerIndex = other.ownerIndex
        tombstones = other.tombstones
        dirtyGroups = []
        for rt in other.runtimes {
            let next = runtimes.first { $0.rule.id == rt.rule.id }
            for g in rt.groups.all where g.owner >= 0 && next?.groups.state(forKey: g.group) !== g {
                tombstones.append((g.owner, rt.rule.id, g.group))
            }
        }
        for rt in runtimes {
            for g in rt.groups.all where g.owner >= 0 {
                g.dirty = false
                noteChange(rt, g, adopting: false)
            }
        }
    }
}
