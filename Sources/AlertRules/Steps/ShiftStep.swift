import GoDuration
import LineProtocol

/// Kapacitor's `shift(duration)`: moves each point's time by the (possibly negative) duration.
public struct ShiftStep: RuleStep {
    public var shift: Int64

    public init(shift: Int64) { self.shift = shift }

    public var description: String { "shift(\(GoDuration(nanoseconds: shift)))" }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(shift: shift) }

    final class State: StepGroupState {
        let shift: Int64
        init(shift: Int64) { self.shift = shift }

        func process(_ point: Point, _ output: inout StepOutput) {
            var p = point
            p.time = point.time &+ shift
            output.emit(p)
        }
    }
}
