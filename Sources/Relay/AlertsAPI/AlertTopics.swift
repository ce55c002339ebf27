import AlertRules

/// Kapacitor's alert topics for a rule set: each rule with inline handlers has its anonymous
/// topic (`main:<task>:alert<N>`, as Kapacitor names it), a rule's `topic:` is a named topic,
/// and every topic a handler file subscribes to exists from the start (Kapacitor creates a
/// topic when a handler names it).
struct AlertTopics: Sendable {
    /// One topic: the rules whose events reach it and the handler files subscribed to it.
    struct Topic: Sendable {
        var id: String
        var rules: [String]
        /// Handler files (an anonymous topic's inline handlers are not listed, as in Kapacitor).
        var handlers: [AlertHandler]
        var anonymous: Bool
    }

    /// By topic ID.
    private(set) var topics: [String: Topic] = [:]
    /// Per rule: the topics its events reach (anonymous first).
    private(set) var topicsOfRule: [String: [String]] = [:]

    init(rules: [AlertRule], handlers: [AlertHandler]) {
        for r in rules {
            if !r.handlers.isEmpty {
                let id = Self.anonymousTopic(of: r)
                topics[id] = Topic(id: id, rules: [r.id], handlers: [], anonymous: true)
                topicsOfRule[r.id, default: []].append(id)
            }
            if let t = r.topic {
                topics[t, default: Topic(id: t, rules: [], handlers: [], anonymous: false)].rules.append(r.id)
                topicsOfRule[r.id, default: []].append(t)
            }
        }
        for h in handlers {
            guard let t = h.topic else { continue }
            topics[t, default: Topic(id: t, rules: [], handlers: [], anonymous: false)].handlers.append(h)
        }
    }

    /// Kapacitor's anonymous topic of a task's alert node: `<task master>:<task>:<node name>`,
    /// the task master being `main` and the node named by its kind and its place in the task's
    /// pipeline, counted from `stream0` and `from1` (where and groupBy are from's properties).
    /// A window with its aggregate is two nodes; a deadman is `stats|derivative|alert`.
    static func anonymousTopic(of rule: AlertRule) -> String {
        var node = 2
        for step in rule.steps { node += step is WindowedAggregateStep ? 2 : 1 }
        if rule.deadman != nil { node += 2 }
        return "main:\(rule.id):alert\(node)"
    }
}
