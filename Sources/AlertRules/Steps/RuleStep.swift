import LineProtocol

/// One step of a rule's chain between `from` (measurement, `where`, `groupBy`) and `alert`: a
/// Kapacitor stream node such as `window` + `mean`, `derivative` or `eval`. A step is the same for
/// every group; ``makeGroupState()`` gives each group its own running state.
///
/// A new step kind is a new file that conforms to this protocol and one entry in
/// ``RuleLoader``'s step table.
public protocol RuleStep: Sendable, CustomStringConvertible {
    /// A fresh state for one group (`groupTags`: the group's dimension tags, as Kapacitor's
    /// `GroupInfo.Tags`).
    func makeGroupState(groupTags: [Tag]) -> any StepGroupState
}

/// A step's state for one group: takes the group's points in arrival order and emits zero or more
/// points to the next step (or to `alert`).
public protocol StepGroupState: AnyObject {
    /// Processes `point`; `output` receives what the step emits and the errors it reports.
    func process(_ point: Point, _ output: inout StepOutput)
    /// Points this state holds (window buffers), for memory accounting.
    var bufferedPoints: Int { get }
    /// The state as the state file keeps it.
    func record() -> StepStateRecord
    /// Takes the state back from a record this step kind made.
    func restore(from record: StepStateRecord)
}

extension StepGroupState {
    public var bufferedPoints: Int { 0 }
    public func record() -> StepStateRecord { StepStateRecord() }
    public func restore(from record: StepStateRecord) {}
}

/// Several points a step emits as one (a window's top, bottom or distinct values): Kapacitor's
/// batch, which the alert judges as a whole.
public struct StepBatch: Sendable {
    /// The measurement.
    public var name: String
    /// The group's tags.
    public var tags: [Tag]
    /// The batch's time (the window's).
    public var time: Int64
    public var points: [Point]
}

/// What a step emitted for one input point, and why it dropped it if it did.
public struct StepOutput {
    /// Points for the next step, in order.
    public var points: [Point] = []
    /// Batches for the alert (only the last step emits them).
    public var batches: [StepBatch] = []
    /// Errors (a missing field, a type mismatch): the point is dropped, as Kapacitor drops it.
    public var errors: [String] = []

    public init() {}

    public mutating func emit(_ p: Point) { points.append(p) }
    public mutating func fail(_ message: String) { errors.append(message) }
}

/// The chain of one group: each step's state, fed in order, as a linked list of nodes (the hot
/// path touches no array and no existential copy).
final class StepChain {
    let step: any RuleStep
    let state: any StepGroupState
    /// What the step emitted for the current point, reused for every point.
    @exclusivity(unchecked) private var output = StepOutput()
    let next: StepChain?

    /// The chain of `steps` for one group, or nil for no steps.
    static func make(_ steps: [any RuleStep], groupTags: [Tag]) -> StepChain? {
        var chain: StepChain?
        for step in steps.reversed() { chain = StepChain(step: step, groupTags: groupTags, next: chain) }
        return chain
    }

    private init(step: any RuleStep, groupTags: [Tag], next: StepChain?) {
        self.step = step
        state = step.makeGroupState(groupTags: groupTags)
        self.next = next
    }

    /// Runs `point` through this step and those after it; `sink` receives what the last step
    /// emits, `fail` each error with the step's description.
    func run(_ point: Point, sink: (Point) -> Void, batchSink: (StepBatch) -> Void, fail: (String) -> Void) {
        state.process(point, &output)
        if output.points.isEmpty && output.errors.isEmpty && output.batches.isEmpty { return }
        let out = output
        output = StepOutput()
        for e in out.errors { fail("\(step): \(e)") }
        for p in out.points {
            if let next { next.run(p, sink: sink, batchSink: batchSink, fail: fail) } else { sink(p) }
        }
        for b in out.batches { batchSink(b) }
    }

    var bufferedPoints: Int { state.bufferedPoints + (next?.bufferedPoints ?? 0) }

    /// Every step's state, in order.
    var records: [StepStateRecord] { [state.record()] + (next?.records ?? []) }

    /// Restores every step's state from `records` (as `records` gave them).
    func restore(_ records: ArraySlice<StepStateRecord>) {
        guard let first = records.first else { return }
        state.restore(from: first)
        next?.restore(records.dropFirst())
    }
}
