import LineProtocol

/// The engine's clock: deadman rules, checked on wall time in `run` and point time in `test`.
extension RuleEngine {
    /// When the engine's clock must next be advanced (the earliest deadman check), nil without
    /// deadman rules.
    public var nextClockDeadline: Int64? {
        runtimes.compactMap { $0.rule.deadman == nil ? nil : $0.nextTick }.min()
    }

    /// Advances the engine's clock to `now` (Unix ns): runs every deadman check due by then, in
    /// time order. `run` calls it with wall time, `test` with each point's time before the point.
    public func advanceClock(to now: Int64, emit: (AlertEvent) -> Void) {
        for rt in runtimes {
            guard let spec = rt.rule.deadman else { continue }
            if rt.nextTick == nil {
                // Kapacitor's stats node aligns its first tick to the interval.
                rt.nextTick = WindowSpec.truncate(now, spec.interval) &+ spec.interval
                continue
            }
            while let tick = rt.nextTick, tick <= now {
                deadmanTick(rt, spec, at: tick, emit: emit)
                rt.nextTick = tick &+ spec.interval
            }
        }
    }

    /// One stats tick of a deadman rule: per group, points per interval since the last tick
    /// (derivative, non-negative), then the alert on a `stats` point with that `emitted` field.
    func deadmanTick(_ rt: RuleRuntime, _ spec: DeadmanSpec, at time: Int64, emit: (AlertEvent) -> Void) {
        var states = rt.groups.all
        if states.isEmpty {
            // Kapacitor's stats of a node that saw nothing: the nil group, emitted 0.
            let n = AlertState(history: rt.rule.history, functionSlots: rt.rule.functionSlots, group: "nil")
            rt.groups.insert(n)
            totalGroups += 1
            states = [n]
        } else if rt.rule.groupBy != .none, states.count > 1, states.contains(where: { $0.group == "nil" }) {
            // Real groups have appeared: the stand-in nil group goes, as Kapacitor's stats list
            // only the groups a node has seen (releasing what it inhibited).
            if let n = states.first(where: { $0.group == "nil" }), n.inhibiting {
                for i in rt.rule.inhibitors { inhibitions.remove(category: i.category, tags: i.tagSet(groupTags: n.groupTags)) }
            }
            rt.groups.removeNilGroup()
            totalGroups -= 1
            states.removeAll { $0.group == "nil" }
        }
        for state in states.sorted(by: { $0.group < $1.group }) {
            // Every check moves the group's last-check counts: the changelog carries them (group mode).
            defer {
                state.deadmanLastTick = (state.deadmanEmitted, time)
                if tracksChanges { noteChange(rt, state, adopting: false) }
            }
            guard let last = state.deadmanLastTick, time > last.time else { continue }
            let diff = Double(state.deadmanEmitted &- last.emitted)
            guard diff >= 0 else { continue }
            let rate = diff / (Double(time &- last.time) / Double(spec.interval))
            let point = Point(measurement: "stats", tags: state.groupTags, fields: [Field(key: "emitted", value: .float(rate))], time: time)
            state.lastSeen = max(state.lastSeen, time)
            withUnsafePointer(to: point) { alert(rt, state, $0, explain: nil, emit: emit) }
        }
    }
}
