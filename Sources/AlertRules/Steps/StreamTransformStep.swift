import GoDuration
import LineProtocol

/// Kapacitor's InfluxQL stream transformations, per group, each point in turn: `difference`
/// (this value minus the previous), `cumulativeSum`, `movingAverage(n)` (mean of the last n,
/// nothing until n were seen; a float) and `elapsed(unit)` (time since the previous point in
/// units, an integer). Output: the one field `as`, the group's tags, the point's time — as
/// InfluxDB's reducers (the integer or float type of the field is kept, except as noted).
public struct StreamTransformStep: RuleStep {
    public enum Function: Sendable, Equatable {
        case difference
        case cumulativeSum
        case movingAverage(Int)
        case elapsed(unit: Int64)

        public var name: String {
            switch self {
            case .difference: return "difference"
            case .cumulativeSum: return "cumulativeSum"
            case .movingAverage: return "movingAverage"
            case .elapsed: return "elapsed"
            }
        }
    }

    public var function: Function
    public var field: String
    public var outputName: String

    public init(_ function: Function, field: String, as outputName: String? = nil) {
        self.function = function
        self.field = field
        self.outputName = outputName ?? function.name
    }

    public var description: String {
        switch function {
        case .movingAverage(let n): return "movingAverage(\"\(field)\", \(n)).as(\"\(outputName)\")"
        case .elapsed(let unit): return "elapsed(\"\(field)\", \(GoDuration(nanoseconds: unit))).as(\"\(outputName)\")"
        default: return "\(function.name)(\"\(field)\").as(\"\(outputName)\")"
        }
    }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(step: self, groupTags: groupTags) }

    final class State: StepGroupState {
        let step: StreamTransformStep
        let groupTags: [Tag]
        /// The field's type, fixed by the first point that has the field (as the reducer is).
        var kind: FieldValue?
        var previous: (value: FieldValue, time: Int64)?
        var intSum: Int64 = 0
        var floatSum = 0.0
        var ring: [Double] = []
        var position = 0

        init(step: StreamTransformStep, groupTags: [Tag]) {
            self.step = step
            self.groupTags = groupTags
        }

        var bufferedPoints: Int { ring.count }

        func record() -> StepStateRecord {
            var r = StepStateRecord()
            r.values = kind.map { [StepStateRecord.Value($0)] }
            r.previousValue = previous.map { StepStateRecord.Value($0.value) }
            r.previousTime = previous?.time
            r.intSum = intSum
            r.floatSum = floatSum
            r.ring = ring
            r.position = position
            return r
        }

        func restore(from r: StepStateRecord) {
            kind = r.values?.first?.fieldValue
            if let t = r.previousTime, let v = r.previousValue?.fieldValue { previous = (v, t) }
            intSum = r.intSum ?? 0
            floatSum = r.floatSum ?? 0
            if case .movingAverage(let n) = step.function, let ring = r.ring, ring.count <= n {
                self.ring = ring
                position = min(max(r.position ?? 0, 0), max(n - 1, 0))
            }
        }

        func process(_ point: Point, _ output: inout StepOutput) {
            guard let v = point.field(step.field) else {
                output.fail("field \"\(step.field)\" missing from point")
                return
            }
            if case .elapsed = step.function {} else {
                guard v.isNumber else {
                    output.fail("invalid influxql func \(step.function.name) with field \(step.field): unsupported type \(v.typeName)")
                    return
                }
            }
            if let k = kind, !WindowedAggregateState.sameType(k, v) {
                output.fail("field \(step.field) has wrong type: got \(v.typeName) exp \(k.typeName)")
                return
            }
            kind = v
            let out: FieldValue?
            switch step.function {
            case .difference:
                defer { previous = (v, point.time) }
                guard let prev = previous else { return }
                if case .integer(let a) = v, case .integer(let b) = prev.value { out = .integer(a &- b) } else {
                    out = .float(AggregateFunction.float(v) - AggregateFunction.float(prev.value))
                }
            case .cumulativeSum:
                if case .integer(let i) = v {
                    intSum &+= i
                    out = .integer(intSum)
                } else {
                    floatSum += AggregateFunction.float(v)
                    out = .float(floatSum)
                }
            case .movingAverage(let n):
                let x = AggregateFunction.float(v)
                if ring.count < n {
                    ring.append(x)
                } else {
                    floatSum -= ring[position]
                    ring[position] = x
                }
                floatSum += x
                position = (position + 1) % n
                out = ring.count == n ? .float(floatSum / Double(n)) : nil
            case .elapsed(let unit):
                defer { previous = (v, point.time) }
                guard let prev = previous else { return }
                out = .integer((point.time &- prev.time) / unit)
            }
            if let out {
                output.emit(StreamValue.transformed(point, groupTags: groupTags, field: Field(key: step.outputName, value: out)))
            }
        }
    }
}

extension FieldValue {
    var isNumber: Bool {
        switch self {
        case .float, .integer: return true
        default: return false
        }
    }
}
