import LineProtocol

/// Kapacitor's `eval(lambda, ...).as(name, ...)`: each expression's result is stored under its
/// name, in order, so a later expression can read an earlier result. `.keep()` keeps the point's
/// fields beside the results (or only the listed names); `.tags(name, ...)` turns string results
/// into tags. Stateful functions keep their state per group. An error drops the point (logged
/// unless `quiet`).
public struct EvalStep: RuleStep {
    public var expressions: [LambdaExpression]
    public var names: [String]
    /// nil: no `.keep()`; empty: keep every field; else keep just these.
    public var keep: [String]?
    public var tags: Set<String>
    public var quiet: Bool
    /// Stateful-function slots the expressions need per group.
    public var functionSlots: Int

    public init(expressions: [LambdaExpression], names: [String], keep: [String]? = nil, tags: Set<String> = [], quiet: Bool = false, functionSlots: Int = 0) {
        self.expressions = expressions
        self.names = names
        self.keep = keep
        self.tags = tags
        self.quiet = quiet
        self.functionSlots = functionSlots
    }

    public var description: String {
        var s = "eval(" + expressions.map { "lambda: \($0)" }.joined(separator: ", ") + ").as(" + names.map { "'\($0)'" }.joined(separator: ", ") + ")"
        if let keep { s += ".keep(" + keep.map { "'\($0)'" }.joined(separator: ", ") + ")" }
        if !tags.isEmpty { s += ".tags(" + tags.sorted().map { "'\($0)'" }.joined(separator: ", ") + ")" }
        return s
    }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(step: self) }

    /// A lambda result as a field value (times and durations are not field types).
    static func fieldValue(_ v: LambdaValue, name: String) throws(LambdaError) -> FieldValue {
        switch v {
        case .float(let d): return .float(d)
        case .int(let i): return .integer(i)
        case .string(let s): return .string(s)
        case .bool(let b): return .boolean(b)
        case .missing(let r): throw LambdaError("reference \"\(r)\" is missing value")
        case let other: throw LambdaError("\(name): a \(other.type.goTypeName) cannot be a field value")
        }
    }

    final class State: FunctionSlotsState {
        let step: EvalStep
        let functions: LambdaState?
        init(step: EvalStep) {
            self.step = step
            functions = LambdaState.forSlots(step.functionSlots)
        }

        func process(_ point: Point, _ output: inout StepOutput) {
            do throws(LambdaError) {
                var scope = point
                var results: [Field] = []
                for (e, name) in zip(step.expressions, step.names) {
                    let value = try EvalStep.fieldValue(try e.evaluate(LambdaContext(point: scope, state: functions)), name: name)
                    results.append(Field(key: name, value: value))
                    scope = StreamValue.adding(Field(key: name, value: value), to: scope)
                }
                var tags = Array(point.tags)
                for r in results where step.tags.contains(r.key) {
                    guard case .string(let s) = r.value else {
                        throw LambdaError("result of a tag expression must be of type string, got \(r.value.typeName)")
                    }
                    if let i = tags.firstIndex(where: { $0.key == r.key }) { tags[i].value = s } else { tags.append(Tag(key: r.key, value: s)) }
                }
                tags.sort { $0.key < $1.key }
                var fields: [Field]
                switch step.keep {
                case nil:
                    fields = results.filter { !step.tags.contains($0.key) }
                case let list? where list.isEmpty:
                    fields = Array(scope.fields)
                case let list?:
                    fields = []
                    for name in list {
                        guard let v = scope.field(name) else { throw LambdaError("cannot keep field \"\(name)\", field does not exist") }
                        fields.append(Field(key: name, value: v))
                    }
                }
                output.emit(Point(measurement: point.measurement, tags: tags, fields: fields, time: point.time))
            } catch {
                if !step.quiet { output.fail("error evaluating expression: \(error.message)") }
            }
        }
    }
}
