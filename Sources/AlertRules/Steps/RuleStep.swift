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

/// A step state that reads its input in place, for the hottest steps (windows): the chain hands it
/// the point's address instead of a copy, which saves the copy's reference counting. Internal, so
/// the pointer never reaches the public API: the address is valid during the call only (the chain
/// owns the point and does not touch it meanwhile).
protocol InPlaceStepGroupState: StepGroupState {
    /// As ``StepGroupState/process(_:_:)``, reading the point at `point`.
    func process(at point: UnsafePointer<Point>, _ output: inout StepOutput)
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

    /// Nothing emitted, nothing failed.
    public var isEmpty: Bool { points.isEmpty && errors.isEmpty && batches.isEmpty }

    public mutating func emit(_ p: Point) { points.append(p) }
    public mutating func fail(_ message: String) { errors.append(message) }
}

/// The chain of one group: each step's state, fed in order, as a linked list of nodes (the hot
/// path touches no array and copies no point: points go from step to step by pointer).
final class StepChain {
    // The state first: every point reads it (and `next`), the step only for messages.
    let state: any StepGroupState
    /// `state`, when it reads points in place (found once, when the chain is made).
    let inPlace: (any InPlaceStepGroupState)?
    let next: StepChain?
    let step: any RuleStep

    /// The chain of `steps` for one group, or nil for no steps.
    static func make(_ steps: [any RuleStep], groupTags: [Tag]) -> StepChain? {
        var chain: StepChain?
        for step in steps.reversed() { chain = StepChain(step: step, groupTags: groupTags, next: chain) }
        return chain
    }

    private init(step: any RuleStep, groupTags: [Tag], next: StepChain?) {
        self.step = step
        state = step.makeGroupState(groupTags: groupTags)
        inPlace = state as? any InPlaceStepGroupState
        self.next = next
    }

    /// Runs `point` through this step and those after it; `sink` receives what the last step
    /// emits (valid during the call), `fail` each error with the step's description. `outputs`:
    /// one empty ``StepOutput`` per step from this one on, reused for every point and group (the
    /// rule's, not the group's: a group costs no output buffers).
    @inline(__always)
    func run(_ point: UnsafePointer<Point>, _ outputs: UnsafeMutablePointer<StepOutput>, sink: (UnsafePointer<Point>) -> Void,
             batchSink: (StepBatch) -> Void, fail: (String) -> Void) {
        if let inPlace { inPlace.process(at: point, &outputs.pointee) } else { state.process(point.pointee, &outputs.pointee) }
        if outputs.pointee.isEmpty { return }
        deliver(outputs, sink: sink, batchSink: batchSink, fail: fail)
    }

    /// Hands on what this step emitted into `outputs` (errors, then points, then batches) and
    /// empties it, keeping its capacity. The engine is fed from one thread and nothing downstream
    /// feeds this rule again, so the step's output is not touched while its points are read in
    /// place.
    func deliver(_ outputs: UnsafeMutablePointer<StepOutput>, sink: (UnsafePointer<Point>) -> Void,
                         batchSink: (StepBatch) -> Void, fail: (String) -> Void) {
        if !outputs.pointee.errors.isEmpty {
            for e in outputs.pointee.errors { fail("\(step): \(e)") }
            outputs.pointee.errors.removeAll(keepingCapacity: true)
        }
        if !outputs.pointee.points.isEmpty {
            outputs.pointee.points.withUnsafeBufferPointer { points in
                for i in points.indices {
                    if let next { next.run(points.baseAddress! + i, outputs + 1, sink: sink, batchSink: batchSink, fail: fail) } else {
                        sink(points.baseAddress! + i)
                    }
                }
            }
            outputs.pointee.points.removeAll(keepingCapacity: true)
        }
        if !outputs.pointee.batches.isEmpty {
            for b in outputs.pointee.batches { batchSink(b) }
            outputs.pointee.batches.removeAll(keepingCapacity: true)
        }
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

/// A step state whose only memory is its expressions' stateful functions (`eval`, `where`): the
/// state file keeps those slots.
protocol FunctionSlotsState: StepGroupState {
    var functions: LambdaState? { get }
}

extension FunctionSlotsState {
    func record() -> StepStateRecord {
        var r = StepStateRecord()
        r.functions = functions?.record
        return r
    }

    func restore(from r: StepStateRecord) { functions?.restore(r.functions) }
}
