import GoDuration
import GoTemplate
import LineProtocol

/// The alert node itself: a point's (or a window batch's) level in its group's state, the state's
/// history, and the event when Kapacitor's rules say one is due (recoveries, stateChangesOnly,
/// flapping, inhibition, httpOut).
extension RuleEngine {
    /// The alert node: the level for `p` in its group's state, and the event when one is due.
    func alert(_ rt: RuleRuntime, _ state: AlertState, _ p: UnsafePointer<Point>,
               explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        // Until an event is due only `rt`'s first lines and `state` are read: not the rule.
        let time = p.pointee.time
        let level = determineLevel(rt, p, state, current: state.currentLevel, explain: explain)
        explain?.pointee.level = level
        state.addEvent(time, level, flapping: rt.hasFlapping ? rt.flapping : nil, stateChangesOnly: rt.stateChangesOnlyResend)
        if rt.hasFlapping && state.flapping {
            explain?.pointee.suppressed = "flapping (\(GoJSON.plainFloat(state.percentChange() * 100))% changes)"
            return
        }
        if rt.stateChangesOnly && !state.changed && !state.expired {
            explain?.pointee.suppressed = "stateChangesOnly: level unchanged (\(level))"
            return
        }
        guard level != .ok || state.changed else {
            explain?.pointee.suppressed = "OK and unchanged: nothing to recover from"
            return
        }
        state.triggered(time)
        if rt.hasInhibitors { setInhibiting(rt, state, p, level != .ok) }
        if rt.noRecoveries && level == .ok {
            explain?.pointee.suppressed = "noRecoveries: recovery not sent"
            return
        }
        let rule = rt.rule
        do throws(TemplateExecutionError) {
            let event = try makeEvent(rule, p.pointee, group: state.group, level: level, duration: state.duration)
            // The alert emits downstream whether or not its handlers are inhibited (Kapacitor's
            // handleEvent, then the augmented point).
            if let table = rule.httpOut { serve(event, in: table, state) }
            publish(event, rt, state, explain: explain, emit: emit)
        } catch {
            rt.stats.templateErrors += 1
            explain?.pointee.suppressed = "template error: \(error)"
            fail(rt, "template: \(error)")
        }
    }

    /// The alert's output for `httpOut`: the point (or batch) with the output properties.
    fileprivate func serve(_ event: AlertEvent, in table: HTTPOutTable, _ state: AlertState) {
        let slot = state.httpOutSlot ?? table.makeSlot()
        state.httpOutSlot = slot
        let emitted = event.emitted
        let head = event.batch == nil ? emitted[0]
            : event.output.apply(to: event.point, id: event.id, level: event.level, message: event.message, duration: event.duration)
        table.update(slot, head: head, points: emitted)
    }

    /// Kapacitor's alert on a batch (a window's top, bottom or distinct): every point's level
    /// is determined; the batch takes the highest (the lowest with `all`), at the time of its
    /// highest point (the batch's time for OK or `all`); the event carries the highest point's
    /// fields and the whole batch as its data.
    func alertBatch(_ rt: RuleRuntime, _ state: AlertState, _ batch: StepBatch,
                   explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        guard !batch.points.isEmpty else { return }
        let rule = rt.rule
        let current = state.currentLevel
        var lowest = AlertLevel.critical, highest = AlertLevel.ok
        var highestPoint: Point?
        for p in batch.points {
            let l = withUnsafePointer(to: p) { q in
                determineLevel(rt, q, state, current: current, explain: explain)
            }
            if l.rawValue < lowest.rawValue { lowest = l }
            if l.rawValue > highest.rawValue || highestPoint == nil {
                highest = l
                highestPoint = p
            }
        }
        let level = rule.all ? lowest : highest
        let time = rule.all || level == .ok ? batch.time : highestPoint!.time
        explain?.pointee.level = level
        state.addEvent(time, level, flapping: rule.flapping, stateChangesOnly: rule.stateChangesOnlyResend)
        let suppressed = (rule.flapping != nil && state.flapping) || (rule.stateChangesOnly && !state.changed && !state.expired)
        guard (state.changed && level == .ok) || (level != .ok && !suppressed) else {
            explain?.pointee.suppressed = "batch: level \(level) \(suppressed ? "suppressed" : "unchanged")"
            return
        }
        state.triggered(time)
        let point = Point(measurement: batch.name, tags: batch.tags, fields: Array(highestPoint!.fields), time: time)
        if !rule.inhibitors.isEmpty { withUnsafePointer(to: point) { setInhibiting(rt, state, $0, level != .ok) } }
        if rule.noRecoveries && level == .ok { return }
        do throws(TemplateExecutionError) {
            var event = try makeEvent(rule, point, group: state.group, level: level, duration: state.duration)
            event.batch = batch.points
            publish(event, rt, state, explain: explain, emit: emit)
        } catch {
            rt.stats.templateErrors += 1
            fail(rt, "template: \(error)")
        }
    }

    /// An event the alert decided to send: dropped if an inhibitor holds it, else counted, kept
    /// as the group's last event (group mode's changelog) and emitted.
    @inline(__always)
    private func publish(_ event: AlertEvent, _ rt: RuleRuntime, _ state: AlertState,
                         explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        if inhibited(rt, event, explain: explain) { return }
        rt.stats.events[event.level.rawValue] += 1
        explain?.pointee.event = true
        if tracksChanges { state.lastEvent = LastAlertEvent(event) }
        emit(event)
    }
}
