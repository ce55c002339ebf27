import GoDuration
import GoTemplate
import LineProtocol

/// What one rule made of one point: the answer to "why didn't my alert fire?".
public struct RuleExplanation: Sendable {
    /// One level or reset expression and what it gave.
    public struct Evaluation: Sendable {
        public var level: AlertLevel
        public var reset: Bool
        public var expression: String
        /// `true`/`false`, or the error.
        public var result: Result<Bool, LambdaError>
    }
    public var ruleID: String
    /// The `where` filter's result (nil without filter).
    public var filter: Result<Bool, LambdaError>?
    public var group: String?
    public var evaluations: [Evaluation] = []
    public var level: AlertLevel?
    /// Why no event was sent, when none was.
    public var suppressed: String?
    public var event: Bool = false
}

/// Counters of one rule.
public struct RuleStatistics: Sendable, Equatable {
    public var evaluations: UInt64 = 0
    public var filteredOut: UInt64 = 0
    public var expressionErrors: UInt64 = 0
    public var templateErrors: UInt64 = 0
    /// Events per level, indexed by `AlertLevel.rawValue`.
    public var events: [UInt64] = [0, 0, 0, 0]
    public var groups: Int = 0
    public var lastError: String?
}

/// Runs points through alert rules, keeping each group's state: Kapacitor's alert node for many
/// tasks at once. Not thread-safe: feed it from one thread (points of one group in arrival order).
public final class RuleEngine {
    final class RuleRuntime {
        let rule: AlertRule
        var groups: [String: AlertState] = [:]
        var stats = RuleStatistics()
        init(rule: AlertRule) { self.rule = rule }
    }

    private var byMeasurement: [String: [RuleRuntime]] = [:]
    private var everyMeasurement: [RuleRuntime] = []
    private var runtimes: [RuleRuntime] = []
    /// Kapacitor's `ServerInfo` for templates.
    public let serverInfo: TemplateValue
    /// Called with each expression or template error (rule id, message); the relay logs them.
    public var onError: ((String, String) -> Void)?

    /// An engine for `rules`.
    public init(rules: [AlertRule], hostname: String = "") {
        serverInfo = KapacitorContext.serverInfo(hostname: hostname)
        for r in rules {
            let rt = RuleRuntime(rule: r)
            runtimes.append(rt)
            if let m = r.measurement { byMeasurement[m, default: []].append(rt) } else { everyMeasurement.append(rt) }
        }
    }

    /// The rules, in load order.
    public var rules: [AlertRule] { runtimes.map(\.rule) }

    /// Counters per rule id.
    public var statistics: [String: RuleStatistics] {
        var out: [String: RuleStatistics] = [:]
        for rt in runtimes {
            var s = rt.stats
            s.groups = rt.groups.count
            out[rt.rule.id] = s
        }
        return out
    }

    /// The state of `group` of rule `ruleID`, if the group has seen a point.
    public func state(rule ruleID: String, group: String) -> AlertState? {
        runtimes.first { $0.rule.id == ruleID }?.groups[group]
    }

    /// Moves the alert state of rules that exist in both engines (same id) into this one:
    /// a reload keeps the state of unchanged rules.
    public func adoptState(from other: RuleEngine) {
        for rt in runtimes {
            if let old = other.runtimes.first(where: { $0.rule.id == rt.rule.id }),
               old.rule.history == rt.rule.history, old.rule.functionSlots == rt.rule.functionSlots {
                rt.groups = old.groups
                rt.stats = old.stats
            }
        }
    }

    /// Evaluates `point` against every rule of its measurement; `emit` receives each event.
    @inline(__always)
    public func process(_ point: Point, emit: (AlertEvent) -> Void) {
        if let list = byMeasurement[point.measurement] {
            for rt in list { evaluate(rt, point, explain: nil, emit: emit) }
        }
        for rt in everyMeasurement { evaluate(rt, point, explain: nil, emit: emit) }
    }

    /// As ``process(_:emit:)``, also reporting what each matching rule did.
    public func process(_ point: Point, explain: (RuleExplanation) -> Void, emit: (AlertEvent) -> Void) {
        var matching = byMeasurement[point.measurement] ?? []
        matching += everyMeasurement
        for rt in matching {
            var x = RuleExplanation(ruleID: rt.rule.id)
            evaluate(rt, point, explain: &x, emit: emit)
            explain(x)
        }
    }

    /// Kapacitor's group id: `k=v,k2=v2` over the group-by tags, `nil` without groupBy.
    static func groupKey(_ groupBy: GroupBy, _ point: Point) -> String {
        switch groupBy {
        case .none: return "nil"
        case .all:
            var s = ""
            var first = true
            for t in point.tags {
                if !first { s += "," }
                first = false
                s += t.key
                s += "="
                s += t.value
            }
            return s
        case .tags(let names):
            var s = ""
            var first = true
            for n in names {
                if !first { s += "," }
                first = false
                s += n
                s += "="
                if let v = point.tag(n) { s += v }
            }
            return s
        }
    }

    private func fail(_ rt: RuleRuntime, _ message: String) {
        rt.stats.lastError = message
        onError?(rt.rule.id, message)
    }

