/// Turns a TICKscript stream task into the YAML rule it stands for (what `alertrelay convert`
/// prints), remembering for each YAML line the TICKscript place it came from, so a load error
/// points into the `.tick` file.
struct TICKCompiler {
    /// The YAML text and, per YAML line (1-based), the TICKscript line and column.
    struct Output {
        var yaml: String
        var places: [Int: (line: Int, column: Int)]
    }

    let taskName: String
    let task: TICKTask
    let variables: [String: TICKTask.Value]

    private var lines: [(text: String, line: Int, column: Int)] = []

    init(taskName: String, task: TICKTask, variables: [String: TICKTask.Value]) {
        self.taskName = taskName
        self.task = task
        self.variables = variables
    }

    static let aggregates: Set<String> = ["count", "sum", "mean", "median", "mode", "spread", "stddev", "min", "max", "first",
                                          "last", "percentile", "top", "bottom", "distinct"]
    static let supportedNodes = "from, where, groupBy, window, count, sum, mean, median, mode, spread, stddev, min, max, first, last, percentile, top, bottom, distinct, derivative, difference, cumulativeSum, movingAverage, elapsed, eval, default, shift, stateDuration, stateCount, deadman, alert"
    static let handlers = "kafka, log"

    mutating func compile() throws(TICKError) -> Output {
        add("id: \(Self.quote(taskName))", 1, 1)
        var nodes = task.nodes[...]
        guard let from = nodes.first, from.name == "from" else {
            throw TICKError(line: task.nodes.first?.line ?? 1, column: task.nodes.first?.column ?? 1, message: "a stream task starts with stream|from()")
        }
        nodes = nodes.dropFirst()
        var wheres: [(String, Int, Int)] = []
        var groupBy: TICKTask.Property?
        for p in from.properties {
            switch p.name {
            case "measurement": add("measurement: \(Self.quote(try string(p, 0)))", p.line, p.column)
            case "where": wheres.append((try lambda(p, 0), p.line, p.column))
            case "groupBy": groupBy = p
            case "database", "retentionPolicy":
                // Points carry no database yet: every point matches, as for a task without dbrp.
                _ = try string(p, 0)
            default:
                throw TICKError(line: p.line, column: p.column, message: "from() has no property \(p.name) here (supported: measurement, where, groupBy, database, retentionPolicy)")
            }
        }
        // where and groupBy nodes right after from() belong to it.
        while let n = nodes.first, n.name == "where" || n.name == "groupBy" {
            if n.name == "where" { wheres.append((try lambda(n, 0), n.line, n.column)) } else {
                groupBy = TICKTask.Property(name: "groupBy", arguments: n.arguments, line: n.line, column: n.column)
            }
            nodes = nodes.dropFirst()
        }
        if !wheres.isEmpty {
            let text = wheres.count == 1 ? wheres[0].0 : wheres.map { "(\($0.0))" }.joined(separator: " AND ")
            add("where: \(Self.quote(text))", wheres[0].1, wheres[0].2)
        }
        if let g = groupBy {
            if g.arguments.contains(where: { if case .star = $0.value { return true }; return false }) {
                add("groupBy: '*'", g.line, g.column)
            } else {
                var names: [String] = []
                for a in g.arguments {
                    switch a.value {
                    case .string(let s): names.append(s)
                    case .list(let l): for item in l { if case .string(let s) = item { names.append(s) } }
                    default: throw TICKError(line: a.line, column: a.column, message: "groupBy takes tag names as strings, or *")
                    }
                }
                add("groupBy: [" + names.map(Self.quote).joined(separator: ", ") + "]", g.line, g.column)
            }
        }
        var alert: TICKTask.Node?
        var steps: [(String, Int, Int)] = []
        while let n = nodes.first {
            nodes = nodes.dropFirst()
            switch n.name {
            case "alert", "deadman":
                alert = n
            case "window":
                steps.append((try window(n), n.line, n.column))
            case _ where Self.aggregates.contains(n.name):
                steps.append((try aggregate(n), n.line, n.column))
            case "derivative":
                var parts = ["field: \(Self.quote(try string(n, 0)))"]
                for p in n.properties {
                    switch p.name {
                    case "unit": parts.append("unit: \(try duration(p, 0))")
                    case "nonNegative": parts.append("nonNegative: true")
                    case "as": parts.append("as: \(Self.quote(try string(p, 0)))")
                    default: throw unknownProperty(p, of: n, "unit, nonNegative, as")
                    }
                }
                steps.append(("derivative: {\(parts.joined(separator: ", "))}", n.line, n.column))
            case "difference", "cumulativeSum", "movingAverage", "elapsed":
                var parts = ["field: \(Self.quote(try string(n, 0)))"]
                if n.name == "movingAverage" { parts.append("window: \(try number(n, 1))") }
                if n.name == "elapsed" { parts.append("unit: \(try duration(n, 1))") }
                for p in n.properties {
                    guard p.name == "as" else { throw unknownProperty(p, of: n, "as") }
                    parts.append("as: \(Self.quote(try string(p, 0)))")
                }
                steps.append(("\(n.name): {\(parts.joined(separator: ", "))}", n.line, n.column))
            case "eval":
                var parts = ["lambdas: [" + (try n.arguments.indices.map { (i) throws(TICKError) in Self.quote(try lambda(n, i)) }).joined(separator: ", ") + "]"]
                for p in n.properties {
                    switch p.name {
                    case "as": parts.append("as: [" + (try p.arguments.indices.map { (i) throws(TICKError) in Self.quote(try string(p, i)) }).joined(separator: ", ") + "]")
                    case "keep":
                        parts.append(p.arguments.isEmpty ? "keep: true" : "keep: [" + (try p.arguments.indices.map { (i) throws(TICKError) in Self.quote(try string(p, i)) }).joined(separator: ", ") + "]")
                    case "tags": parts.append("tags: [" + (try p.arguments.indices.map { (i) throws(TICKError) in Self.quote(try string(p, i)) }).joined(separator: ", ") + "]")
                    case "quiet": parts.append("quiet: true")
                    default: throw unknownProperty(p, of: n, "as, keep, tags, quiet")
                    }
                }
                steps.append(("eval: {\(parts.joined(separator: ", "))}", n.line, n.column))
            case "default":
                var fields: [String] = [], tags: [String] = []
                for p in n.properties {
                    switch p.name {
                    case "field": fields.append("\(Self.quote(try string(p, 0))): \(try literal(p, 1))")
                    case "tag": tags.append("\(Self.quote(try string(p, 0))): \(Self.quote(try string(p, 1)))")
                    default: throw unknownProperty(p, of: n, "field, tag")
                    }
                }
                steps.append(("default: {fields: {\(fields.joined(separator: ", "))}, tags: {\(tags.joined(separator: ", "))}}", n.line, n.column))
            case "shift":
                steps.append(("shift: \(try duration(n, 0))", n.line, n.column))
            case "where":
                steps.append(("where: \(Self.quote(try lambda(n, 0)))", n.line, n.column))
            case "stateDuration", "stateCount":
                var parts = ["lambda: \(Self.quote(try lambda(n, 0)))"]
                for p in n.properties {
                    switch p.name {
                    case "unit" where n.name == "stateDuration": parts.append("unit: \(try duration(p, 0))")
                    case "as": parts.append("as: \(Self.quote(try string(p, 0)))")
                    default: throw unknownProperty(p, of: n, n.name == "stateDuration" ? "unit, as" : "as")
                    }
                }
                steps.append(("\(n.name): {\(parts.joined(separator: ", "))}", n.line, n.column))
            case "groupBy":
                throw TICKError(line: n.line, column: n.column, message: "groupBy after other nodes is not supported: group in from() or right after it")
            default:
                throw TICKError(line: n.line, column: n.column, message: "node \(n.name)() is not supported (supported: \(Self.supportedNodes))")
            }
            if alert != nil {
                if let extra = nodes.first {
                    throw TICKError(line: extra.line, column: extra.column, message: "node \(extra.name)() after the alert is not supported: the alert ends the task")
                }
                break
            }
        }
        guard let alertNode = alert else {
            throw TICKError(line: task.nodes.last?.line ?? 1, column: task.nodes.last?.column ?? 1, message: "the task has no alert(): alertrelay runs alert tasks")
        }
        if !steps.isEmpty {
            add("steps:", steps[0].1, steps[0].2)
            for s in steps { add("  - " + s.0, s.1, s.2) }
        }
        try compileAlert(alertNode)
        var yaml = ""
        var places: [Int: (Int, Int)] = [:]
        for (i, l) in lines.enumerated() {
            yaml += l.text + "\n"
            places[i + 1] = (l.line, l.column)
        }
        return Output(yaml: yaml, places: places)
    }

