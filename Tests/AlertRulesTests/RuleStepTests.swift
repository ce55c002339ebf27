import Foundation
import LineProtocol
import Testing
@testable import AlertRules

typealias Tag = LineProtocol.Tag

/// Each step on its own: Kapacitor's emission times, InfluxQL's types, what is dropped and why.
@Suite struct RuleStepTests {
    static let s: Int64 = 1_000_000_000

    static func p(_ seconds: Int64, _ fields: [(String, FieldValue)], tags: [(String, String)] = [("host", "a")]) -> Point {
        Point(measurement: "cpu", tags: tags.map { Tag(key: $0.0, value: $0.1) }, fields: fields.map { Field(key: $0.0, value: $0.1) }, time: seconds * s)
    }

    /// Runs `points` through one group's state of `step`; returns what it emitted and the errors.
    static func run(_ step: any RuleStep, _ points: [Point], groupTags: [Tag] = [Tag(key: "host", value: "a")]) -> (points: [Point], errors: [String]) {
        let state = step.makeGroupState(groupTags: groupTags)
        var out: [Point] = [], errors: [String] = []
        for point in points {
            var o = StepOutput()
            state.process(point, &o)
            out += o.points
            errors += o.errors
        }
        return (out, errors)
    }

    static func window(_ period: Int64, every: Int64? = nil, align: Bool = false, fill: Bool = false, _ f: AggregateFunction, field: String = "v") -> WindowedAggregateStep {
        WindowedAggregateStep(window: WindowSpec(period: period * s, every: every.map { $0 * s }, align: align, fillPeriod: fill), function: f, field: field)
    }

    @Test func aWindowEmitsWhenAPointReachesItsEndAndHoldsThePeriodBeforeIt() {
        // First point at 0: next emission at 10; the point at 10 emits [0, 10) and starts the next window.
        let r = Self.run(Self.window(10, .count), (0..<25).map { Self.p(Int64($0), [("v", .float(1))]) })
        #expect(r.points.map(\.time) == [10 * Self.s, 20 * Self.s])
        #expect(r.points.map { $0.field("count") } == [.integer(10), .integer(10)])
        #expect(r.points[0].tags == [Tag(key: "host", value: "a")] && r.points[0].fields.count == 1)
    }

    @Test func theNextEmissionFollowsTheArrivingPointNotTheLastEmission() {
        // A gap: the point at 35 emits the window ending at 10, and the next is due at 45.
        let r = Self.run(Self.window(10, .count), [0, 5, 35, 40, 45].map { Self.p($0, [("v", .float(1))]) })
        #expect(r.points.map { $0.time / Self.s } == [10, 45])
        #expect(r.points.map { $0.field("count") } == [.integer(2), .integer(2)])
    }

    @Test func alignAndFillPeriod() {
        let aligned = Self.run(Self.window(10, align: true, .count), [3, 7, 10, 12, 20].map { Self.p($0, [("v", .float(1))]) })
        #expect(aligned.points.map { $0.time / Self.s } == [10, 20])
        #expect(aligned.points.map { $0.field("count") } == [.integer(2), .integer(2)])
        // fillPeriod: nothing before a whole period has passed (every 5s, period 10s).
        let filled = Self.run(Self.window(10, every: 5, fill: true, .count), (0...20).map { Self.p(Int64($0), [("v", .float(1))]) })
        #expect(filled.points.map { $0.time / Self.s } == [10, 15, 20])
        #expect(filled.points.map { $0.field("count") } == [.integer(10), .integer(10), .integer(10)])
    }

    @Test func everyZeroEmitsOnEveryPointWithTheTrailingPeriod() {
        let r = Self.run(Self.window(10, every: 0, .sum), [0, 4, 9, 10, 15].map { Self.p($0, [("v", .integer(1))]) })
        #expect(r.points.map { $0.field("sum") } == [1, 2, 3, 3, 3].map { FieldValue.integer($0) })
        #expect(r.points.map { $0.time / Self.s } == [0, 4, 9, 10, 15])
    }

