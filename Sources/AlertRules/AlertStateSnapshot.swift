#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LineProtocol

/// The alert state of every rule and group, and each topic's last level per alert ID: what a
/// restart must not forget (Kapacitor keeps it in its store; issue 744 is what happens without).
public struct AlertStateSnapshot: Codable, Sendable, Equatable {
    /// One group's `AlertState`.
    public struct Group: Codable, Sendable, Equatable {
        public var levels: [Int]
        public var index: Int
        public var flapping: Bool
        public var changed: Bool
        public var firstTriggered: Int64
        public var lastTriggered: Int64
        public var expired: Bool
        /// Stateful-function slots: n, mean, m2, min, max, count per slot.
        public var functions: [[Double]]?
        /// Point time of the group's newest point (absent in files written before group expiry).
        public var lastSeen: Int64?
        /// The group's tags and its steps' state (windows, running transforms), for rules with steps.
        public var groupTags: [[String]]?
        public var steps: [StepStateRecord]?
        /// Group mode's changelog only (version 2): a deadman's count of points so far, then the
        /// count and time at its last check when it had one.
        public var deadman: [Int64]?
        /// Group mode's changelog only (version 2): the last event while firing (``LastAlertEvent``).
        public var event: Event?
    }
    /// The last event of a firing group, as the changelog keeps it.
    public struct Event: Codable, Sendable, Equatable {
        public var id: String
        public var level: Int
        public var message: String
        public var details: String
        public var time: Int64
        public var duration: Int64
        public var point: StepStateRecord.SavedPoint
    }
    /// One rule's groups, by group key.
    public struct Rule: Codable, Sendable, Equatable {
        /// `none`, `*`, or the tag names joined with commas: groups only carry over unchanged grouping.
        public var groupBy: String
        public var history: Int
        public var functionSlots: Int
        public var groups: [String: Group]
        /// The rule's steps as written (`check`'s chain): step state carries over only to the same steps.
        public var steps: [String]?
    }
    public var version = 1
    /// Unix nanoseconds when taken.
    public var takenAt: Int64 = 0
    public var rules: [String: Rule] = [:]
    /// Router state: topic key → alert ID → level.
    public var topics: [String: [String: Int]] = [:]

    public init() {}

    /// Writes the snapshot to `path` atomically (temporary file, fsync, rename).
    /// - Throws: ``StateFileError`` naming the step that failed and the system's reason.
    public func write(to path: String) throws {
        try Self.write(encoded(), to: path)
    }

    /// Writes `data` (a snapshot's JSON) to `path` atomically (temporary file, fsync, rename).
    static func write(_ data: Data, to path: String) throws(StateFileError) {
        let temporary = path + ".tmp"
        func failure(_ step: String, _ file: String) -> StateFileError {
            StateFileError(path: file, step: step, reason: String(cString: strerror(errno)))  // errno read first
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", temporary) }
        var written = 0
        let failed: StateFileError? = data.withUnsafeBytes { raw in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return failure("write", temporary)
                }
                written += n
            }
            return fsync(fd) == 0 ? nil : failure("fsync", temporary)
        }
        close(fd)
        if let failed {
            unlink(temporary)
            throw failed
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("rename to \(path)", temporary)
            unlink(temporary)
            throw error
        }
    }

    /// Reads a snapshot; nil when the file does not exist.
    public static func read(from path: String) throws -> AlertStateSnapshot? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try decoded(data)
    }

    // Stateful functions start at ±infinity (spread's min and max): JSON has no such number.
    static let nonFinite = (positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")

    /// The file's bytes: JSON, keys sorted, infinities and NaN as strings.
    public func encoded() -> Data { Data(AlertStateJSON.encode(self)) }

    /// A snapshot from the file's bytes.
    public static func decoded(_ data: Data) throws -> AlertStateSnapshot {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: nonFinite.positiveInfinity,
                                                                        negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return try decoder.decode(AlertStateSnapshot.self, from: data)
    }
}

extension AlertState {
    var snapshot: AlertStateSnapshot.Group {
        AlertStateSnapshot.Group(levels: history.map(\.rawValue), index: index, flapping: flapping, changed: changed,
                                 firstTriggered: firstTriggered, lastTriggered: lastTriggered, expired: expired,
                                 functions: functions?.record,
                                 lastSeen: lastSeen == .min ? nil : lastSeen)
    }

    /// The whole group as a snapshot keeps it: its alert state, and its tags and steps' state
    /// when it has steps or holds inhibitors.
    var record: AlertStateSnapshot.Group {
        var g = snapshot
        if let chain = steps {
            g.groupTags = groupTags.map { [$0.key, $0.value] }
            g.steps = chain.records
        } else if inhibiting {
            // The tag sets its inhibitors hold, for the restart.
            g.groupTags = groupTags.map { [$0.key, $0.value] }
        }
        return g
    }

    /// ``record`` with what group mode's changelog adds: a deadman's counts and the last event
    /// while firing, which the state file leaves out (after a restart the points of the downtime
    /// were never counted, and the state file's topic levels stand for the events).
    var changelogRecord: AlertStateSnapshot.Group {
        var g = record
        if deadmanEmitted != 0 || deadmanLastTick != nil {
            g.deadman = deadmanLastTick.map { [deadmanEmitted, $0.emitted, $0.time] } ?? [deadmanEmitted]
            // The stats points a deadman makes carry the group's tags.
            if g.groupTags == nil { g.groupTags = groupTags.map { [$0.key, $0.value] } }
        }
        g.event = lastEvent?.record
        return g
    }

