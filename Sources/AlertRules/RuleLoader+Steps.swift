import GoDuration
import LineProtocol

/// The steps of a rule between `from` and `alert`, from YAML: either the short form for the most
/// common chain, a window and one aggregate as keys of the rule,
///
/// ```yaml
/// window: {period: 5m, every: 1m}
/// mean: usage_idle
/// crit: '"mean" < 10'
/// ```
///
/// or any chain in order under `steps:`, one step per item:
///
/// ```yaml
/// steps:
///   - window: {period: 1m}
///   - sum: requests
///   - derivative: {field: sum, unit: 1s, nonNegative: true, as: rate}
/// ```
extension RuleLoader {
    static let transformKeys = ["derivative", "difference", "cumulativeSum", "movingAverage", "elapsed", "eval", "default",
                                "shift", "stateDuration", "stateCount", "where", "httpOut"]
    static var aggregateKeys: [String] { AggregateFunction.byName.keys.sorted() }
    static var stepKeys: [String] { ["window"] + aggregateKeys + transformKeys }

    /// A step as read, before windows and aggregates are paired.
    private enum ReadStep {
        case window(WindowSpec, YAMLValue)
        case aggregate(AggregateFunction, field: String, as: String?, usePointTimes: Bool, YAMLValue)
        case transform(any RuleStep)
    }

    func steps(_ m: YAMLMap, rule what: String, task: String) throws(RuleLoadError) -> [any RuleStep] {
        var read: [ReadStep] = []
        let shortKeys = m.entries.filter { $0.key == "window" || Self.aggregateKeys.contains($0.key) }
        if let stepsValue = m["steps"] {
            if let first = shortKeys.first {
                throw first.keyNode.error("\(what): \(first.key) cannot be both a key of the rule and in steps: put every step under steps")
            }
            guard case .sequence = stepsValue.node else { throw stepsValue.error("\(what): steps must be a list of steps, each like `- window: {period: 1m}`") }
            for item in stepsValue.list() {
                let sm = try YAMLMap(item, what: "\(what) step")
                guard sm.entries.count == 1, let entry = sm.entries.first else {
                    throw item.error("\(what): each step is one key (one of \(Self.stepKeys.joined(separator: ", "))), got \(sm.entries.count)")
                }
                try sm.checkKeys(Self.stepKeys, what: "\(what) step")
                read.append(try step(entry.key, entry.value, rule: what, task: task))
            }
        } else {
            // `where` at the top is from's filter; inside steps it is a where node.
            for e in m.entries where Self.transformKeys.contains(e.key) && e.key != "where" && e.key != "httpOut" {
                throw e.keyNode.error("\(what): \(e.key) is a step of a chain: write the chain under steps: (for example steps: [{window: {period: 1m}}, {mean: value}, {\(e.key): ...}])")
            }
            let aggregates = shortKeys.filter { $0.key != "window" }
            if aggregates.count > 1 {
                throw aggregates[1].keyNode.error("\(what): one aggregate per window (\(aggregates.map(\.key).joined(separator: " and "))): write longer chains under steps:")
            }
            for e in shortKeys where e.key == "window" { read.append(try step(e.key, e.value, rule: what, task: task)) }
            for e in aggregates { read.append(try step(e.key, e.value, rule: what, task: task)) }
        }
        let steps = try pair(read, rule: what)
        try checkHTTPOutNames(steps.compactMap { ($0 as? HTTPOutStep)?.table }, m, rule: what)
        return steps
    }

    /// `httpOut: name` as a key of the rule: the alert's output, served as the task's `name`.
    func alertHTTPOut(_ m: YAMLMap, rule what: String, task: String, steps: [any RuleStep]) throws(RuleLoadError) -> HTTPOutTable? {
        guard let v = m["httpOut"] else { return nil }
        let table = HTTPOutTable(task: task, endpoint: try httpOutName(v, rule: what))
        try checkHTTPOutNames(steps.compactMap { ($0 as? HTTPOutStep)?.table } + [table], m, rule: what)
        return table
    }

