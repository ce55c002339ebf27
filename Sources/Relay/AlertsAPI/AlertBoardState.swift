import AlertRules
import LineProtocol

/// What ``AlertBoard`` guards: every rule's latest event per alert ID, counts per rule and level,
/// and a ring of recent events.
///
/// Entries are spread over ``shardCount`` dictionaries by the key's hash so that a reader's
/// snapshot (which shares the storage, copy-on-write) costs the engine at most one shard's copy
/// on its next write there — about 1/256 of the table — instead of the whole table.
///
/// Bounds (the alert IDs come from points, so from senders): at most `maxFiring` non-OK entries
/// (more are counted in ``refused`` and not kept), at most ``recoveredKept`` OK entries (the
/// oldest recovery is forgotten first), ``recentKept`` recent events.
struct AlertBoardState: Sendable {
    static let shardCount = 256
    static let recoveredKept = 10_000
    static let recentKept = 200

    private(set) var shards = [[AlertBoardKey: AlertBoardEntry]](repeating: [:], count: shardCount)
    /// Per rule: entries held at each level (indexed by `AlertLevel.rawValue`).
    private(set) var levels: [String: [Int]] = [:]
    /// Per rule: events recorded since start (Kapacitor's topic `collected`).
    private(set) var collected: [String: Int64] = [:]
    /// Non-OK entries held (all rules).
    private(set) var firing = 0
    var maxFiring: Int
    /// Events of a new non-OK alert ID not kept because `maxFiring` were held.
    private(set) var refused: UInt64 = 0
    /// The OK entries in recovery order, as a ring; a slot overwritten forgets its entry if that
    /// is still the same recovery.
    private var recovered: [(AlertBoardKey, UInt64)?] = Array(repeating: nil, count: recoveredKept)
    private var recoveredNext = 0
    /// The newest ``recentKept`` events, a ring (`recentNext` is the oldest once full).
    private var recentRing: [AlertBoardEvent] = []
    private var recentNext = 0
    private var sequence: UInt64 = 0

    init(maxFiring: Int) { self.maxFiring = maxFiring }

    static func shard(of key: AlertBoardKey) -> Int {
        var h = Hasher()
        h.combine(key)
        return Int(UInt(bitPattern: h.finalize()) % UInt(shardCount))
    }

    /// Records `event` as its ID's latest.
    mutating func record(_ event: AlertEvent) {
        record(rule: event.ruleID, group: event.group,
               event: LastAlertEvent(id: event.id, level: event.level, message: event.message, details: event.details, time: event.time,
                                     duration: event.duration, point: event.point))
    }

    mutating func record(rule: String, group: String, event: LastAlertEvent) {
        let (id, level) = (event.id, event.level)
        let key = AlertBoardKey(rule: rule, id: id)
        let s = Self.shard(of: key)
        sequence &+= 1
        collected[rule, default: 0] += 1
        // One lookup for the read and the write; an alert repeating its level (the usual event)
        // leaves the per-rule counts as they are (the key holds the rule: the old entry's is `rule`).
        let index = shards[s].index(forKey: key)
        let oldLevel = index.map { shards[s].values[$0].event.level }
        addRecent(AlertBoardEvent(rule: rule, id: id, level: level, previousLevel: oldLevel ?? .ok, message: event.message,
                                  time: event.time))
        if oldLevel == nil || oldLevel == .ok, level != .ok, firing >= maxFiring {
            refused += 1
            return
        }
        if oldLevel != level {
            if let oldLevel { count(rule, oldLevel, -1) }
            count(rule, level, 1)
        }
        let entry = AlertBoardEntry(rule: rule, group: group, event: event, sequence: sequence)
        if let index { shards[s].values[index] = entry } else { shards[s][key] = entry }
        if level == .ok { remember(key, sequence) }
    }

