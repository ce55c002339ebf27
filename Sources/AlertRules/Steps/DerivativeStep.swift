import GoDuration
import LineProtocol

/// Kapacitor's `derivative(field)`: the rate of change between each point and the previous one of
/// its group, per `unit` (default 1s), as a float field `as` (default: the field itself, replaced
/// by its rate, as in Kapacitor) set on the point; `nonNegative` drops negative changes (counter resets). The first point only primes it.
public struct DerivativeStep: RuleStep {
    public var field: String
    public var unit: Int64
    public var nonNegative: Bool
    public var outputName: String

    public init(field: String, unit: Int64 = GoDuration.second.nanoseconds, nonNegative: Bool = false, as outputName: String? = nil) {
        self.field = field
        self.unit = unit
        self.nonNegative = nonNegative
        self.outputName = outputName ?? field
    }

    public var description: String {
        "derivative(\"\(field)\").unit(\(GoDuration(nanoseconds: unit)))\(nonNegative ? ".nonNegative()" : "").as(\"\(outputName)\")"
    }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(step: self) }

    final class State: StepGroupState {
        let step: DerivativeStep
        var previous: (value: Double, time: Int64)?
        init(step: DerivativeStep) { self.step = step }

        func record() -> StepStateRecord {
            var r = StepStateRecord()
            r.previousValue = previous.map { .init(.float($0.value)) }
            r.previousTime = previous?.time
            return r
        }

        func restore(from r: StepStateRecord) {
            if let t = r.previousTime, let v = r.previousValue?.f { previous = (v, t) }
        }

        func process(_ point: Point, _ output: inout StepOutput) {
            guard let current = StreamValue.number(point.field(step.field)) else {
                output.fail("cannot perform derivative: field \"\(step.field)\" is \(StreamValue.describe(point.field(step.field)))")
                return
            }
            defer { previous = (current, point.time) }
            guard let prev = previous else { return }
            let elapsed = Double(point.time &- prev.time)
            if elapsed == 0 {
                output.fail("cannot perform derivative: elapsed time was 0")
                return
            }
            let diff = current - prev.value
            if step.nonNegative && diff < 0 { return }
            output.emit(StreamValue.adding(Field(key: step.outputName, value: .float(diff / (elapsed / Double(step.unit)))), to: point))
        }
    }
}