    private func httpOutName(_ v: YAMLValue, rule what: String) throws(RuleLoadError) -> String {
        let name = try v.string("httpOut")
        // The name is a path segment of /kapacitor/v1/tasks/<task>/<name>.
        guard !name.isEmpty, !name.contains("/"), !name.contains("?"), !name.contains("#") else {
            throw v.error("\(what): httpOut needs a name without '/', '?' or '#' (it is the last part of the URL path)")
        }
        return name
    }

    /// Two httpOut nodes of one task cannot share a path.
    private func checkHTTPOutNames(_ tables: [HTTPOutTable], _ m: YAMLMap, rule what: String) throws(RuleLoadError) {
        var seen: Set<String> = []
        for t in tables where !seen.insert(t.endpoint).inserted {
            throw (m["httpOut"] ?? m["steps"] ?? m.value).error("\(what): two httpOut nodes are named \"\(t.endpoint)\": each needs its own name")
        }
    }

    /// Joins each window with the aggregate after it: a window emits to an aggregate, an
    /// aggregate needs a window (as the chains Kapacitor's stream tasks build).
    private func pair(_ read: [ReadStep], rule what: String) throws(RuleLoadError) -> [any RuleStep] {
        var out: [any RuleStep] = []
        var i = 0
        while i < read.count {
            switch read[i] {
            case .window(let spec, let v):
                guard i + 1 < read.count, case .aggregate(let f, let field, let name, let pointTimes, _) = read[i + 1] else {
                    throw v.error("\(what): a window must be followed by an aggregate (one of \(Self.aggregateKeys.joined(separator: ", "))) that turns each window into a point")
                }
                if f.isBatch && i + 2 < read.count {
                    if case .transform(let t) = read[i + 2], t is HTTPOutStep {
                        throw v.error("\(what): \(f.name) emits a batch, which only the alert takes: put httpOut after the alert (the rule's httpOut key) to serve it")
                    }
                    throw v.error("\(what): \(f.name) emits a batch, which only the alert takes: it must be the last step")
                }
                out.append(WindowedAggregateStep(window: spec, function: f, field: field, as: name, usePointTimes: pointTimes))
                i += 2
            case .aggregate(let f, _, _, _, let v):
                throw v.error("\(what): \(f.name) needs a window before it (for example window: {period: 1m})")
            case .transform(let t):
                out.append(t)
                i += 1
            }
        }
        return out
    }

