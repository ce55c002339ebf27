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
}

extension StepGroupState {
    public var bufferedPoints: Int { 0 }
}

/// What a step emitted for one input point, and why it dropped it if it did.
public struct StepOutput {
    /// Points for the next step, in order.
    public var points: [Point] = []
    /// Errors (a missing field, a type mismatch): the point is dropped, as Kapacitor drops it.
    public var errors: [String] = []

    public init() {}

    public mutating func emit(_ p: Point) { points.append(p) }
    public mutating func fail(_ message: String) { errors.append(message) }
}

/// The chain of one group: each step's state, fed in order.
final class StepChain {
    let states: [any StepGroupState]

    init(_ steps: [any RuleStep], groupTags: [Tag]) {
        states = steps.map { $0.makeGroupState(groupTags: groupTags) }
    }

    /// Runs `point` through every step; `sink` receives what the last step emits, `fail` each
    /// error with the step's description.
    func run(_ point: Point, steps: [any RuleStep], sink: (Point) -> Void, fail: (String) -> Void) {
        run(point, from: 0, steps: steps, sink: sink, fail: fail)
    }

    private func run(_ point: Point, from index: Int, steps: [any RuleStep], sink: (Point) -> Void, fail: (String) -> Void) {
        guard index < states.count else {
            sink(point)
            return
        }
        var out = StepOutput()
        states[index].process(point, &out)
        for e in out.errors { fail("\(steps[index]): \(e)") }
        for p in out.points { run(p, from: index + 1, steps: steps, sink: sink, fail: fail) }
    }

    var bufferedPoints: Int { states.reduce(0) { $0 + $1.bufferedPoints } }
}
