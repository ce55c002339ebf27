import GoDuration
import GoTemplate
import LineProtocol

/// `window()` followed by an InfluxQL aggregate or selector: Kapacitor's window node, which per
/// group buffers points and emits the window when a point at or past the next emission time
/// arrives, and its InfluxQL node, which reduces each emitted window to one point.
///
/// Emission (Kapacitor's `windowByTime`, on point time): with `every` > 0 the window emitted at
/// `t` holds the points of [t − period, t), and the next emission is the arriving point's time +
/// every (aligned: truncated to a multiple of every); with `every` = 0 every point emits the
/// window (point time − period, point time]. The output point carries the window's time (or the
/// selected point's with `usePointTimes`), the group's tags, and the field `as`.
public struct WindowedAggregateStep: RuleStep {
    public var window: WindowSpec
    public var function: AggregateFunction
    /// The field read.
    public var field: String
    /// The output field (default: the function's name).
    public var outputName: String
    /// Selectors: the chosen point's time instead of the window's.
    public var usePointTimes: Bool

    public init(window: WindowSpec, function: AggregateFunction, field: String, as outputName: String? = nil, usePointTimes: Bool = false) {
        self.window = window
        self.function = function
        self.field = field
        self.outputName = outputName ?? function.name
        self.usePointTimes = usePointTimes
    }

    public var description: String {
        var args = "\"\(field)\""
        if case .percentile(let p) = function { args += ", \(GoJSON.plainFloat(p))" }
        if case .top(let n, let extra) = function { args = "\(n), " + args + extra.map { ", '\($0)'" }.joined() }
        if case .bottom(let n, let extra) = function { args = "\(n), " + args + extra.map { ", '\($0)'" }.joined() }
        return "\(window) | \(function.name)(\(args)).as(\"\(outputName)\")"
    }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState {
        WindowedAggregateState(step: self, groupTags: groupTags)
    }
}

/// One group's window: the field's values and times in arrival order (whole points only for
/// selectors, which emit one of them).
final class WindowedAggregateState: InPlaceStepGroupState {
    /// count, sum and mean: reduced straight from the entries when they are all floats or all
    /// integers (the usual window), without making a sample per point.
    enum Running { case count, sum, mean }

    // What every point reads comes first (the object's first cache line): the buffer, and the
    // step's settings, taken out of `step` once (reading them through it would copy the
    // function, an enum with array payloads, on every point).
    // One thread owns the engine and its groups: no dynamic exclusivity checks on the hot path.
    /// The window's field values and times (a string value is kept in `strings`, the entry's
    /// bits numbering it).
    @exclusivity(unchecked) private var entries = WindowEntries()
    @exclusivity(unchecked) private var nextEmit: Int64?
    private let align: Bool
    private let keepsPoints: Bool
    private let running: Running?
    private let every: Int64
    private let maxPoints: Int
    /// The field read.
    private let field: String
    private let period: Int64
    let step: WindowedAggregateStep
    let groupTags: [Tag]
    @exclusivity(unchecked) private var points: [Point] = []
    @exclusivity(unchecked) private var name = ""
    /// String values by their entry's number (strings are rare in windows: count, first, last, distinct).
    @exclusivity(unchecked) private var strings: [UInt64: String] = [:]
    @exclusivity(unchecked) private var nextString: UInt64 = 0

    private func append(_ time: Int64, _ v: FieldValue) {
        switch v {
        case .float(let d): entries.append(time: time, bits: d.bitPattern, kind: 1)
        case .integer(let i): entries.append(time: time, bits: UInt64(bitPattern: i), kind: 2)
        case .unsigned(let u): entries.append(time: time, bits: u, kind: 3)
        case .boolean(let b): entries.append(time: time, bits: b ? 1 : 0, kind: 4)
        case .string(let str):
            nextString &+= 1
            strings[nextString] = str
            entries.append(time: time, bits: nextString, kind: 5)
        }
    }

