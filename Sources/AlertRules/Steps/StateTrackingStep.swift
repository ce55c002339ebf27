import GoDuration
import LineProtocol

/// Kapacitor's `stateDuration(lambda)` and `stateCount(lambda)`: while the condition holds, how
/// long it has (a float in `unit`, default 1s, from the first point it held) or how many points in
/// a row (an integer); -1 when it does not hold. Added to the point as `as` (`state_duration`,
/// `state_count`).
public struct StateTrackingStep: RuleStep {
    public enum Kind: Sendable, Equatable {
        case duration(unit: Int64)
        case count
    }

    public var kind: Kind
    public var condition: LambdaExpression
    public var outputName: String
    public var functionSlots: Int

    public init(_ kind: Kind, condition: LambdaExpression, as outputName: String? = nil, functionSlots: Int = 0) {
        self.kind = kind
        self.condition = condition
        self.outputName = outputName ?? (kind == .count ? "state_count" : "state_duration")
        self.functionSlots = functionSlots
    }

    public var description: String {
        switch kind {
        case .duration(let unit): return "stateDuration(lambda: \(condition)).unit(\(GoDuration(nanoseconds: unit))).as('\(outputName)')"
        case .count: return "stateCount(lambda: \(condition)).as('\(outputName)')"
        }
    }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(step: self) }

    final class State: StepGroupState {
        let step: StateTrackingStep
        let functions: LambdaState?
        var start: Int64?
        var count: Int64 = 0

        init(step: StateTrackingStep) {
            self.step = step
            functions = LambdaState.forSlots(step.functionSlots)
        }

        func record() -> StepStateRecord {
            var r = StepStateRecord()
            r.start = start
            r.count = count
            r.functions = functions?.record
            return r
        }

        func restore(from r: StepStateRecord) {
            start = r.start
            count = r.count ?? 0
            functions?.restore(r.functions)
        }

        func process(_ point: Point, _ output: inout StepOutput) {
            let holds: Bool
            do throws(LambdaError) {
                holds = try step.condition.evaluateBool(LambdaContext(point: point, state: functions))
            } catch {
                output.fail(error.message)
                return
            }
            let value: FieldValue
            switch step.kind {
            case .duration(let unit):
                if !holds {
                    start = nil
                    value = .float(-1)
                } else {
                    if start == nil { start = point.time }
                    value = .float(Double(point.time &- start!) / Double(unit))
                }
            case .count:
                if !holds {
                    count = 0
                    value = .integer(-1)
                } else {
                    count += 1
                    value = .integer(count)
                }
            }
            output.emit(StreamValue.adding(Field(key: step.outputName, value: value), to: point))
        }
    }
}