    /// count and sum give 0 for an empty window (Kapacitor's IsEmptyOK); the others nothing.
    @Test func emptyWindows() {
        let pts = [Self.p(0, [("v", .float(1))]), Self.p(25, [("v", .float(1))])]
        // The point at 25 emits the window [0, 10) holding the first point; the window that would
        // end at 20 was never due (no point arrived in it), as in Kapacitor.
        #expect(Self.run(Self.window(10, .count), pts).points.map { $0.field("count") } == [.integer(1)])
        let empty = [Self.p(0, [("x", .float(1))]), Self.p(10, [("x", .float(1))])]
        #expect(Self.run(Self.window(10, .count), empty).points.map { $0.field("count") } == [.integer(0)])
        #expect(Self.run(Self.window(10, .sum), empty).points.map { $0.field("sum") } == [.float(0)])
        let mean = Self.run(Self.window(10, .mean), empty)
        #expect(mean.points.isEmpty && mean.errors.count == 2 && mean.errors[0].contains("field \"v\" missing"))
    }

    /// InfluxQL's types: count an integer; mean, median, stddev floats; sum, spread, mode, the
    /// selectors the field's own type.
    @Test(arguments: [
        (AggregateFunction.count, FieldValue.integer(4)), (.sum, .integer(10)), (.mean, .float(2.5)), (.median, .float(2.5)),
        (.spread, .integer(3)), (.mode, .integer(1)), (.min, .integer(1)), (.max, .integer(4)), (.first, .integer(1)), (.last, .integer(4)),
        (.percentile(50), .integer(2)), (.percentile(95), .integer(4)),
    ])
    func integerFieldsKeepInfluxQLsTypes(_ f: AggregateFunction, _ expected: FieldValue) {
        let r = Self.run(Self.window(10, f), [0, 1, 2, 3, 10].map { Self.p($0, [("v", .integer($0 == 10 ? 0 : $0 + 1))]) })
        #expect(r.points.first?.field(f.isSelector ? f.name : f.name) == expected, "\(f.name)")
    }

    @Test func stddevMedianModeOnFloats() {
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        let pts = values.enumerated().map { Self.p(Int64($0.offset), [("v", .float($0.element))]) } + [Self.p(10, [("v", .float(0))])]
        #expect(Self.run(Self.window(10, .stddev), pts).points.first?.field("stddev") == .float((32.0 / 7).squareRoot()))
        #expect(Self.run(Self.window(10, .median), pts).points.first?.field("median") == .float(4.5))
        #expect(Self.run(Self.window(10, .mode), pts).points.first?.field("mode") == .float(4))
        #expect(Self.run(Self.window(10, .spread), pts).points.first?.field("spread") == .float(7))
    }

    /// Selectors emit the chosen point's fields and tags (the field renamed to `as`), at the
    /// window's time unless usePointTimes.
    @Test func selectorsKeepTheChosenPoint() {
        let pts = [Self.p(1, [("v", .float(5)), ("other", .string("x"))], tags: [("host", "a"), ("cpu", "0")]),
                   Self.p(2, [("v", .float(9)), ("other", .string("y"))], tags: [("host", "a"), ("cpu", "1")]),
                   Self.p(11, [("v", .float(0))])]
        let max = Self.run(WindowedAggregateStep(window: WindowSpec(period: 10 * Self.s), function: .max, field: "v", as: "peak"), pts).points
        #expect(max.count == 1)
        #expect(Array(max[0].fields) == [Field(key: "peak", value: .float(9)), Field(key: "other", value: .string("y"))])
        #expect(max[0].tag("cpu") == "1" && max[0].time == 11 * Self.s)
        let timed = Self.run(WindowedAggregateStep(window: WindowSpec(period: 10 * Self.s), function: .first, field: "v", usePointTimes: true), pts).points
        #expect(timed[0].time == 1 * Self.s && timed[0].field("first") == .float(5))
    }

    @Test func aTypeChangeInsideAWindowIsAnErrorAndSkipped() {
        let pts = [Self.p(0, [("v", .float(1))]), Self.p(1, [("v", .integer(5))]), Self.p(2, [("v", .float(3))]), Self.p(10, [("v", .float(0))])]
        let r = Self.run(Self.window(10, .sum), pts)
        #expect(r.points.first?.field("sum") == .float(4))
        #expect(r.errors == ["field v has wrong type: got integer exp float"])
        let strings = Self.run(Self.window(10, .mean), [Self.p(0, [("v", .string("a"))]), Self.p(10, [("v", .float(0))])])
        #expect(strings.points.isEmpty && strings.errors == ["invalid influxql func mean with field v: unsupported type string"])
    }