    /// Puts back what ``changelogRecord`` adds (a group restored from the changelog).
    func restoreChangelogExtras(_ s: AlertStateSnapshot.Group) {
        if let d = s.deadman, d.count == 1 || d.count == 3 {
            deadmanEmitted = d[0]
            deadmanLastTick = d.count == 3 ? (d[1], d[2]) : nil
        }
        lastEvent = s.event.flatMap(LastAlertEvent.init(record:))
    }

    /// A state restored from a snapshot taken with the same history size and function slots.
    convenience init?(snapshot s: AlertStateSnapshot.Group, history: Int, functionSlots: Int, group: String) {
        guard s.levels.count == min(max(history, 2), AlertRule.maxHistory), s.index >= 0, s.index < s.levels.count,
              s.levels.allSatisfy({ AlertLevel(rawValue: $0) != nil }) else { return nil }
        self.init(history: history, functionSlots: functionSlots, group: group)
        self.history = s.levels.compactMap { AlertLevel(rawValue: $0) }
        self.index = s.index
        self.restoreFlags(flapping: s.flapping, changed: s.changed, expired: s.expired)
        self.firstTriggered = s.firstTriggered
        self.lastTriggered = s.lastTriggered
        self.lastSeen = s.lastSeen ?? .min
        functions?.restore(s.functions)
    }
}

extension RuleEngine {
    /// The state of every rule and group, in one go (call on the engine's thread; the relay
    /// takes it a slice at a time with ``beginSnapshot()``).
    public func snapshot() -> AlertStateSnapshot {
        var cursor = beginSnapshot()
        return cursor.finish().assemble()
    }

    static func describe(_ g: GroupBy) -> String {
        switch g {
        case .none: return "none"
        case .all: return "*"
        case .tags(let t): return t.joined(separator: ",")
        }
    }

    /// Restores the groups of rules that still exist with the same history size and function
    /// slots; returns how many groups were restored.
    @discardableResult
    public func restore(_ snapshot: AlertStateSnapshot) -> Int {
        restore(snapshot, owner: -1, bounded: false)
    }

    /// ``restore(_:)`` for the groups of one owner (group mode); `bounded`: within the group
    /// limits (a group beyond them is counted as refused, not restored).
    func restore(_ snapshot: AlertStateSnapshot, owner: Int32, bounded: Bool) -> Int {
        var restored = 0
        for rt in runtimes {
            guard let saved = snapshot.rules[rt.rule.id], saved.history == rt.rule.history,
                  saved.groupBy == Self.describe(rt.rule.groupBy),
                  saved.functionSlots == rt.rule.functionSlots else { continue }
            let sameSteps = !rt.rule.steps.isEmpty && saved.steps == rt.rule.steps.map(\.description)
            for (key, g) in saved.groups {
                if bounded && rt.groups.state(forKey: key) == nil
                    && (rt.groups.count >= rt.maxGroups || totalGroups + restored >= limits.maxGroups) {
                    rt.stats.groupsRefused += 1
                    continue
                }
                if let state = AlertState(snapshot: g, history: rt.rule.history, functionSlots: rt.rule.functionSlots, group: key) {
                    state.owner = owner
                    if owner >= 0 { state.restoreChangelogExtras(g) }
                    rt.groups.state(forKey: key)?.dirty = false  // replaced: its pending change is moot
                    if let tags = g.groupTags, tags.allSatisfy({ $0.count == 2 }) {
                        state.groupTags = tags.map { Tag(key: $0[0], value: $0[1]) }
                        if sameSteps, let records = g.steps, records.count == rt.rule.steps.count {
                            let chain = StepChain.make(rt.rule.steps, groupTags: state.groupTags)
                            chain?.restore(records[...])
                            state.steps = chain
                        }
                    }
                    // Kapacitor's restoreEventState: a restored non-OK level triggers, activating the inhibitors.
                    // Without the group's tags (a file from before inhibitors) only an ungrouped rule's are known.
                    state.inhibiting = !rt.rule.inhibitors.isEmpty && state.currentLevel != .ok
                        && (g.groupTags != nil || rt.rule.groupBy == .none)
                    rt.groups.insert(state)
                    restored += 1
                }
            }
        }
        recountGroups()
        rebuildInhibitions()
        return restored
    }
}

extension AlertRouter {
    /// Each topic's last level per alert ID.
    public var topicLevels: [String: [String: Int]] { lastLevel.mapValues { $0.mapValues(\.rawValue) } }

    /// Restores the topics' last levels (for `previousLevel` and `changed()` after a restart).
    public func restore(topicLevels: [String: [String: Int]]) {
        for (topic, ids) in topicLevels {
            for (id, level) in ids { if let l = AlertLevel(rawValue: level), l != .ok { lastLevel[topic, default: [:]][id] = l } }
        }
    }
}

/// The C library's `write(2)`, named apart from the snapshot's own `write` methods.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