    /// Puts back an alert the state file says is firing (its level only: the file keeps no
    /// message or point), unless the ID already has an entry. Not an event: nothing is collected.
    mutating func restore(rule: String, id: String, level: AlertLevel, time: Int64, measurement: String) {
        let key = AlertBoardKey(rule: rule, id: id)
        let s = Self.shard(of: key)
        guard level != .ok, shards[s][key] == nil, firing < maxFiring else { return }
        sequence &+= 1
        count(rule, level, 1)
        let event = LastAlertEvent(id: id, level: level, message: "", details: "", time: time, duration: 0,
                                   point: Point(measurement: measurement, fields: [], time: time))
        shards[s][key] = AlertBoardEntry(rule: rule, group: "", event: event, sequence: sequence)
    }

    /// Puts back a firing alert with its last event (group mode's changelog), replacing what the
    /// ID held. Not an event: nothing is collected, nothing joins the recent events.
    mutating func put(rule: String, group: String, event: LastAlertEvent) {
        let key = AlertBoardKey(rule: rule, id: event.id)
        let s = Self.shard(of: key)
        let old = shards[s][key]
        let wasFiring = old.map { $0.event.level != .ok } ?? false
        guard event.level != .ok, wasFiring || firing < maxFiring else {
            refused += 1
            return
        }
        if let old { count(old.rule, old.event.level, -1) }
        sequence &+= 1
        count(rule, event.level, 1)
        shards[s][key] = AlertBoardEntry(rule: rule, group: group, event: event, sequence: sequence)
    }

    /// Forgets alert `id` of `rule` (its group moved to another relay).
    mutating func forget(rule: String, id: String) {
        let key = AlertBoardKey(rule: rule, id: id)
        let s = Self.shard(of: key)
        guard let old = shards[s].removeValue(forKey: key) else { return }
        count(old.rule, old.event.level, -1)
    }

    private mutating func count(_ rule: String, _ level: AlertLevel, _ delta: Int) {
        levels[rule, default: [0, 0, 0, 0]][level.rawValue] += delta
        if level != .ok { firing += delta }
    }

    private mutating func addRecent(_ e: AlertBoardEvent) {
        if recentRing.count < Self.recentKept {
            recentRing.append(e)
        } else {
            recentRing[recentNext] = e
            recentNext = (recentNext + 1) % Self.recentKept
        }
    }

    /// Keeps an OK entry among the last ``recoveredKept`` recoveries, forgetting the oldest.
    private mutating func remember(_ key: AlertBoardKey, _ sequence: UInt64) {
        if let (oldKey, oldSequence) = recovered[recoveredNext] {
            let s = Self.shard(of: oldKey)
            if let e = shards[s][oldKey], e.sequence == oldSequence {
                shards[s][oldKey] = nil
                count(e.rule, e.event.level, -1)
            }
        }
        recovered[recoveredNext] = (key, sequence)
        recoveredNext = (recoveredNext + 1) % Self.recoveredKept
    }

    /// Forgets the rules not in `kept` (after a reload).
    mutating func retain(rules kept: Set<String>) {
        guard levels.keys.contains(where: { !kept.contains($0) }) || collected.keys.contains(where: { !kept.contains($0) }) else { return }
        for i in shards.indices where shards[i].keys.contains(where: { !kept.contains($0.rule) }) {
            shards[i] = shards[i].filter { kept.contains($0.key.rule) }
        }
        levels = levels.filter { kept.contains($0.key) }
        collected = collected.filter { kept.contains($0.key) }
        firing = levels.values.reduce(0) { $0 + $1[1...].reduce(0, +) }
        recentRing = recent.reversed().filter { kept.contains($0.rule) }
        recentNext = 0
    }

    /// The recent events, newest first.
    var recent: [AlertBoardEvent] {
        Array((recentRing[recentNext...] + recentRing[..<recentNext]).reversed())
    }

    /// Every entry (all shards).
    var entries: some Sequence<AlertBoardEntry> { shards.lazy.flatMap(\.values) }

    func entry(rule: String, id: String) -> AlertBoardEntry? {
        let key = AlertBoardKey(rule: rule, id: id)
        return shards[Self.shard(of: key)][key]
    }
}