    @Test func derivativeAsKapacitorComputesIt() {
        let pts = [0, 10, 20, 30].map { Self.p($0, [("v", .integer([0, 100, 50, 150][Int($0 / 10)]))]) }
        let r = Self.run(DerivativeStep(field: "v"), pts)
        #expect(r.points.map { $0.field("v") } == [10, -5, 10].map { FieldValue.float($0) }, "as defaults to the field: its value becomes its rate")
        let named = Self.run(DerivativeStep(field: "v", as: "rate"), pts)
        #expect(named.points[0].field("v") == .integer(100) && named.points[0].field("rate") == .float(10), "the point's own fields are kept")
        let nonNegative = Self.run(DerivativeStep(field: "v", unit: 60 * Self.s, nonNegative: true, as: "rate"), pts)
        #expect(nonNegative.points.map { $0.field("rate") } == [600, 600].map { FieldValue.float($0) })
        let sameTime = Self.run(DerivativeStep(field: "v"), [Self.p(0, [("v", .float(1))]), Self.p(0, [("v", .float(2))])])
        #expect(sameTime.points.isEmpty && sameTime.errors == ["cannot perform derivative: elapsed time was 0"])
    }

    @Test func streamTransforms() {
        let pts = [1, 2, 4, 8].enumerated().map { Self.p(Int64($0.offset * 10), [("v", .integer(Int64($0.element)))]) }
        #expect(Self.run(StreamTransformStep(.difference, field: "v"), pts).points.map { $0.field("difference") } == [1, 2, 4].map { FieldValue.integer($0) })
        #expect(Self.run(StreamTransformStep(.cumulativeSum, field: "v"), pts).points.map { $0.field("cumulativeSum") } == [1, 3, 7, 15].map { FieldValue.integer($0) })
        #expect(Self.run(StreamTransformStep(.movingAverage(2), field: "v"), pts).points.map { $0.field("movingAverage") } == [1.5, 3, 6].map { FieldValue.float($0) })
        let elapsed = Self.run(StreamTransformStep(.elapsed(unit: Self.s), field: "v"), pts).points
        #expect(elapsed.map { $0.field("elapsed") } == [10, 10, 10].map { FieldValue.integer($0) })
        #expect(elapsed[0].fields.count == 1 && elapsed[0].time == 10 * Self.s)
    }

    @Test func evalKeepTagsAndLaterExpressionsReadEarlierResults() throws {
        let step = EvalStep(expressions: [try LambdaExpression("\"errors\" / \"total\""), try LambdaExpression("\"rate\" * 100.0"),
                                          try LambdaExpression("if(\"rate\" > 0.5, 'bad', 'ok')")],
                            names: ["rate", "percent", "health"], keep: [], tags: ["health"])
        let r = Self.run(step, [Self.p(0, [("errors", .float(3)), ("total", .float(4))])])
        #expect(r.errors.isEmpty, "\(r.errors)")
        let out = try #require(r.points.first)
        #expect(out.field("percent") == .float(75) && out.field("errors") == .float(3) && out.tag("health") == "bad")
        #expect(out.field("health") == .string("bad"), "keep() keeps every result as a field, tags too (Kapacitor's eval)")
        let only = Self.run(EvalStep(expressions: [try LambdaExpression("\"errors\" + 1.0")], names: ["e1"]), [Self.p(0, [("errors", .float(3))])])
        #expect(only.points.first.map { Array($0.fields) } == [Field(key: "e1", value: .float(4))])
        let missing = Self.run(EvalStep(expressions: [try LambdaExpression("\"nope\" + 1.0")], names: ["x"]), [Self.p(0, [("errors", .float(3))])])
        #expect(missing.points.isEmpty && missing.errors.count == 1)
    }

    @Test func defaultShiftAndStateTracking() throws {
        let d = Self.run(DefaultStep(fields: [Field(key: "v", value: .float(0))], tags: [Tag(key: "dc", value: "x")]), [Self.p(0, [("w", .float(1))])])
        #expect(d.points.first?.field("v") == .float(0) && d.points.first?.tag("dc") == "x")
        #expect(Self.run(ShiftStep(shift: -5 * Self.s), [Self.p(10, [("v", .float(1))])]).points.first?.time == 5 * Self.s)
        let cond = try LambdaExpression("\"v\" > 10")
        let pts = [20, 30, 5, 40, 50, 60].enumerated().map { Self.p(Int64($0.offset * 30), [("v", .float(Double($0.element)))]) }
        let dur = Self.run(StateTrackingStep(.duration(unit: 60 * Self.s), condition: cond), pts).points
        #expect(dur.map { $0.field("state_duration") } == [0, 0.5, -1, 0, 0.5, 1].map { FieldValue.float($0) })
        let count = Self.run(StateTrackingStep(.count, condition: cond), pts).points
        #expect(count.map { $0.field("state_count") } == [1, 2, -1, 1, 2, 3].map { FieldValue.integer($0) })
    }

