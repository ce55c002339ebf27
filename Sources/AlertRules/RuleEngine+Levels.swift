import GoDuration
import GoTemplate
import LineProtocol

/// The alert node's judgement of one point: its level (Kapacitor's `determineLevel`, resets
/// included) and the event it raises (ID, message and details rendered).
extension RuleEngine {
    /// Kapacitor's `determineLevel`: a higher level wins; a reset expression holds the current
    /// level until it is true; otherwise the highest matching level at or below the current one.
    /// `p` is read with `state`'s stateful functions; a threshold level reads neither the state
    /// nor the expression.
    func determineLevel(_ rt: RuleRuntime, _ p: UnsafePointer<Point>, _ state: AlertState, current: AlertLevel,
                        explain: UnsafeMutablePointer<RuleExplanation>?) -> AlertLevel {
        if let l = firstMatch(rt, p, state, from: .critical, above: current, explain: explain) { return l }
        if rt.hasResets, let reset = rt.rule.resets[current.rawValue] {
            do throws(LambdaError) {
                let pass = try LambdaExpression.bool(try reset.eval(LambdaInput(point: p, event: nil, state: state.functions)))
                explain?.pointee.evaluations.append(.init(level: current, reset: true, expression: reset.description, result: .success(pass)))
                if !pass { return current }
            } catch {
                rt.stats.expressionErrors += 1
                explain?.pointee.evaluations.append(.init(level: current, reset: true, expression: reset.description, result: .failure(error)))
                fail(rt, "\(current.ruleKey)Reset: \(error.message)")
            }
        }
        if current != .ok, let l = firstMatch(rt, p, state, from: current, above: .ok, explain: explain, inclusive: true) { return l }
        return .ok
    }

    private func firstMatch(_ rt: RuleRuntime, _ p: UnsafePointer<Point>, _ state: AlertState, from start: AlertLevel, above stop: AlertLevel,
                            explain: UnsafeMutablePointer<RuleExplanation>?, inclusive: Bool = false) -> AlertLevel? {
        // Kapacitor: for l := start; l > stop; l-- with stop = current-1 (clamped to OK) on the first pass.
        let lowest = inclusive ? stop.rawValue + 1 : max(stop.rawValue, 1)
        var l = start.rawValue
        while l >= lowest {
            defer { l -= 1 }
            guard rt.levelMask & (1 << UInt8(l)) != 0 else { continue }
            if explain == nil, let pass = thresholdPasses(rt, l, p) {
                if pass { return AlertLevel(rawValue: l) }
                continue
            }
            if let e = rt.rule.levels[l] {
                do throws(LambdaError) {
                    let pass = try LambdaExpression.bool(try e.eval(LambdaInput(point: p, event: nil, state: state.functions)))
                    explain?.pointee.evaluations.append(.init(level: AlertLevel(rawValue: l)!, reset: false, expression: e.description, result: .success(pass)))
                    if pass { return AlertLevel(rawValue: l) }
                } catch {
                    rt.stats.expressionErrors += 1
                    explain?.pointee.evaluations.append(.init(level: AlertLevel(rawValue: l)!, reset: false, expression: e.description, result: .failure(error)))
                    fail(rt, "\(AlertLevel(rawValue: l)!.ruleKey): \(error.message)")
                }
            }
        }
        return nil
    }

    /// Level `l`'s threshold on `p`, if it is one and decides: the field read once per point
    /// for all of the point's rules (``PointShare``) when `p` is the point the engine was given.
    @inline(__always)
    private func thresholdPasses(_ rt: RuleRuntime, _ l: Int, _ p: UnsafePointer<Point>) -> Bool? {
        guard let t = threshold(rt, l) else { return nil }
        guard share.matches(p) else { return t.evaluate(p) }
        guard let value = share.thresholdOperand(t, p) else { return nil }
        return t.decide(value)
    }

    @inline(__always)
    private func threshold(_ rt: RuleRuntime, _ l: Int) -> LevelThreshold? {
        switch l {
        case 3: return rt.criticalThreshold
        case 2: return rt.warningThreshold
        case 1: return rt.infoThreshold
        default: return nil
        }
    }

    /// `head + separator + tail` made in one allocation (the default ID and message: `+` makes
    /// an intermediate string first).
    static func joined(_ head: UnsafeBufferPointer<UInt8>, _ separator: StaticString, _ tail: String) -> String {
        var tail = tail
        return tail.withUTF8 { t in
            let count = head.count + separator.utf8CodeUnitCount + t.count
            return String(unsafeUninitializedCapacity: count) { out in
                var n = 0
                func put(_ part: UnsafeBufferPointer<UInt8>) {
                    _ = UnsafeMutableBufferPointer(rebasing: out[n..<(n + part.count)]).initialize(from: part)
                    n += part.count
                }
                put(head)
                separator.withUTF8Buffer { put($0) }
                put(t)
                return n
            }
        }
    }

    func makeEvent(_ rule: AlertRule, _ point: Point, group: String, level: AlertLevel, duration: Int64) throws(TemplateExecutionError) -> AlertEvent {
        // Kapacitor's default templates are written out directly (same bytes, proven by tests
        // against the template path); only custom templates need the template contexts.
        let defaults = rule.defaultTemplates
        var idContext: TemplateValue?
        if !(defaults.id && defaults.message && defaults.details) {
            var tags: [String: String] = [:]
            for t in point.tags { tags[t.key] = t.value }
            idContext = KapacitorContext.id(name: point.measurement, taskName: rule.id, group: group, tags: tags, serverInfo: serverInfo)
        }
        let id = defaults.id ? point.withMeasurementUTF8 { Self.joined($0, ":", group) } : try rule.idTemplate.render(idContext ?? .null)
        var messageContext: TemplateValue?
        if let idContext, !(defaults.message && defaults.details) {
            var fields: [String: TemplateValue] = [:]
            for f in point.fields { fields[f.key] = AlertRecord.templateValue(f.value) }
            messageContext = KapacitorContext.message(id: idContext, alertID: id, fields: fields, level: level.description,
                                                      time: GoTime(unixNano: point.time), duration: GoDuration(nanoseconds: duration))
        }
        let message = defaults.message
            ? id.utf8.withContiguousStorageIfAvailable { Self.joined($0, " is ", level.description) } ?? id + " is " + level.description
            : try rule.messageTemplate.render(messageContext ?? .null)
        let details = defaults.details
            ? DefaultDetails.render(point: point, taskName: rule.id, group: group, id: id, level: level, duration: duration,
                                    message: message, hostname: hostname, buffer: &renderBuffer)
            : try rule.detailsTemplate.render(KapacitorContext.details(message: messageContext ?? .null, text: message))
        return AlertEvent(ruleID: rule.id, id: id, message: message, details: details, time: point.time, duration: duration,
                          level: level, recoverable: !rule.noRecoveries, name: point.measurement, group: group,
                          category: rule.category, point: point, output: rule.output)
    }
}