    private func evaluate(_ rt: RuleRuntime, _ point: Point, explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        let rule = rt.rule
        rt.stats.evaluations += 1
        if let filter = rule.filter {
            do throws(LambdaError) {
                let pass = try filter.evaluateBool(LambdaContext(point: point))
                explain?.pointee.filter = .success(pass)
                if !pass { rt.stats.filteredOut += 1; return }
            } catch {
                rt.stats.expressionErrors += 1
                explain?.pointee.filter = .failure(error)
                fail(rt, "where: \(error.message)")
                return
            }
        }
        let group = Self.groupKey(rule.groupBy, point)
        explain?.pointee.group = group
        let state: AlertState
        if let s = rt.groups[group] {
            state = s
        } else {
            state = AlertState(history: rule.history, functionSlots: rule.functionSlots)
            rt.groups[group] = state
        }
        let context = LambdaContext(point: point, state: state.functions)
        let level = determineLevel(rt, context, current: state.currentLevel, explain: explain)
        explain?.pointee.level = level
        state.addEvent(point.time, level, flapping: rule.flapping, stateChangesOnly: rule.stateChangesOnlyResend)
        if rule.flapping != nil && state.flapping {
            explain?.pointee.suppressed = "flapping (\(GoJSON.plainFloat(state.percentChange() * 100))% changes)"
            return
        }
        if rule.stateChangesOnly && !state.changed && !state.expired {
            explain?.pointee.suppressed = "stateChangesOnly: level unchanged (\(level))"
            return
        }
        guard level != .ok || state.changed else {
            explain?.pointee.suppressed = "OK and unchanged: nothing to recover from"
            return
        }
        state.triggered(point.time)
        if rule.noRecoveries && level == .ok {
            explain?.pointee.suppressed = "noRecoveries: recovery not sent"
            return
        }
        do throws(TemplateExecutionError) {
            let event = try makeEvent(rule, point, group: group, level: level, duration: state.duration)
            rt.stats.events[level.rawValue] += 1
            explain?.pointee.event = true
            emit(event)
        } catch {
            rt.stats.templateErrors += 1
            explain?.pointee.suppressed = "template error: \(error)"
            fail(rt, "template: \(error)")
        }
    }

    /// Kapacitor's `determineLevel`: a higher level wins; a reset expression holds the current
    /// level until it is true; otherwise the highest matching level at or below the current one.
    private func determineLevel(_ rt: RuleRuntime, _ c: LambdaContext, current: AlertLevel,
                                explain: UnsafeMutablePointer<RuleExplanation>?) -> AlertLevel {
        if let l = firstMatch(rt, c, from: .critical, above: current, explain: explain) { return l }
        if let reset = rt.rule.resets[current.rawValue] {
            do throws(LambdaError) {
                let pass = try reset.evaluateBool(c)
                explain?.pointee.evaluations.append(.init(level: current, reset: true, expression: reset.description, result: .success(pass)))
                if !pass { return current }
            } catch {
                rt.stats.expressionErrors += 1
                explain?.pointee.evaluations.append(.init(level: current, reset: true, expression: reset.description, result: .failure(error)))
                fail(rt, "\(current.ruleKey)Reset: \(error.message)")
            }
        }
        if current != .ok, let l = firstMatch(rt, c, from: current, above: .ok, explain: explain, inclusive: true) { return l }
        return .ok
    }

    private func firstMatch(_ rt: RuleRuntime, _ c: LambdaContext, from start: AlertLevel, above stop: AlertLevel,
                            explain: UnsafeMutablePointer<RuleExplanation>?, inclusive: Bool = false) -> AlertLevel? {
        // Kapacitor: for l := start; l > stop; l-- with stop = current-1 (clamped to OK) on the first pass.
        let lowest = inclusive ? stop.rawValue + 1 : max(stop.rawValue, 1)
        var l = start.rawValue
        while l >= lowest {
            if let e = rt.rule.levels[l] {
                do throws(LambdaError) {
                    let pass = try e.evaluateBool(c)
                    explain?.pointee.evaluations.append(.init(level: AlertLevel(rawValue: l)!, reset: false, expression: e.description, result: .success(pass)))
                    if pass { return AlertLevel(rawValue: l) }
                } catch {
                    rt.stats.expressionErrors += 1
                    explain?.pointee.evaluations.append(.init(level: AlertLevel(rawValue: l)!, reset: false, expression: e.description, result: .failure(error)))
                    fail(rt, "\(AlertLevel(rawValue: l)!.ruleKey): \(error.message)")
                }
            }
            l -= 1
        }
        return nil
    }

    private func makeEvent(_ rule: AlertRule, _ point: Point, group: String, level: AlertLevel, duration: Int64) throws(TemplateExecutionError) -> AlertEvent {
        var tags: [String: String] = [:]
        for t in point.tags { tags[t.key] = t.value }
        let idContext = KapacitorContext.id(name: point.measurement, taskName: rule.id, group: group, tags: tags, serverInfo: serverInfo)
        let id = try rule.idTemplate.render(idContext)
        var fields: [String: TemplateValue] = [:]
        for f in point.fields { fields[f.key] = AlertRecord.templateValue(f.value) }
        let messageContext = KapacitorContext.message(id: idContext, alertID: id, fields: fields, level: level.description,
                                                      time: GoTime(unixNano: point.time), duration: GoDuration(nanoseconds: duration))
        let message = try rule.messageTemplate.render(messageContext)
        let details = try rule.detailsTemplate.render(KapacitorContext.details(message: messageContext, text: message))
        return AlertEvent(ruleID: rule.id, id: id, message: message, details: details, time: point.time, duration: duration,
                          level: level, recoverable: !rule.noRecoveries, name: point.measurement, group: group,
                          category: rule.category, point: point)
    }
}