    private func step(_ key: String, _ v: YAMLValue, rule what: String, task: String) throws(RuleLoadError) -> ReadStep {
        let at = "\(what): \(key)"
        switch key {
        case "window":
            let m = try YAMLMap(v, what: at)
            try m.checkKeys(["period", "every", "align", "fillPeriod", "maxPoints"], what: at)
            guard let p = m["period"] else { throw v.error("\(at): period is required (for example period: 5m)") }
            let period = try p.duration("window.period")
            guard period > 0 else { throw p.error("\(at): period must be positive") }
            let every = try m["every"].map { (x) throws(RuleLoadError) in try x.duration("window.every") } ?? period
            guard every >= 0 else { throw m["every"]!.error("\(at): every must not be negative") }
            var spec = WindowSpec(period: period, every: every,
                                  align: try m["align"].map { (x) throws(RuleLoadError) in try x.bool("window.align") } ?? false,
                                  fillPeriod: try m["fillPeriod"].map { (x) throws(RuleLoadError) in try x.bool("window.fillPeriod") } ?? false)
            if let mp = m["maxPoints"] {
                spec.maxPoints = try mp.int("window.maxPoints")
                guard (1...10_000_000).contains(spec.maxPoints) else { throw mp.error("\(at): maxPoints must be from 1 to 10000000") }
            }
            return .window(spec, v)
        case _ where AggregateFunction.byName[key] != nil:
            var f = AggregateFunction.byName[key]!
            if case .scalar = v.node {
                if case .percentile = f { throw v.error("\(at): write {field: NAME, percentile: P} (P from 0 to 100)") }
                if f.isTopOrBottom { throw v.error("\(at): write {n: N, field: NAME} (the N \(key == "top" ? "highest" : "lowest") values)") }
                return .aggregate(f, field: try v.string(key), as: nil, usePointTimes: false, v)
            }
            let m = try YAMLMap(v, what: at)
            var known = ["field", "as"]
            if f.isSelector || f.isBatch { known.append("usePointTimes") }
            if case .percentile = f { known.append("percentile") }
            if f.isTopOrBottom { known += ["n", "fieldsAndTags"] }
            try m.checkKeys(known, what: at)
            let field = try required(m, "field", at, v).string("\(key).field")
            if case .percentile = f {
                let p = try required(m, "percentile", at, v)
                let value = try p.double("\(key).percentile")
                guard (0...100).contains(value) else { throw p.error("\(at): percentile must be from 0 to 100") }
                f = .percentile(value)
            }
            if f.isTopOrBottom {
                let nv = try required(m, "n", at, v)
                let n = try nv.int("\(key).n")
                guard (1...10_000).contains(n) else { throw nv.error("\(at): n must be from 1 to 10000") }
                let extra = try m["fieldsAndTags"].map { (x) throws(RuleLoadError) in try x.list().map { (y) throws(RuleLoadError) in try y.string("fieldsAndTags") } } ?? []
                f = key == "top" ? .top(n, fieldsAndTags: extra) : .bottom(n, fieldsAndTags: extra)
            }
            return .aggregate(f, field: field, as: try name(m, at), usePointTimes: try m["usePointTimes"].map { (x) throws(RuleLoadError) in try x.bool("usePointTimes") } ?? false, v)
        case "derivative":
            let (m, field) = try fieldStep(v, at, extra: ["unit", "nonNegative"])
            return .transform(DerivativeStep(field: field, unit: try unit(m, at), nonNegative: try m?["nonNegative"].map { (x) throws(RuleLoadError) in try x.bool("nonNegative") } ?? false,
                                             as: try m.flatMap { (x) throws(RuleLoadError) in try name(x, at) }))
        case "difference", "cumulativeSum":
            let (m, field) = try fieldStep(v, at, extra: [])
            return .transform(StreamTransformStep(key == "difference" ? .difference : .cumulativeSum, field: field,
                                                  as: try m.flatMap { (x) throws(RuleLoadError) in try name(x, at) }))
        case "movingAverage":
            let m = try YAMLMap(v, what: at)
            try m.checkKeys(["field", "window", "as"], what: at)
            let field = try required(m, "field", at, v).string("movingAverage.field")
            let w = try required(m, "window", at, v)
            let n = try w.int("movingAverage.window")
            guard (1...100_000).contains(n) else { throw w.error("\(at): window must be from 1 to 100000 points") }
            return .transform(StreamTransformStep(.movingAverage(n), field: field, as: try name(m, at)))
        case "elapsed":
            let (m, field) = try fieldStep(v, at, extra: ["unit"])
            return .transform(StreamTransformStep(.elapsed(unit: try unit(m, at)), field: field, as: try m.flatMap { (x) throws(RuleLoadError) in try name(x, at) }))
        case "eval":
            return .transform(try evalStep(v, at))
        case "default":
            let m = try YAMLMap(v, what: at)
            try m.checkKeys(["fields", "tags"], what: at)
            var fields: [Field] = []
            if let f = m["fields"] {
                for e in try YAMLMap(f, what: "\(at).fields").entries { fields.append(Field(key: e.key, value: try Self.fieldValue(e.value, "\(at).fields.\(e.key)"))) }
            }
            var tags: [PointTag] = []
            if let t = m["tags"] {
                for e in try YAMLMap(t, what: "\(at).tags").entries { tags.append(PointTag(key: e.key, value: try e.value.string("\(at).tags.\(e.key)"))) }
            }
            guard !fields.isEmpty || !tags.isEmpty else { throw v.error("\(at): give fields and/or tags to default") }
            return .transform(DefaultStep(fields: fields, tags: tags))
        case "shift":
            return .transform(ShiftStep(shift: try v.duration("shift")))
        case "httpOut":
            return .transform(HTTPOutStep(table: HTTPOutTable(task: task, endpoint: try httpOutName(v, rule: what))))
        case "where":
            var slots = 0
            let condition = try expression(v, key: "where", rule: what, slots: &slots)
            return .transform(WhereStep(condition: condition, functionSlots: slots))
        case "stateDuration", "stateCount":
            let m = try YAMLMap(v, what: at)
            try m.checkKeys(key == "stateDuration" ? ["lambda", "unit", "as"] : ["lambda", "as"], what: at)
            var slots = 0
            let condition = try expression(required(m, "lambda", at, v), key: "\(key).lambda", rule: what, slots: &slots)
            let kind: StateTrackingStep.Kind = key == "stateCount" ? .count : .duration(unit: try unit(m, at))
            return .transform(StateTrackingStep(kind, condition: condition, as: try name(m, at), functionSlots: slots))
        default:
            throw v.error("\(at): unknown step")
        }
    }

