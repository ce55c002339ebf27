import LineProtocol

/// A rule's groups, found without building the group's key string on every point: an
/// open-addressing table (linear probing) on the 64-bit FNV-1a hash of the key's bytes, which
/// ``GroupKeyer`` computes from the point's tags in place; the stored key is checked, and a key
/// whose hash another key already holds goes to a second map.
struct GroupTable {
    /// A key's hash and its group; an empty slot has no group.
    private struct Slot {
        var hash: UInt64
        var state: AlertState?
    }

    /// The group the last lookup found, and its key's hash: a rule that sees one group, or the
    /// same group several points in a row, finds it without reading the slots (their memory is a
    /// cache miss apart from the rule's). Unretained: cleared whenever a group leaves the table.
    private var recent: Unmanaged<AlertState>?
    private var recentHash: UInt64 = 0
    /// A power of two of slots (or none), at most three quarters used.
    private var slots: [Slot] = []
    private var used = 0
    private var collided: [String: AlertState] = [:]
    private var nilGroup: AlertState?
    /// Every group but the nil group, in creation order: new groups are appended and removals keep
    /// the order, so a snapshot walking it from the end, a slice at a time, meets every group that
    /// existed when it started (see ``AlertStateSnapshotCursor``).
    private(set) var ordered: [AlertState] = []
    /// The nil group (no groupBy, or a deadman's stand-in), if any.
    var nilState: AlertState? { nilGroup }

    var count: Int { used + collided.count + (nilGroup == nil ? 0 : 1) }
    /// Slots allocated in the open-addressing table: what the table's memory grows with.
    var capacity: Int { slots.count + collided.count }

    var all: [AlertState] { ordered + (nilGroup.map { [$0] } ?? []) }

    /// The first slot to look at for `h` (the hash's bits spread again: FNV-1a's low bits are weak).
    @inline(__always)
    private static func home(_ h: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot holding hash `h`, or the empty slot where it would go (`slots` is not empty).
    @inline(__always)
    private func probe(_ h: UInt64) -> Int {
        slots.withUnsafeBufferPointer { s in
            let mask = s.count - 1
            var i = Self.home(h, mask)
            while s[i].state != nil && s[i].hash != h { i = (i + 1) & mask }
            return i
        }
    }

    /// Puts `state` under hash `h`, which no slot holds, growing the table first when needed.
    private mutating func add(_ state: AlertState, hash h: UInt64) {
        if (used + 1) * 4 > slots.count * 3 { grow() }
        slots[probe(h)] = Slot(hash: h, state: state)
        used += 1
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(hash: 0, state: nil), count: max(16, old.count * 2))
        for s in old where s.state != nil { slots[probe(s.hash)] = s }
    }

    /// Adds a restored group (replacing one with the same key).
    mutating func insert(_ state: AlertState) {
        if state.group == "nil" {
            nilGroup = state
            return
        }
        let h = GroupKeyer.hash(state.group)
        recent = nil
        var replaced: AlertState?
        let i = slots.isEmpty ? nil : probe(h)
        if let i, let existing = slots[i].state {
            if existing.group == state.group {
                replaced = existing
                slots[i].state = state
            } else {
                replaced = collided.updateValue(state, forKey: state.group)
            }
        } else {
            add(state, hash: h)
        }
        if let replaced { ordered.removeAll { $0 === replaced } }
        ordered.append(state)
    }

    func state(forKey key: String) -> AlertState? {
        if key == "nil", let n = nilGroup { return n }
        if !slots.isEmpty, let s = slots[probe(GroupKeyer.hash(key))].state, s.group == key { return s }
        return collided[key]
    }

    /// Forgets the nil group (a deadman's stand-in once real groups exist).
    mutating func removeNilGroup() { nilGroup = nil }

    /// Drops the groups that are OK, not flapping, and last saw a point before `cutoff`; returns
    /// how many. `removed` sees each dropped group (the changelog's tombstones).
    mutating func removeIdle(before cutoff: Int64, removed: ((AlertState) -> Void)? = nil) -> Int {
        // A group holding inhibitors stays until a trigger releases them.
        removeAll(removed: removed) { $0.currentLevel == .ok && !$0.flapping && !$0.inhibiting && $0.lastSeen < cutoff }
    }

    /// Drops the groups `drop` selects; returns how many. `removed` sees each.
    mutating func removeAll(removed: ((AlertState) -> Void)? = nil, where drop: (AlertState) -> Bool) -> Int {
        // `ordered` holds every group of `slots` and `collided`: `removed` hears of each there once.
        let before = count
        recent = nil
        let kept = slots.filter { $0.state.map { !drop($0) } ?? false }
        var size = 16
        while (kept.count + 1) * 4 > size * 3 { size <<= 1 }
        slots = kept.isEmpty && slots.isEmpty ? [] : Array(repeating: Slot(hash: 0, state: nil), count: size)
        used = 0
        for s in kept {
            slots[probe(s.hash)] = s
            used += 1
        }
        collided = collided.filter { !drop($0.value) }
        ordered.removeAll { s in
            guard drop(s) else { return false }
            removed?(s)
            return true
        }
        if let n = nilGroup, drop(n) {
            removed?(n)
            nilGroup = nil
        }
        return before - count
    }

    /// The point's group; a new one only when `allowNew` (then `created` is set), else nil.
    /// Unretained: the table keeps the group until it is removed (by ``removeIdle(before:)``).
    /// `h` is `keyer.hash(p)` (unused without groupBy); `matchedKey`, if known, the point's group
    /// key (a group under it needs no check against the point's tags).
    @inline(__always)
    mutating func state(for p: UnsafePointer<Point>, keyer: GroupKeyer, hash h: UInt64, matchedKey: String?, history: Int, functionSlots: Int,
                        allowNew: Bool, created: inout Bool) -> Unmanaged<AlertState>? {
        if case .none = keyer.groupBy {
            if let n = nilGroup { return .passUnretained(n) }
            guard allowNew else { return nil }
            let n = AlertState(history: history, functionSlots: functionSlots, group: "nil")
            nilGroup = n
            created = true
            return .passUnretained(n)
        }
        @inline(__always)
        func holds(_ found: Unmanaged<AlertState>) -> Bool {
            found._withUnsafeGuaranteedRef { g in matchedKey.map { $0 == g.group } ?? false || keyer.matches(g.group, p) }
        }
        if let r = recent, recentHash == h, holds(r) { return r }
        if !slots.isEmpty {
            let i = probe(h)
            if let found = slots.withUnsafeBufferPointer({ s in s[i].state.map(Unmanaged.passUnretained) }) {
                if holds(found) { return remember(found, h) }
                // Another key holds this hash.
                let key = RuleEngine.groupKey(keyer.groupBy, p.pointee)
                if let c = collided[key] { return remember(.passUnretained(c), h) }
                guard allowNew else { return nil }
                let c = AlertState(history: history, functionSlots: functionSlots, group: key)
                collided[key] = c
                ordered.append(c)
                created = true
                return remember(.passUnretained(c), h)
            }
        }
        guard allowNew else { return nil }
        let s = AlertState(history: history, functionSlots: functionSlots, group: RuleEngine.groupKey(keyer.groupBy, p.pointee))
        add(s, hash: h)
        ordered.append(s)
        created = true
        return remember(.passUnretained(s), h)
    }

    @inline(__always)
    private mutating func remember(_ found: Unmanaged<AlertState>, _ h: UInt64) -> Unmanaged<AlertState> {
        recent = found
        recentHash = h
        return found
    }
}
