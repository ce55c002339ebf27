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

    private var lines: [(text: String, position: TICKNode.Position)] = []

    init(taskName: String, task: TICKTask) {
        self.taskName = taskName
        self.task = task
    }

    private static let start = TICKNode.Position(offset: 0, line: 1, column: 1)

    static let aggregates: Set<String> = ["count", "sum", "mean", "median", "mode", "spread", "stddev", "min", "max", "first",
                                          "last", "percentile", "top", "bottom", "distinct"]
    static let supportedNodes = "from, where, groupBy, window, count, sum, mean, median, mode, spread, stddev, min, max, first, last, percentile, top, bottom, distinct, derivative, difference, cumulativeSum, movingAverage, elapsed, eval, default, shift, stateDuration, stateCount, httpOut, deadman, alert"
    static let handlers = "kafka, log, post, tcp"
    /// The alert node's properties alertrelay runs (handlers aside).
    static let alertProperties = ["id", "message", "details", "category", "topic", "info", "warn", "crit", "infoReset",
                                  "warnReset", "critReset", "stateChangesOnly", "noRecoveries", "all", "flapping", "history",
                                  "idField", "idTag", "levelField", "levelTag", "messageField", "durationField", "inhibit"]
    /// Kapacitor 1.5's other alert-node properties, and what to write instead.
    static let otherAlertProperties = [
        "flapLow": "write .flapping(low, high)", "flapHigh": "write .flapping(low, high)",
        "stateChangesOnlyDuration": "write .stateChangesOnly(interval)",
        "quiet": "alertrelay reports every expression and template error of an alert",
    ]
    /// Kapacitor 1.5's alert handlers that need a service alertrelay does not have.
    static let otherHandlers: Set<String> = ["email", "exec", "victorOps", "pagerDuty", "pagerDuty2", "pushover",
                                             "sensu", "slack", "discord", "bigPanda", "telegram", "hipChat", "alerta", "mqtt",
                                             "snmpTrap", "teams", "serviceNow", "talk", "opsGenie", "opsGenie2"]

    mutating func compile() throws(TICKError) -> Output {
        add("id: \(Self.quote(taskName))", Self.start)
        if !task.dbrps.isEmpty {
            let pairs = task.dbrps.map { "{database: \(Self.quote($0.database)), retentionPolicy: \(Self.quote($0.retentionPolicy))}" }
            add("dbrp: [" + pairs.joined(separator: ", ") + "]", Self.start)
        }
        var nodes = task.nodes[...]
        guard let from = nodes.first, from.name == "from" else {
            throw TICKError(at: task.nodes.first?.position ?? Self.start, "a stream task starts with stream|from()")
        }
        nodes = nodes.dropFirst()
        var wheres: [(String, TICKNode.Position)] = []
        var groupBy: TICKTask.Property?
        for p in from.properties {
            switch p.name {
            case "measurement": add("measurement: \(Self.quote(try string(p, 0)))", p.position)
            case "where": wheres.append((try lambda(p, 0), p.position))
            case "groupBy": groupBy = p
            case "database", "retentionPolicy":
                add("\(p.name): \(Self.quote(try string(p, 0)))", p.position)
            default:
                throw TICKError(at: p.position, "from() has no property \(p.name) here (supported: measurement, where, groupBy, database, retentionPolicy)")
            }
        }
        // where and groupBy nodes right after from() belong to it.
        while let n = nodes.first, n.name == "where" || n.name == "groupBy" {
            if n.name == "where" { wheres.append((try lambda(n, 0), n.position)) } else {
                groupBy = TICKTask.Property(name: "groupBy", arguments: n.arguments, position: n.position)
            }
            nodes = nodes.dropFirst()
        }
        if !wheres.isEmpty {
            let text = wheres.count == 1 ? wheres[0].0 : wheres.map { "(\($0.0))" }.joined(separator: " AND ")
            add("where: \(Self.quote(text))", wheres[0].1)
        }
        if let g = groupBy {
            if g.arguments.contains(where: { $0.value == .star }) {
                add("groupBy: '*'", g.position)
            } else {
                var names: [String] = []
                for a in g.arguments {
                    guard case .string(let s) = a.value else {
                        throw TICKError(at: a.position, "groupBy takes tag names as strings, or *")
                    }
                    names.append(s)
                }
                add("groupBy: [" + names.map(Self.quote).joined(separator: ", ") + "]", g.position)
            }
        }
        var alert: TICKTask.Node?
        var alertHTTPOut: (String, TICKNode.Position)?
        var steps: [(String, TICKNode.Position)] = []
        while let n = nodes.first {
            nodes = nodes.dropFirst()
            switch n.name {
            case "alert", "deadman":
                alert = n
            case "window":
                steps.append((try window(n), n.position))
            case _ where Self.aggregates.contains(n.name):
                steps.append((try aggregate(n), n.position))
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
                steps.append(("derivative: {\(parts.joined(separator: ", "))}", n.position))
            case "difference", "cumulativeSum", "movingAverage", "elapsed":
                var parts = ["field: \(Self.quote(try string(n, 0)))"]
                if n.name == "movingAverage" { parts.append("window: \(try int(n, 1))") }
                if n.name == "elapsed" { parts.append("unit: \(try duration(n, 1))") }
                for p in n.properties {
                    guard p.name == "as" else { throw unknownProperty(p, of: n, "as") }
                    parts.append("as: \(Self.quote(try string(p, 0)))")
                }
                steps.append(("\(n.name): {\(parts.joined(separator: ", "))}", n.position))
            case "eval":
                var lambdas: [String] = []
                for i in n.arguments.indices { lambdas.append(Self.quote(try lambda(n, i))) }
                var parts = ["lambdas: [" + lambdas.joined(separator: ", ") + "]"]
                for p in n.properties {
                    switch p.name {
                    case "as": parts.append("as: " + (try stringList(p)))
                    case "keep": parts.append(p.arguments.isEmpty ? "keep: true" : "keep: " + (try stringList(p)))
                    case "tags": parts.append("tags: " + (try stringList(p)))
                    case "quiet": parts.append("quiet: true")
                    default: throw unknownProperty(p, of: n, "as, keep, tags, quiet")
                    }
                }
                steps.append(("eval: {\(parts.joined(separator: ", "))}", n.position))
            case "default":
                var fields: [String] = [], tags: [String] = []
                for p in n.properties {
                    switch p.name {
                    case "field": fields.append("\(Self.quote(try string(p, 0))): \(try literal(p, 1))")
                    case "tag": tags.append("\(Self.quote(try string(p, 0))): \(Self.quote(try string(p, 1)))")
                    default: throw unknownProperty(p, of: n, "field, tag")
                    }
                }
                steps.append(("default: {fields: {\(fields.joined(separator: ", "))}, tags: {\(tags.joined(separator: ", "))}}", n.position))
            case "shift":
                steps.append(("shift: \(try duration(n, 0))", n.position))
            case "where":
                steps.append(("where: \(Self.quote(try lambda(n, 0)))", n.position))
            case "stateDuration", "stateCount":
                var parts = ["lambda: \(Self.quote(try lambda(n, 0)))"]
                for p in n.properties {
                    switch p.name {
                    case "unit" where n.name == "stateDuration": parts.append("unit: \(try duration(p, 0))")
                    case "as": parts.append("as: \(Self.quote(try string(p, 0)))")
                    default: throw unknownProperty(p, of: n, n.name == "stateDuration" ? "unit, as" : "as")
                    }
                }
                steps.append(("\(n.name): {\(parts.joined(separator: ", "))}", n.position))
            case "httpOut":
                steps.append(("httpOut: \(Self.quote(try httpOutName(n)))", n.position))
            case "groupBy":
                throw TICKError(at: n.position, "groupBy after other nodes is not supported: group in from() or right after it")
            case "httpPost":
                // Kapacitor's node POSTs every point and waits for the answer before the point
                // goes on (codeField puts the status in it): an HTTP round trip inside the
                // pipeline, which the relay's engine never waits on.
                throw TICKError(at: n.position, "node httpPost() is not supported: it posts each point synchronously inside the task; alert().post() (with .endpoint(), .header(), .timeout(), .skipSSLVerification(), .captureResponse()) posts alerts asynchronously (supported: \(Self.supportedNodes))")
            default:
                throw TICKError(at: n.position, "node \(n.name)() is not supported (supported: \(Self.supportedNodes))")
            }
            if alert != nil {
                // The alert may hand its points to one httpOut, which ends the task.
                if let out = nodes.first, out.name == "httpOut" {
                    alertHTTPOut = (try httpOutName(out), out.position)
                    nodes = nodes.dropFirst()
                }
                if let extra = nodes.first {
                    throw TICKError(at: extra.position, "node \(extra.name)() after the alert\(alertHTTPOut == nil ? "" : "'s httpOut") is not supported: the alert (and an httpOut after it) ends the task")
                }
                break
            }
        }
        guard let alertNode = alert else {
            throw TICKError(at: task.nodes.last?.position ?? Self.start, "the task has no alert(): alertrelay runs alert tasks")
        }
        if !steps.isEmpty {
            add("steps:", steps[0].1)
            for s in steps { add("  - " + s.0, s.1) }
        }
        try compileAlert(alertNode)
        if let (name, position) = alertHTTPOut { add("httpOut: \(Self.quote(name))", position) }
        var yaml = ""
        var places: [Int: (Int, Int)] = [:]
        for (i, l) in lines.enumerated() {
            yaml += l.text + "\n"
            places[i + 1] = (l.position.line, l.position.column)
        }
        return Output(yaml: yaml, places: places)
    }

    /// Adds a YAML line; a property set again replaces the earlier value, as Kapacitor's setter does.
    private mutating func add(_ text: String, _ position: TICKNode.Position) {
        if let colon = text.firstIndex(of: ":"), text.first?.isWhitespace == false, text[text.index(after: colon)...].hasPrefix(" ") {
            let key = text[...colon]
            lines.removeAll { $0.text.hasPrefix(key + " ") }
        }
        lines.append((text, position))
    }

    /// `httpOut('name')`: the name, and no properties (Kapacitor's node has none).
    private func httpOutName(_ n: TICKTask.Node) throws(TICKError) -> String {
        if let p = n.properties.first { throw unknownProperty(p, of: n, "none") }
        return try string(n, 0)
    }

    private func unknownProperty(_ p: TICKTask.Property, of n: TICKTask.Node, _ known: String) -> TICKError {
        TICKError(at: p.position, "\(n.name)() has no property \(p.name) (supported: \(known))")
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
                throw TICKError(at: p.position, "windows by point count (\(p.name)) are not supported: use period and every")
            default: throw unknownProperty(p, of: n, "period, every, align, fillPeriod")
            }
        }
        return "window: {\(parts.joined(separator: ", "))}"
    }

    private mutating func aggregate(_ n: TICKTask.Node) throws(TICKError) -> String {
        var parts: [String] = []
        switch n.name {
        case "percentile":
            parts = ["field: \(Self.quote(try string(n, 0)))", "percentile: \(try float(n, 1))"]
        case "top", "bottom":
            parts = ["n: \(try int(n, 0))", "field: \(Self.quote(try string(n, 1)))"]
            if n.arguments.count > 2 {
                var names: [String] = []
                for i in 2..<n.arguments.count { names.append(Self.quote(try string(n, i))) }
                parts.append("fieldsAndTags: [" + names.joined(separator: ", ") + "]")
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
            add("deadman: {threshold: \(try float(n, 0)), interval: \(try duration(n, 1))}", n.position)
            if n.arguments.count > 2 {
                throw TICKError(at: n.arguments[2].position, "deadman's extra expressions are not supported")
            }
        }
        var kafka: [(String, TICKNode.Position)] = []
        var logs: [(String, TICKNode.Position)] = []
        var posts: [(String, TICKNode.Position)] = []
        var tcps: [(String, TICKNode.Position)] = []
        var postHeaders: [String] = []
        var inhibits: [(String, TICKNode.Position)] = []
        var current: (kind: String, parts: [String], position: TICKNode.Position)?
        func flush() {
            guard var c = current else { return }
            if c.kind == "post", !postHeaders.isEmpty { c.parts.append("headers: {\(postHeaders.joined(separator: ", "))}") }
            postHeaders = []
            let text = "  - {" + c.parts.joined(separator: ", ") + "}"
            switch c.kind {
            case "kafka": kafka.append((text, c.position))
            case "post": posts.append((text, c.position))
            case "tcp": tcps.append((text, c.position))
            default: logs.append((text, c.position))
            }
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
                case ("log", "mode"):
                    let a = try argument(p, 0)
                    guard case .int(let mode) = a.value, (0...0o777).contains(mode) else {
                        throw TICKError(at: a.position, "mode takes file permission bits such as 0644")
                    }
                    current?.parts.append("mode: '0\(String(mode, radix: 8))'")
                    handled = true
                case ("post", "endpoint"): current?.parts.append("endpoint: \(Self.quote(try string(p, 0)))"); handled = true
                case ("post", "header"):
                    postHeaders.append("\(Self.quote(try string(p, 0))): \(Self.quote(try string(p, 1)))")
                    handled = true
                case ("post", "captureResponse"): current?.parts.append("captureResponse: true"); handled = true
                case ("post", "timeout"): current?.parts.append("timeout: \(try duration(p, 0))"); handled = true
                case ("post", "skipSSLVerification"): current?.parts.append("skipSSLVerification: true"); handled = true
                default: handled = false
                }
                if handled { continue }
                flush()
            }
            switch p.name {
            case "id": add("alertId: \(Self.quote(try string(p, 0)))", p.position)
            case "message", "details", "category", "topic",
                 "idField", "idTag", "levelField", "levelTag", "messageField", "durationField":
                add("\(p.name): \(Self.quote(try string(p, 0)))", p.position)
            case "info", "warn", "crit", "infoReset", "warnReset", "critReset":
                add("\(p.name): \(Self.quote(try lambda(p, 0)))", p.position)
            case "stateChangesOnly":
                add(p.arguments.isEmpty ? "stateChangesOnly: true" : "stateChangesOnly: \(try duration(p, 0))", p.position)
            case "noRecoveries": add("noRecoveries: true", p.position)
            case "all": add("all: true", p.position)
            case "flapping": add("flapping: {low: \(try float(p, 0)), high: \(try float(p, 1))}", p.position)
            case "history": add("history: \(try int(p, 0))", p.position)
            case "inhibit":
                var tags: [String] = []
                for i in 1..<max(p.arguments.count, 1) { tags.append(Self.quote(try string(p, i))) }
                inhibits.append(("  - {category: \(Self.quote(try string(p, 0))), tags: [\(tags.joined(separator: ", "))]}", p.position))
            case "kafka": current = ("kafka", [], p.position)
            case "log": current = ("log", ["path: \(Self.quote(try string(p, 0)))"], p.position)
            case "post":
                if p.arguments.count > 1 { throw TICKError(at: p.arguments[1].position, "post takes one URL") }
                current = ("post", p.arguments.isEmpty ? [] : ["url: \(Self.quote(try string(p, 0)))"], p.position)
            case "tcp": current = ("tcp", ["address: \(Self.quote(try string(p, 0)))"], p.position)
            case _ where Self.otherHandlers.contains(p.name):
                throw TICKError(at: p.position, "alert handler \(p.name) is not supported (handlers: \(Self.handlers))")
            case _ where Self.otherAlertProperties[p.name] != nil:
                throw TICKError(at: p.position, "alert() property \(p.name) is not supported: \(Self.otherAlertProperties[p.name]!) (properties: \(Self.alertProperties.joined(separator: ", ")); handlers: \(Self.handlers))")
            default:
                throw TICKError(at: p.position, "alert() has no property \(p.name) (properties: \(Self.alertProperties.joined(separator: ", ")); handlers: \(Self.handlers))")
            }
        }
        flush()
        if !inhibits.isEmpty {
            add("inhibit:", inhibits[0].1)
            for i in inhibits { add(i.0, i.1) }
        }
        if !kafka.isEmpty {
            add("kafka:", kafka[0].1)
            for k in kafka { add(k.0, k.1) }
        }
        if !logs.isEmpty {
            add("log:", logs[0].1)
            for l in logs { add(l.0, l.1) }
        }
        if !posts.isEmpty {
            add("post:", posts[0].1)
            for l in posts { add(l.0, l.1) }
        }
        if !tcps.isEmpty {
            add("tcp:", tcps[0].1)
            for l in tcps { add(l.0, l.1) }
        }
    }

    // MARK: Arguments

    private func argument(_ c: some TICKCall, _ i: Int) throws(TICKError) -> TICKTask.Argument {
        guard i < c.arguments.count else { throw TICKError(at: c.position, "\(c.name) needs argument \(i + 1)") }
        return c.arguments[i]
    }

    /// Argument `i` of `c` as YAML text, when it is the kind `extract` accepts; else an error naming `kind`.
    private func argument(_ c: some TICKCall, _ i: Int, _ kind: String, _ extract: (TICKTask.Value) throws(TICKError) -> String?) throws(TICKError) -> String {
        let a = try argument(c, i)
        guard let text = try extract(a.value) else {
            if case .reference = a.value, kind == "a string" {
                // Kapacitor's own hint, at the call as Kapacitor places it.
                throw TICKError(at: c.position, "\(c.name) takes a string: did you use double quotes instead of single quotes?")
            }
            throw TICKError(at: a.position, "\(c.name) takes \(kind) here, not \(a.value.kindDescription)")
        }
        return text
    }

    private func string(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a string") { if case .string(let s) = $0 { return s }; return nil }
    }

    /// A lambda's expression as text.
    private func lambda(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a lambda: expression") { (v) throws(TICKError) in
            if case .lambda(let e) = v { return try e.expressionText() }
            return nil
        }
    }

    /// Kapacitor's int64 arguments: an integer, not a float.
    private func int(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "an integer") { if case .int(let n) = $0 { return String(n) }; return nil }
    }

    /// Kapacitor's float64 arguments: a float (`1.0`, not `1`: Kapacitor refuses an integer there).
    private func float(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a float (write 1.0 for one)") { if case .float(let f) = $0 { return TICKNode.floatLiteral(f) }; return nil }
    }

    private func duration(_ c: some TICKCall, _ i: Int) throws(TICKError) -> String {
        try argument(c, i, "a duration (10s, 5m)") { (v) throws(TICKError) in
            guard case .duration(let d) = v else { return nil }
            return TICKNode.durationLiteral(d) ?? "\(d)ns"
        }
    }

    private func stringList(_ p: TICKTask.Property) throws(TICKError) -> String {
        var items: [String] = []
        for i in p.arguments.indices { items.append(Self.quote(try string(p, i))) }
        return "[" + items.joined(separator: ", ") + "]"
    }

    private func literal(_ p: TICKTask.Property, _ i: Int) throws(TICKError) -> String {
        let a = try argument(p, i)
        switch a.value {
        case .int(let n): return String(n)
        case .float(let f): return TICKNode.floatLiteral(f)
        case .string(let s): return Self.quote(s)
        case .bool(let b): return b ? "true" : "false"
        default: throw TICKError(at: a.position, "\(p.name) takes a number, a string or a boolean here, not \(a.value.kindDescription)")
        }
    }

    /// A YAML single-quoted scalar.
    static func quote(_ s: String) -> String { "'" + s.replacing("'", with: "''") + "'" }
}