    /// `deadman: {threshold: 0, interval: 10s}` (Kapacitor's defaults when left out).
    func deadmanSpec(_ v: YAMLValue, rule what: String, steps: [any RuleStep]) throws(RuleLoadError) -> DeadmanSpec {
        let at = "\(what): deadman"
        let m = try YAMLMap(v, what: at)
        try m.checkKeys(["threshold", "interval"], what: at)
        let threshold = try m["threshold"].map { (x) throws(RuleLoadError) in try x.double("deadman.threshold") } ?? 0
        let interval = try m["interval"].map { (x) throws(RuleLoadError) in try x.duration("deadman.interval") } ?? 10 * GoDuration.second.nanoseconds
        guard interval >= GoDuration.millisecond.nanoseconds else { throw (m["interval"] ?? v).error("\(at): interval must be at least 1ms") }
        return DeadmanSpec(threshold: threshold, interval: interval, nodeName: Self.kapacitorNodeName(after: steps))
    }

    /// The name Kapacitor gives the node a deadman watches: its kind and its number in the
    /// pipeline (stream0, from1, then each node; a window with its aggregate is two nodes).
    static func kapacitorNodeName(after steps: [any RuleStep]) -> String {
        var id = 1
        var name = "from"
        for step in steps {
            switch step {
            case let w as WindowedAggregateStep:
                id += 2
                name = w.function.name
            case is DerivativeStep: id += 1; name = "derivative"
            case let t as StreamTransformStep: id += 1; name = t.function.name
            case is EvalStep: id += 1; name = "eval"
            case is DefaultStep: id += 1; name = "default"
            case is ShiftStep: id += 1; name = "shift"
            case is HTTPOutStep: id += 1; name = "http_out"
            case is WhereStep: id += 1; name = "where"
            case let s as StateTrackingStep: id += 1; name = s.kind == .count ? "stateCount" : "stateDuration"
            default: id += 1; name = "node"
            }
        }
        return "\(name)\(id)"
    }

    private func required(_ m: YAMLMap, _ key: String, _ at: String, _ v: YAMLValue) throws(RuleLoadError) -> YAMLValue {
        guard let x = m[key] else { throw v.error("\(at): \(key) is required") }
        return x
    }

    private func name(_ m: YAMLMap, _ at: String) throws(RuleLoadError) -> String? {
        guard let a = m["as"] else { return nil }
        let s = try a.string("as")
        guard !s.isEmpty else { throw a.error("\(at): as must not be empty") }
        return s
    }

