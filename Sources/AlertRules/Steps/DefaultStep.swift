import LineProtocol

/// Kapacitor's `default()`: `.field(name, value)` and `.tag(name, value)` set what a point lacks.
public struct DefaultStep: RuleStep {
    public var fields: [Field]
    public var tags: [Tag]

    public init(fields: [Field], tags: [Tag]) {
        self.fields = fields
        self.tags = tags
    }

    public var description: String {
        "default()" + fields.map { ".field('\($0.key)', \($0.value))" }.joined() + tags.map { ".tag('\($0.key)', '\($0.value)')" }.joined()
    }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(step: self) }

    final class State: StepGroupState {
        let step: DefaultStep
        init(step: DefaultStep) { self.step = step }

        func process(_ point: Point, _ output: inout StepOutput) {
            let missingFields = step.fields.filter { point.field($0.key) == nil }
            let missingTags = step.tags.filter { point.tag($0.key) == nil }
            if missingFields.isEmpty && missingTags.isEmpty {
                output.emit(point)
                return
            }
            let tags = (Array(point.tags) + missingTags).sorted { $0.key < $1.key }
            output.emit(Point(measurement: point.measurement, tags: tags, fields: Array(point.fields) + missingFields, time: point.time))
        }
    }
}