    private mutating func add(_ text: String, _ line: Int, _ column: Int) { lines.append((text, line, column)) }

    private func unknownProperty(_ p: TICKTask.Property, of n: TICKTask.Node, _ known: String) -> TICKError {
        TICKError(line: p.line, column: p.column, message: "\(n.name)() has no property \(p.name) (supported: \(known))")
    }

    private mutating func window(_ n: TICKTask.Node) throws(TICKError) -> String {
        var parts: [String] = []
        for p in n.properties {
            switch p.name {
            case "period": parts.append("period: \(try duration(p, 0))")
            case "every": parts.append("every: \(try duration(p, 0))")
            case "align": parts.append("align: true")
            case "fillPeriod": parts.append("fillPeriod: true")
            case "periodCount", "everyCount":
                throw TICKError(line: p.line, column: p.column, message: "windows by point count (\(p.name)) are not supported: use period and every")
            default: throw unknownProperty(p, of: n, "period, every, align, fillPeriod")
            }
        }
        return "window: {\(parts.joined(separator: ", "))}"
    }

    private mutating func aggregate(_ n: TICKTask.Node) throws(TICKError) -> String {
        var parts: [String] = []
        switch n.name {
        case "percentile":
            parts = ["field: \(Self.quote(try string(n, 0)))", "percentile: \(try number(n, 1))"]
        case "top", "bottom":
            parts = ["n: \(try number(n, 0))", "field: \(Self.quote(try string(n, 1)))"]
            if n.arguments.count > 2 {
                parts.append("fieldsAndTags: [" + (try (2..<n.arguments.count).map { (i) throws(TICKError) in Self.quote(try string(n, i)) }).joined(separator: ", ") + "]")
            }
        default:
            parts = ["field: \(Self.quote(try string(n, 0)))"]
        }
        for p in n.properties {
            switch p.name {
            case "as": parts.append("as: \(Self.quote(try string(p, 0)))")
            case "usePointTimes": parts.append("usePointTimes: true")
            default: throw unknownProperty(p, of: n, "as, usePointTimes")
            }
        }
        return "\(n.name): {\(parts.joined(separator: ", "))}"
    }

