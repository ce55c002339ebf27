import LineProtocol

/// Kapacitor's `where(lambda)` node inside a chain: only points for which the lambda is true go
/// on (stateful functions keep one state per group).
public struct WhereStep: RuleStep {
    public var condition: LambdaExpression
    public var functionSlots: Int

    public init(condition: LambdaExpression, functionSlots: Int = 0) {
        self.condition = condition
        self.functionSlots = functionSlots
    }

    public var description: String { "where(lambda: \(condition))" }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(step: self) }

    final class State: FunctionSlotsState {
        let step: WhereStep
        let functions: LambdaState?

        init(step: WhereStep) {
            self.step = step
            functions = LambdaState.forSlots(step.functionSlots)
        }

        func process(_ point: Point, _ output: inout StepOutput) {
            do throws(LambdaError) {
                if try step.condition.evaluateBool(LambdaContext(point: point, state: functions)) { output.emit(point) }
            } catch {
                output.fail(error.message)
            }
        }
    }
}