    /// The value of entry `i` of the buffer.
    private func value(_ i: Int) -> FieldValue {
        let bits = entries.bits(i)
        switch entries.kind(i) {
        case 1: return .float(Double(bitPattern: bits))
        case 2: return .integer(Int64(bitPattern: bits))
        case 3: return .unsigned(bits)
        case 4: return .boolean(bits != 0)
        default: return .string(strings[bits] ?? "")
        }
    }

    init(step: WindowedAggregateStep, groupTags: [Tag]) {
        self.step = step
        self.groupTags = groupTags
        period = step.window.period
        every = step.window.every
        maxPoints = step.window.maxPoints
        field = step.field
        align = step.window.align
        keepsPoints = step.function.keepsPoints
        switch step.function {
        case .count: running = .count
        case .sum: running = .sum
        case .mean: running = .mean
        default: running = nil
        }
    }

    var bufferedPoints: Int { entries.windowCount }

    func process(_ point: Point, _ output: inout StepOutput) {
        withUnsafePointer(to: point) { process(at: $0, &output) }
    }

    func process(at point: UnsafePointer<Point>, _ output: inout StepOutput) {
        let t = point.pointee.time
        guard let due = nextEmit else {
            nextEmit = step.window.firstEmit(after: t)
            name = point.pointee.measurement
            return process(at: point, &output)
        }
        if every == 0 {
            insert(point, &output)
            if t >= due {
                purge(before: t &- period, inclusive: false)
                emit(at: t, &output)
                nextEmit = t
            }
        } else {
            if t >= due {
                purge(before: due &- period, inclusive: true)
                emit(at: due, &output)
                var next = t &+ every
                if align { next = WindowSpec.truncate(next, every) }
                nextEmit = next
            }
            insert(point, &output)
        }
    }

    private func insert(_ point: UnsafePointer<Point>, _ output: inout StepOutput) {
        guard let v = point.pointee.field(field) else {
            output.fail("field \"\(step.field)\" missing from point, cannot aggregate")
            return
        }
        guard bufferedPoints < maxPoints else {
            output.fail("the window already holds \(maxPoints) points of this group; point dropped")
            return
        }
        let dropped = entries.reclaim()
        if keepsPoints && dropped > 0 { points.removeFirst(dropped) }
        append(point.pointee.time, v)
        if keepsPoints { points.append(point.pointee) }
    }

    /// `running`'s value over the window when every entry is a float or every one an integer
    /// (as ``AggregateFunction/reduce(_:)`` gives it: summed in order, integers as integers);
    /// nil otherwise, left to the general path, which also reports type errors.
    private func reduceInPlace(_ running: Running) -> FieldValue? {
        let kind = entries.sharedKind
        guard kind == 1 || kind == 2 else { return nil }
        return entries.withWindow { e -> FieldValue in
            let n = Double(e.count)
            if kind == 1 {
                var sum = 0.0
                for x in e { sum += Double(bitPattern: x.bits) }
                switch running {
                case .count: return .integer(Int64(e.count))
                case .sum: return .float(sum)
                case .mean: return .float(sum / n)
                }
            }
            var sum: Int64 = 0
            for x in e { sum &+= Int64(bitPattern: x.bits) }
            switch running {
            case .count: return .integer(Int64(e.count))
            case .sum: return .integer(sum)
            case .mean: return .float(Double(sum) / n)
            }
        }
    }

    /// Drops points from the front while they are older than `oldest` (Kapacitor's purge: the
    /// buffer is in arrival order, so a late point behind a newer one stays until it is first).
    private func purge(before oldest: Int64, inclusive: Bool) {
        while entries.windowCount > 0 {
            let first = entries.start
            let keep = inclusive ? entries.time(first) >= oldest : entries.time(first) > oldest
            if keep { break }
            if entries.kind(first) == 5 { strings[entries.bits(first)] = nil }
            entries.dropFirst()
        }
    }