    private func unit(_ m: YAMLMap?, _ at: String) throws(RuleLoadError) -> Int64 {
        guard let u = m?["unit"] else { return GoDuration.second.nanoseconds }
        let d = try u.duration("unit")
        guard d > 0 else { throw u.error("\(at): unit must be positive") }
        return d
    }

    /// A step given as a field name, or as a mapping with `field`, `as` and `extra` keys.
    private func fieldStep(_ v: YAMLValue, _ at: String, extra: [String]) throws(RuleLoadError) -> (YAMLMap?, String) {
        if case .scalar = v.node { return (nil, try v.string(at)) }
        let m = try YAMLMap(v, what: at)
        try m.checkKeys(["field", "as"] + extra, what: at)
        return (m, try required(m, "field", at, v).string("\(at).field"))
    }

    private func evalStep(_ v: YAMLValue, _ at: String) throws(RuleLoadError) -> EvalStep {
        let m = try YAMLMap(v, what: at)
        try m.checkKeys(["lambda", "lambdas", "as", "keep", "tags", "quiet"], what: at)
        let lambdaNodes: [YAMLValue]
        if let one = m["lambda"] {
            guard m["lambdas"] == nil else { throw one.error("\(at): give lambda or lambdas, not both") }
            lambdaNodes = [one]
        } else if let many = m["lambdas"] {
            lambdaNodes = many.list()
        } else {
            throw v.error("\(at): lambda (or lambdas, a list) is required")
        }
        guard let asNode = m["as"] else { throw v.error("\(at): as is required: one name per lambda") }
        let names: [String]
        if case .sequence = asNode.node {
            names = try asNode.list().map { (x) throws(RuleLoadError) in try x.string("as") }
        } else {
            names = [try asNode.string("as")]
        }
        guard names.count == lambdaNodes.count else {
            throw asNode.error("\(at): \(lambdaNodes.count) lambdas but \(names.count) names in as")
        }
        var slots = 0
        var expressions: [LambdaExpression] = []
        for node in lambdaNodes {
            let text = try node.string("\(at).lambda")
            do throws(LambdaError) {
                expressions.append(try LambdaExpression(text, dialect: .rule, slots: &slots))
            } catch {
                let loc = error.line == nil ? node.location : node.location(ofTextLine: error.line ?? 1, column: error.column ?? 1)
                throw RuleLoadError(loc, "\(at): \(error.message)")
            }
        }
        var keep: [String]?
        if let k = m["keep"] {
            if case .sequence = k.node {
                keep = try k.list().map { (x) throws(RuleLoadError) in try x.string("keep") }
            } else if try k.bool("keep") {
                keep = []
            }
        }
        var tags: Set<String> = []
        if let t = m["tags"] {
            for item in t.list() {
                let name = try item.string("tags")
                guard names.contains(name) else { throw item.error("\(at): tags names \"\(name)\", which is not one of as (\(names.joined(separator: ", ")))") }
                tags.insert(name)
            }
        }
        let quiet = try m["quiet"].map { (x) throws(RuleLoadError) in try x.bool("quiet") } ?? false
        return EvalStep(expressions: expressions, names: names, keep: keep, tags: tags, quiet: quiet, functionSlots: slots)
    }

    /// A YAML scalar as a field value: a plain integer or float, true/false, else a string.
    static func fieldValue(_ v: YAMLValue, _ what: String) throws(RuleLoadError) -> FieldValue {
        guard case .scalar(let s) = v.node else { throw v.error("\(what) must be a number, a string or a boolean") }
        if s.style == .plain {
            if let i = Int64(s.string) { return .integer(i) }
            if let d = Double(s.string), d.isFinite { return .float(d) }
            if ["true", "True", "TRUE"].contains(s.string) { return .boolean(true) }
            if ["false", "False", "FALSE"].contains(s.string) { return .boolean(false) }
        }
        return .string(s.string)
    }
}