    static func batches(_ step: any RuleStep, _ points: [Point]) -> [StepBatch] {
        let state = step.makeGroupState(groupTags: [Tag(key: "host", value: "a")])
        var out: [StepBatch] = []
        for point in points {
            var o = StepOutput()
            state.process(point, &o)
            out += o.batches
        }
        return out
    }

    /// top and bottom as Kapacitor 1.5's InfluxQL (1.1's reducers): the n best values, ties to
    /// the earlier point, then in time order, at the window's time unless usePointTimes; each
    /// point keeps its own tags; with fieldsAndTags one point per combination.
    @Test func topBottomAndDistinctEmitBatches() {
        let values: [(Int64, Double, String)] = [(1, 5, "x"), (2, 9, "y"), (3, 9, "z"), (4, 1, "x"), (5, 7, "x"), (11, 0, "x")]
        let pts = values.map { Self.p($0.0, [("v", .float($0.1))], tags: [("host", "a"), ("cpu", $0.2)]) }
        let top = Self.batches(WindowedAggregateStep(window: WindowSpec(period: 10 * Self.s), function: .top(3, fieldsAndTags: []), field: "v", usePointTimes: true), pts)
        #expect(top.count == 1)
        #expect(top[0].points.map { $0.time / Self.s } == [2, 3, 5])
        #expect(top[0].points.map { $0.field("top") } == [9, 9, 7].map { FieldValue.float($0) })
        #expect(top[0].points.map { $0.tag("cpu") } == ["y", "z", "x"] && top[0].time == 11 * Self.s)
        let perCPU = Self.batches(WindowedAggregateStep(window: WindowSpec(period: 10 * Self.s), function: .top(5, fieldsAndTags: ["cpu"]), field: "v"), pts)
        #expect(perCPU[0].points.map { $0.field("top") } == [9, 9, 7].map { FieldValue.float($0) }, "one per cpu, in time order")
        #expect(perCPU[0].points.allSatisfy { $0.time == 11 * Self.s }, "the window's time without usePointTimes")
        let bottom = Self.batches(WindowedAggregateStep(window: WindowSpec(period: 10 * Self.s), function: .bottom(2, fieldsAndTags: []), field: "v"), pts)
        #expect(bottom[0].points.map { $0.field("bottom") } == [5, 1].map { FieldValue.float($0) })
        let distinct = Self.batches(WindowedAggregateStep(window: WindowSpec(period: 10 * Self.s), function: .distinct, field: "v"), pts)
        #expect(distinct[0].points.map { $0.field("distinct") } == [5, 9, 1, 7].map { FieldValue.float($0) })
        #expect(distinct[0].points.allSatisfy { $0.tags == [Tag(key: "host", value: "a")] }, "distinct carries the group's tags")
    }

    /// The alert judges a batch as a whole: the highest level of its points (the lowest with all),
    /// one event whose data holds every point.
    @Test func aBatchIsOneAlert() throws {
        func run(_ extra: String) throws -> [AlertEvent] {
            let yaml = "id: t\nmeasurement: cpu\nsteps:\n  - window: {period: 10s}\n  - top: {n: 2, field: v}\ncrit: '\"top\" > 8'\n" + extra
            let e = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: yaml, file: "t.yaml"))
            var events: [AlertEvent] = []
            for (t, v) in [(0, 9.0), (1, 3.0), (2, 1.0), (10, 0.0)] { e.process(Self.p(Int64(t), [("v", .float(v))])) { events.append($0) } }
            return events
        }
        let highest = try run("")
        #expect(highest.count == 1 && highest[0].level == .critical && highest[0].batch?.count == 2)
        #expect(AlertRecord(event: highest[0], previousLevel: .ok).json().contains(#""columns":["time","top"],"values":[["1970-01-01T00:00:10Z",9],["1970-01-01T00:00:10Z",3]]"#))
        #expect(try run("all: true\n").isEmpty, "with all, the lowest level: OK, nothing to recover from")
    }
}