    private mutating func compileAlert(_ n: TICKTask.Node) throws(TICKError) {
        if n.name == "deadman" {
            add("deadman: {threshold: \(try number(n, 0)), interval: \(try duration(n, 1))}", n.line, n.column)
            if n.arguments.count > 2 {
                throw TICKError(line: n.arguments[2].line, column: n.arguments[2].column, message: "deadman's extra expressions are not supported")
            }
        }
        var kafka: [(String, Int, Int)] = []
        var logs: [(String, Int, Int)] = []
        var current: (kind: String, parts: [String], line: Int, column: Int)?
        func flush() {
            guard let c = current else { return }
            let text = "  - {" + c.parts.joined(separator: ", ") + "}"
            if c.kind == "kafka" { kafka.append((text, c.line, c.column)) } else { logs.append((text, c.line, c.column)) }
            current = nil
        }
        for p in n.properties {
            if let c = current {
                let handled: Bool
                switch (c.kind, p.name) {
                case ("kafka", "cluster"): current?.parts.append("cluster: \(Self.quote(try string(p, 0)))"); handled = true
                case ("kafka", "kafkaTopic"): current?.parts.append("topic: \(Self.quote(try string(p, 0)))"); handled = true
                case ("kafka", "template"): current?.parts.append("template: \(Self.quote(try string(p, 0)))"); handled = true
                case ("kafka", "disablePartitionById"): current?.parts.append("disablePartitionById: true"); handled = true
                case ("kafka", "partitionAlgorithm"): current?.parts.append("partitionAlgorithm: \(Self.quote(try string(p, 0)))"); handled = true
                case ("log", "mode"): current?.parts.append("mode: \(try number(p, 0))"); handled = true
                default: handled = false
                }
                if handled { continue }
                flush()
            }
            switch p.name {
            case "id": add("alertId: \(Self.quote(try string(p, 0)))", p.line, p.column)
            case "message", "details", "category", "topic":
                add("\(p.name): \(Self.quote(try string(p, 0)))", p.line, p.column)
            case "info", "warn", "crit", "infoReset", "warnReset", "critReset":
                add("\(p.name): \(Self.quote(try lambda(p, 0)))", p.line, p.column)
            case "stateChangesOnly":
                add(p.arguments.isEmpty ? "stateChangesOnly: true" : "stateChangesOnly: \(try duration(p, 0))", p.line, p.column)
            case "noRecoveries": add("noRecoveries: true", p.line, p.column)
            case "all": add("all: true", p.line, p.column)
            case "flapping": add("flapping: {low: \(try number(p, 0)), high: \(try number(p, 1))}", p.line, p.column)
            case "history": add("history: \(try number(p, 0))", p.line, p.column)
            case "kafka": current = ("kafka", [], p.line, p.column)
            case "log": current = ("log", ["path: \(Self.quote(try string(p, 0)))"], p.line, p.column)
            case "idField", "idTag", "levelField", "levelTag", "messageField", "durationField":
                throw TICKError(line: p.line, column: p.column, message: "\(p.name) shapes the alert node's own output, which nothing reads here (no node may follow the alert): remove it")
            case "inhibit":
                throw TICKError(line: p.line, column: p.column, message: "inhibit is not supported")
            default:
                throw TICKError(line: p.line, column: p.column, message: "alert() property or handler \(p.name) is not supported (handlers: \(Self.handlers))")
            }
        }
        flush()
        if !kafka.isEmpty {
            add("kafka:", kafka[0].1, kafka[0].2)
            for k in kafka { add(k.0, k.1, k.2) }
        }
        if !logs.isEmpty {
            add("log:", logs[0].1, logs[0].2)
            for l in logs { add(l.0, l.1, l.2) }
        }
    }

