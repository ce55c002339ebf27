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

/// A snapshot of the engine's alert state taken a slice at a time, so that saving a million
/// groups never holds the engine's thread for long: ``RuleEngine/beginSnapshot()`` notes every
/// group (references only), each ``step(budget:)`` copies groups until its time budget is spent,
/// and ``finish()`` returns the snapshot (a value, for a writer on another thread).
///
/// Each group is copied as it is at its own slice, not all at one instant: groups are
/// independent, so a restart restores each to a state it really had. Groups created after the
/// start are in the next snapshot; a group dropped meanwhile may still be in this one (it is idle
/// and OK, and is dropped again). Engine thread only.
public struct AlertStateSnapshotCursor {
    private var snapshot: AlertStateSnapshot
    /// Per rule: its runtime, and how many of its ordered groups (from the start) are not copied
    /// yet; the nil group is copied first. Walking from the end meets every group that existed at
    /// the start even when groups are added or removed between slices (``GroupTable/ordered``).
    private var pending: [(runtime: RuleEngine.RuleRuntime, left: Int, nilGroup: AlertState?)]
    /// Per rule: the groups copied so far. Kept as arrays (room reserved at the start, so a slice
    /// never reallocates); the writer's thread turns them into the snapshot's dictionaries.
    private var copied: [String: [(String, AlertStateSnapshot.Group)]] = [:]

    init(snapshot: AlertStateSnapshot, runtimes: [RuleEngine.RuleRuntime]) {
        self.snapshot = snapshot
        pending = runtimes.map { ($0, $0.groups.ordered.count, $0.groups.nilState) }
        for rt in runtimes {
            var a: [(String, AlertStateSnapshot.Group)] = []
            a.reserveCapacity(rt.groups.count)
            copied[rt.rule.id] = a
        }
    }

    /// Groups not copied yet (at most).
    public var remaining: Int { pending.reduce(0) { $0 + $1.left + ($1.nilGroup == nil ? 0 : 1) } }

    private mutating func copy(_ state: AlertState, of rule: String) {
        copied[rule]?.append((state.group, state.record))
    }

    /// Copies groups for about `budget` (checked every 256 groups); true once all are copied.
    public mutating func step(budget: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var sinceCheck = 0
        while let last = pending.indices.last {
            let rt = pending[last].runtime
            if let n = pending[last].nilGroup {
                pending[last].nilGroup = nil
                copy(n, of: rt.rule.id)
            }
            // Removals since the last slice may have shortened the list: its tail was copied.
            let left = min(pending[last].left, rt.groups.ordered.count)
            guard left > 0 else {
                pending.removeLast()
                continue
            }
            pending[last].left = left - 1
            copy(rt.groups.ordered[left - 1], of: rt.rule.id)
            sinceCheck += 1
            if sinceCheck == 256 {
                sinceCheck = 0
                if clock.now >= deadline { return pending.isEmpty }
            }
        }
        return true
    }

    /// The copied state (call once ``step(budget:)`` returned true; copies what is left
    /// otherwise), to be assembled off the engine's thread.
    public mutating func finish() -> CopiedAlertState {
        _ = step(budget: .seconds(1_000_000))
        let result = CopiedAlertState(snapshot: snapshot, groups: copied)
        copied = [:]
        return result
    }
}

/// A snapshot's groups as the engine copied them: ``assemble()`` (on any thread) makes the
/// snapshot written to the state file.
public struct CopiedAlertState: Sendable {
    var snapshot: AlertStateSnapshot
    var groups: [String: [(String, AlertStateSnapshot.Group)]]

    /// Each topic's last level per alert ID (the router's, taken when the engine finished).
    public var topics: [String: [String: Int]] {
        get { snapshot.topics }
        set { snapshot.topics = newValue }
    }

    /// Writes the snapshot to `path` as ``AlertStateSnapshot/write(to:)`` does, straight from
    /// the copied groups (no snapshot dictionary is built).
    public func write(to path: String) throws(StateFileError) {
        try AlertStateSnapshot.write(Data(AlertStateJSON.encode(snapshot, groups: groups)), to: path)
    }

    /// The snapshot.
    public func assemble() -> AlertStateSnapshot {
        var s = snapshot
        for (rule, list) in groups {
            var byKey = [String: AlertStateSnapshot.Group](minimumCapacity: list.count)
            for (key, g) in list { byKey[key] = g }
            s.rules[rule]?.groups = byKey
        }
        return s
    }
}

extension RuleEngine {
    /// Starts a snapshot of every rule and group (engine thread): O(rules); the groups are copied
    /// by the cursor's steps.
    public func beginSnapshot() -> AlertStateSnapshotCursor {
        var s = AlertStateSnapshot()
        s.takenAt = Int64(Date().timeIntervalSince1970 * 1e9)
        for rt in runtimes {
            s.rules[rt.rule.id] = .init(groupBy: Self.describe(rt.rule.groupBy), history: rt.rule.history, functionSlots: rt.rule.functionSlots,
                                        groups: [:],
                                        steps: rt.rule.steps.isEmpty ? nil : rt.rule.steps.map(\.description))
        }
        return AlertStateSnapshotCursor(snapshot: s, runtimes: runtimes)
    }
}
