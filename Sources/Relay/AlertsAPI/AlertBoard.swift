import AlertRules
import LineProtocol
import Locking

/// What is firing now, published by the engine thread for the alerts API, the status page and
/// `alertrelay_active_alerts`: each rule's latest event per alert ID and recent events.
///
/// The engine records every event it hands to its handlers (``record(_:)``, a short critical
/// section); a reader takes a ``snapshot()``, which shares the table's storage (copy-on-write)
/// and costs a few dozen reference counts under the lock. The engine's next write to a shared
/// shard copies that shard only (see ``AlertBoardState``), so a request never holds up
/// evaluation for more than one shard's copy, and never waits for the engine: the API answers
/// while the engine is blocked on a full Kafka queue.
public final class AlertBoard: Sendable {
    private let state: Locked<AlertBoardState>

    /// A board keeping at most `maxFiring` non-OK alert IDs (the relay's `max-groups`).
    public init(maxFiring: Int) {
        state = Locked(AlertBoardState(maxFiring: maxFiring))
    }

    /// Records `event` as the latest of its alert ID (engine thread).
    public func record(_ event: AlertEvent) {
        state.withLock { $0.record(event) }
    }

    /// Records `event` of `rule`'s `group` as the latest of its alert ID.
    func record(rule: String, group: String, event: LastAlertEvent) {
        state.withLock { $0.record(rule: rule, group: group, event: event) }
    }

    /// After a restart: the alerts the state file holds as firing, from the per-topic levels it
    /// keeps (`rule:<id>` for a rule's inline handlers, `topic:<name>` for a named topic fed by
    /// one rule), shown at their level until their next event brings message and value.
    public func restore(topicLevels: [String: [String: Int]], rules: [AlertRule], savedAt: Int64) {
        var byTopic: [String: [AlertRule]] = [:]
        for r in rules { if let t = r.topic { byTopic[t, default: []].append(r) } }
        let byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        state.withLock { s in
            for (key, levels) in topicLevels {
                let rule: AlertRule?
                if key.hasPrefix("rule:") {
                    rule = byID[String(key.dropFirst(5))]
                } else if key.hasPrefix("topic:"), let feeding = byTopic[String(key.dropFirst(6))], feeding.count == 1 {
                    rule = feeding[0]
                } else {
                    rule = nil
                }
                guard let rule else { continue }
                for (id, raw) in levels {
                    guard let level = AlertLevel(rawValue: raw) else { continue }
                    s.restore(rule: rule.id, id: id, level: level, time: savedAt, measurement: rule.measurement ?? "")
                }
            }
        }
    }

    /// Group mode: puts back the firing alerts of groups restored from the changelog, with their
    /// last event's message, details and point (not events: nothing is collected).
    public func restore(_ events: [(rule: String, group: String, event: LastAlertEvent)]) {
        guard !events.isEmpty else { return }
        state.withLock { s in
            for (rule, group, e) in events { s.put(rule: rule, group: group, event: e) }
        }
    }

    /// Group mode: forgets these alerts (their groups moved to another relay, which lists them).
    public func forget(_ alerts: [(rule: String, id: String)]) {
        guard !alerts.isEmpty else { return }
        state.withLock { s in for a in alerts { s.forget(rule: a.rule, id: a.id) } }
    }

    /// After a reload: forgets the rules that are gone and applies the new limit.
    public func configure(rules: [AlertRule], maxFiring: Int) {
        let kept = Set(rules.map(\.id))
        state.withLock {
            $0.maxFiring = maxFiring
            $0.retain(rules: kept)
        }
    }

    /// The board as it is now, detached from later writes.
    func snapshot() -> AlertBoardState { state.withLock { $0 } }

    /// The counts alone (cheap: they do not share the table, so the engine copies nothing after
    /// it): per rule the entries held at each level (indexed by `AlertLevel.rawValue`) and the
    /// events recorded, and the events of new alert IDs not kept because the board held
    /// `maxFiring` non-OK ones.
    public func counts() -> (levels: [String: [Int]], collected: [String: Int64], refused: UInt64) {
        state.withLock { ($0.levels, $0.collected, $0.refused) }
    }
}