    private func emit(at batchTime: Int64, _ output: inout StepOutput) {
        if let running, let value = reduceInPlace(running) {
            output.emit(Point(measurement: name, tags: groupTags, fields: [Field(key: step.outputName, value: value)], time: batchTime))
            return
        }
        let f = step.function
        var samples: [AggregateFunction.Sample] = []
        samples.reserveCapacity(bufferedPoints)
        var kind: FieldValue?
        for i in entries.start..<entries.count {
            let v = value(i)
            if kind == nil {
                guard f.accepts(v) else {
                    output.fail("invalid influxql func \(f.name) with field \(step.field): unsupported type \(v.typeName)")
                    continue
                }
                kind = v
            } else if !Self.sameType(v, kind!) {
                output.fail("field \(step.field) has wrong type: got \(v.typeName) exp \(kind!.typeName)")
                continue
            }
            samples.append(.init(value: v, time: entries.time(i), index: i))
        }
        if samples.isEmpty && !f.emitsOnEmptyWindow { return }
        if f.isBatch {
            emitBatch(samples, at: batchTime, &output)
            return
        }
        guard let (value, selected) = f.reduce(samples) else { return }
        if let selected, f.isSelector {
            let chosen = points[selected]
            var fields: [Field] = []
            for field in chosen.fields {
                fields.append(field.key == step.field ? Field(key: step.outputName, value: field.value) : field)
            }
            output.emit(Point(measurement: chosen.measurement, tags: Array(chosen.tags), fields: fields,
                              time: step.usePointTimes ? chosen.time : batchTime))
        } else {
            output.emit(Point(measurement: name, tags: groupTags, fields: [Field(key: step.outputName, value: value)], time: batchTime))
        }
    }

    func record() -> StepStateRecord {
        var r = StepStateRecord()
        let window = entries.start..<entries.count
        r.times = window.map { entries.time($0) }
        r.values = window.map { StepStateRecord.Value(value($0)) }
        if keepsPoints { r.points = points[window].map(StepStateRecord.SavedPoint.init) }
        r.nextEmit = nextEmit
        r.name = name
        return r
    }

    func restore(from r: StepStateRecord) {
        guard let times = r.times, let values = r.values, times.count == values.count else { return }
        let decoded = values.compactMap(\.fieldValue)
        guard decoded.count == times.count else { return }
        if keepsPoints {
            let saved = (r.points ?? []).compactMap(\.point)
            guard saved.count == times.count else { return }
            points = saved
        }
        strings = [:]
        entries.removeAll()
        for (t, v) in zip(times, decoded) { append(t, v) }
        nextEmit = r.nextEmit
        name = r.name ?? ""
    }

    /// distinct, top or bottom: the kept values as a batch, each point with the field `as` at the
    /// window's time (its own with `usePointTimes`); top and bottom carry each point's tags.
    private func emitBatch(_ samples: [AggregateFunction.Sample], at batchTime: Int64, _ output: inout StepOutput) {
        let f = step.function
        var keyNames: [String] = []
        if case .top(_, let names) = f { keyNames = names }
        if case .bottom(_, let names) = f { keyNames = names }
        let kept = f.select(samples) { s in
            let p = points[s.index]
            return keyNames.map { name in p.field(name).map { "\($0)" } ?? p.tag(name) ?? "" }.joined(separator: ",")
        }
        guard !kept.isEmpty else { return }
        var batch = StepBatch(name: name, tags: groupTags, time: batchTime, points: [])
        for s in kept {
            var tags = groupTags
            if f.isTopOrBottom {
                for t in points[s.index].tags where !tags.contains(where: { $0.key == t.key }) { tags.append(t) }
                tags.sort { $0.key < $1.key }
            }
            let time = step.usePointTimes ? s.time : batchTime
            batch.points.append(Point(measurement: name, tags: tags, fields: [Field(key: step.outputName, value: s.value)], time: time))
            if time > batch.time { batch.time = time }
        }
        output.batches.append(batch)
    }

    static func sameType(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case (.float, .float), (.integer, .integer), (.unsigned, .unsigned), (.string, .string), (.boolean, .boolean): return true
        default: return false
        }
    }
}