    // MARK: Arguments

    private func argument(_ c: some TICKCall, _ i: Int) throws(TICKError) -> TICKTask.Argument {
        guard i < c.arguments.count else { throw TICKError(line: c.line, column: c.column, message: "\(c.name) needs argument \(i + 1)") }
        return c.arguments[i]
    }

    /// Argument `i` of `c` as text, when it is the kind `extract` accepts; else an error naming `kind`.
    private func argument(_ c: some TICKCall, _ i: Int, _ kind: String, _ extract: (TICKTask.Value) -> String?) throws(TICKError) -> String {
        let a = try argument(c, i)
        guard let text = extract(a.value) else { throw TICKError(line: a.line, column: a.column, message: "\(c.name) takes \(kind) here") }
        return text
    }

    private func string(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a string") { if case .string(let s) = $0 { return s }; return nil }
    }

    private func lambda(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        substitute(try argument(c, i, "a lambda: expression") { if case .lambda(let l) = $0 { return l }; return nil })
    }

    private func number(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a number") { if case .number(let n) = $0 { return n }; return nil }
    }

    private func duration(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a duration (10s, 5m)") { if case .duration(let d) = $0 { return d }; return nil }
    }

    private func literal(_ p: TICKTask.Property, _ i: Int) throws(TICKError) -> String {
        let a = try argument(p, i)
        switch a.value {
        case .number(let n): return n
        case .string(let s): return Self.quote(s)
        case .bool(let b): return b ? "true" : "false"
        default: throw TICKError(line: a.line, column: a.column, message: "\(p.name) takes a number, a string or a boolean here")
        }
    }

    /// The lambda's text with TICKscript variables replaced by their values (outside quotes).
    private func substitute(_ text: String) -> String {
        var out = ""
        var word = ""
        var quote: Character?
        func flushWord() {
            if let v = variables[word] { out += Self.lambdaLiteral(v) } else { out += word }
            word = ""
        }
        for ch in text {
            if let q = quote {
                out.append(ch)
                if ch == q { quote = nil }
                continue
            }
            if ch.isLetter || ch == "_" || (!word.isEmpty && ch.isNumber) {
                word.append(ch)
                continue
            }
            flushWord()
            if ch == "'" || ch == "\"" { quote = ch }
            out.append(ch)
        }
        flushWord()
        return out
    }

    static func lambdaLiteral(_ v: TICKTask.Value) -> String {
        switch v {
        case .string(let s): return "'" + s.replacingOccurrences(of: "'", with: "\\'") + "'"
        case .number(let n): return n
        case .duration(let d): return d
        case .lambda(let l): return "(\(l))"
        case .regex(let r): return r
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .star: return "*"
        case .list(let l): return "[" + l.map(lambdaLiteral).joined(separator: ", ") + "]"
        }
    }

    /// A YAML single-quoted scalar.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
