import LineProtocol

/// A rule's groups, found without building the group's key string on every point: a 64-bit
/// FNV-1a hash of the key's bytes, checked against the stored key; collisions go to a second map.
struct GroupTable {
    private var byHash: [UInt64: AlertState] = [:]
    private var collided: [String: AlertState] = [:]
    private var nilGroup: AlertState?
    /// Every group but the nil group, in creation order: new groups are appended and removals keep
    /// the order, so a snapshot walking it from the end, a slice at a time, meets every group that
    /// existed when it started (see ``AlertStateSnapshotCursor``).
    private(set) var ordered: [AlertState] = []
    /// The nil group (no groupBy, or a deadman's stand-in), if any.
    var nilState: AlertState? { nilGroup }

    var count: Int { byHash.count + collided.count + (nilGroup == nil ? 0 : 1) }

    var all: [AlertState] { ordered + (nilGroup.map { [$0] } ?? []) }

    /// Adds a restored group (replacing one with the same key).
    mutating func insert(_ state: AlertState) {
        if state.group == "nil" {
            nilGroup = state
            return
        }
        let h = Self.hash(state.group)
        let replaced: AlertState?
        if let existing = byHash[h], existing.group != state.group {
            replaced = collided.updateValue(state, forKey: state.group)
        } else {
            replaced = byHash.updateValue(state, forKey: h)
        }
        if let replaced { ordered.removeAll { $0 === replaced } }
        ordered.append(state)
    }

    func state(forKey key: String) -> AlertState? {
        if key == "nil", let n = nilGroup { return n }
        if let s = byHash[Self.hash(key)], s.group == key { return s }
        return collided[key]
    }

    /// Forgets the nil group (a deadman's stand-in once real groups exist).
    mutating func removeNilGroup() { nilGroup = nil }

    /// Drops the groups that are OK, not flapping, and last saw a point before `cutoff`; returns
    /// how many.
    mutating func removeIdle(before cutoff: Int64) -> Int {
        func idle(_ s: AlertState) -> Bool { s.currentLevel == .ok && !s.flapping && s.lastSeen < cutoff }
        let before = count
        byHash = byHash.filter { !idle($0.value) }
        collided = collided.filter { !idle($0.value) }
        ordered.removeAll(where: idle)
        if let n = nilGroup, idle(n) { nilGroup = nil }
        return before - count
    }

    /// The point's group; a new one only when `allowNew` (then `created` is set), else nil.
    mutating func state(for p: UnsafePointer<Point>, groupBy: GroupBy, history: Int, functionSlots: Int,
                        allowNew: Bool, created: inout Bool) -> AlertState? {
        if case .none = groupBy {
            if let n = nilGroup { return n }
            guard allowNew else { return nil }
            let n = AlertState(history: history, functionSlots: functionSlots, group: "nil")
            nilGroup = n
            created = true
            return n
        }
        let found: AlertState??
        let h = Self.hash(groupBy, p)
        if let s = byHash[h] {
            found = Self.matches(s.group, groupBy, p) ? .some(s) : nil
        } else {
            found = .some(nil)
        }
        switch found {
        case .some(.some(let s)): return s
        case .some(.none):
            guard allowNew else { return nil }
            let key = RuleEngine.groupKey(groupBy, p.pointee)
            let s = AlertState(history: history, functionSlots: functionSlots, group: key)
            byHash[Self.hash(key)] = s
            ordered.append(s)
            created = true
            return s
        case .none:
            let key = RuleEngine.groupKey(groupBy, p.pointee)
            if let c = collided[key] { return c }
            guard allowNew else { return nil }
            let c = AlertState(history: history, functionSlots: functionSlots, group: key)
            collided[key] = c
            ordered.append(c)
            created = true
            return c
        }
    }

    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    @inline(__always)
    static func mix(_ h: inout UInt64, _ s: String) {
        for b in s.utf8 { h = (h ^ UInt64(b)) &* prime }
    }

    @inline(__always)
    static func mix(_ h: inout UInt64, _ b: UInt8) { h = (h ^ UInt64(b)) &* prime }

    static func hash(_ key: String) -> UInt64 {
        var h = offset
        mix(&h, key)
        return h
    }

    @inline(__always)
    static func mix(_ h: inout UInt64, _ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
    }

    /// The hash of the key `groupKey` would build, without building it (tags read in place, the
    /// point by pointer: a copy would cost reference counting).
    static func hash(_ groupBy: GroupBy, _ p: UnsafePointer<Point>) -> UInt64 {
        var h = offset
        switch groupBy {
        case .none: mix(&h, "nil")
        case .all:
            for i in 0..<p.pointee.tagCount {
                if i > 0 { mix(&h, UInt8(ascii: ",")) }
                p.pointee.withTagUTF8(i) { key, value in
                    mix(&h, key)
                    mix(&h, UInt8(ascii: "="))
                    mix(&h, value)
                }
            }
        case .tags(let names):
            for (i, n) in names.enumerated() {
                if i > 0 { mix(&h, UInt8(ascii: ",")) }
                mix(&h, n)
                mix(&h, UInt8(ascii: "="))
                if let t = p.pointee.tagIndex(n) { p.pointee.withTagUTF8(t) { _, value in mix(&h, value) } }
            }
        }
        return h
    }

    /// Reads a key's bytes in order.
    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        @inline(__always)
        mutating func take(_ b: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
            return true
        }
        @inline(__always)
        mutating func take(_ s: String) -> Bool {
            for b in s.utf8 {
                guard i < bytes.count, bytes[i] == b else { return false }
                i += 1
            }
            return true
        }
        @inline(__always)
        mutating func take(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
            guard bytes.count - i >= s.count else { return false }
            for b in s {
                guard bytes[i] == b else { return false }
                i += 1
            }
            return true
        }
    }

    /// Whether `key` is the key `groupKey` would build for these tags, compared byte by byte.
    static func matches(_ key: String, _ groupBy: GroupBy, _ p: UnsafePointer<Point>) -> Bool {
        if case .none = groupBy { return key == "nil" }
        var key = key
        return key.withUTF8 { bytes in
            var c = Cursor(bytes: bytes)
            switch groupBy {
            case .none: return false
            case .all:
                for i in 0..<p.pointee.tagCount {
                    if i > 0, !c.take(UInt8(ascii: ",")) { return false }
                    let same = p.pointee.withTagUTF8(i) { k, v in c.take(k) && c.take(UInt8(ascii: "=")) && c.take(v) }
                    if !same { return false }
                }
            case .tags(let names):
                for (i, n) in names.enumerated() {
                    if i > 0, !c.take(UInt8(ascii: ",")) { return false }
                    if !c.take(n) || !c.take(UInt8(ascii: "=")) { return false }
                    if let t = p.pointee.tagIndex(n), !p.pointee.withTagUTF8(t, { _, v in c.take(v) }) { return false }
                }
            }
            return c.i == bytes.count
        }
    }
}
