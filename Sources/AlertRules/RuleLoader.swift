#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GoTemplate
import LineProtocol

/// Reads rule files and handler files (YAML) into compiled rules and handlers.
///
/// A rule file holds one rule (a mapping), a list of rules, or several YAML documents.
/// A handler file holds Kapacitor's handler spec: `id`, `topic`, `kind`, `match`, `options`.
public struct RuleLoader {
    /// The enabled `[[kafka]]` ids: a handler naming another cluster is an error; a handler
    /// naming none uses the only cluster when there is exactly one.
    public var clusters: [String]
    /// The `[[httppost]]` endpoints a `post` handler may name.
    public var postEndpoints: [PostEndpoint]

    public init(clusters: [String], postEndpoints: [PostEndpoint] = []) {
        self.clusters = clusters
        self.postEndpoints = postEndpoints
    }

    static let ruleKeys = ["id", "measurement", "where", "groupBy", "info", "warn", "crit", "infoReset", "warnReset",
                           "critReset", "alertId", "message", "details", "stateChangesOnly", "noRecoveries", "flapping",
                           "history", "category", "topic", "kafka", "log", "post", "tcp", "maxGroups", "steps", "deadman", "all", "inhibit",
                           "database", "retentionPolicy", "dbrp"]
        + RuleLoader.outputKeys + RuleLoader.stepKeys.filter { $0 != "httpOut" } + ["httpOut"]
    /// The alert node's output properties: what it adds to the points it emits.
    static let outputKeys = ["idField", "idTag", "levelField", "levelTag", "messageField", "durationField"]
    static let kafkaKeys = ["cluster", "topic", "template", "disablePartitionById", "partitionAlgorithm"]
    static let logKeys = ["path", "mode"]
    static let thresholdKeys: [(String, String)] = [("below", "<"), ("above", ">"), ("atMost", "<="), ("atLeast", ">="),
                                                    ("equals", "=="), ("notEquals", "!=")]

    /// The YAML files (`.yaml`, `.yml`) of a directory, sorted by name; none if it does not exist.
    public static func yamlFiles(in directory: String) throws(RuleLoadErrors) -> [String] {
        var st = stat()
        guard stat(directory, &st) == 0 else { return [] }  // follows links, as FileManager.fileExists did
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw RuleLoadErrors(errors: [RuleLoadError(SourceLocation(file: directory, line: 1, column: 1), "not a directory")])
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { directory + "/" + $0 }
    }

    /// Loads rule and handler files; collects every problem before throwing.
    public func load(ruleFiles: [String], handlerFiles: [String]) throws(RuleLoadErrors) -> RuleSet {
        var errors: [RuleLoadError] = []
        var set = RuleSet(ruleFiles: ruleFiles, handlerFiles: handlerFiles)
        for f in ruleFiles {
            do throws(RuleLoadErrors) {
                set.rules += f.hasSuffix(".tick") ? try rules(tick: try Self.read(f), file: f) : try rules(text: try Self.read(f), file: f)
            } catch { errors += error.errors }
        }
        var seen: [String: SourceLocation] = [:]
        for r in set.rules {
            if let first = seen[r.id] {
                errors.append(RuleLoadError(r.location, "rule id \"\(r.id)\" is already used at \(first)"))
            } else {
                seen[r.id] = r.location
            }
        }
        var handlerIDs: [String: SourceLocation] = [:]
        for f in handlerFiles {
            do throws(RuleLoadErrors) {
                for h in try handlers(text: try Self.read(f), file: f) {
                    if let first = handlerIDs[h.id] {
                        errors.append(RuleLoadError(h.location, "handler id \"\(h.id)\" is already used at \(first)"))
                    }
                    handlerIDs[h.id] = h.location
                    set.handlers.append(h)
                }
            } catch { errors += error.errors }
        }
        // In file and line order: the loader reads a file's rules in order, but a rule's
        // properties in the order they are checked.
        let fileOrder = Dictionary(zip(ruleFiles + handlerFiles, 0...), uniquingKeysWith: { a, _ in a })
        errors = errors.enumerated().sorted { a, b in
            let x = a.element.location, y = b.element.location
            let fx = fileOrder[x.file] ?? Int.max, fy = fileOrder[y.file] ?? Int.max
            return (fx, x.line, x.column, a.offset) < (fy, y.line, y.column, b.offset)
        }.map(\.element)
        if !errors.isEmpty { throw RuleLoadErrors(errors: errors) }
        return set
    }

    static func read(_ path: String) throws(RuleLoadErrors) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleLoadErrors(errors: [RuleLoadError(SourceLocation(file: path, line: 1, column: 1), "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleLoadErrors(errors: [RuleLoadError(SourceLocation(file: path, line: 1, column: 1), "the file is not UTF-8 text")])
        }
        return text
    }

    // MARK: Rules

    /// The rules of one file's text.
    public func rules(text: String, file: String) throws(RuleLoadErrors) -> [AlertRule] {
        let docs: [YAMLValue]
        do throws(RuleLoadError) { docs = try yamlDocuments(text, file: file) } catch { throw RuleLoadErrors(errors: [error]) }
        var out: [AlertRule] = []
        var errors: [RuleLoadError] = []
        for doc in docs {
            for item in doc.list() {
                do throws(RuleLoadErrors) { out.append(try rule(item)) } catch { errors += error.errors }
            }
        }
        if !errors.isEmpty { throw RuleLoadErrors(errors: errors) }
        return out
    }

    func rule(_ v: YAMLValue) throws(RuleLoadErrors) -> AlertRule {
        // Each property is read on its own: a mistake in one is reported and the others are still
        // read, so one run lists every problem of the rule.
        var errors: [RuleLoadError] = []
        func attempt<T>(_ body: () throws(RuleLoadError) -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        func attemptAll<T>(_ body: () throws(RuleLoadErrors) -> T) -> T? {
            do { return try body() } catch { errors += error.errors; return nil }
        }
        let m: YAMLMap
        do throws(RuleLoadError) { m = try YAMLMap(v, what: "rule") } catch { throw RuleLoadErrors(errors: [error]) }
        guard let idValue = m["id"] else { throw RuleLoadErrors(errors: [v.error("rule: \"id\" is required (the rule's name, Kapacitor's task name)")]) }
        let id: String
        do throws(RuleLoadError) {
            id = try idValue.string("id")
            guard !id.isEmpty else { throw idValue.error("id must not be empty") }
        } catch { throw RuleLoadErrors(errors: [error]) }
        let what = "rule \"\(id)\""
        errors += m.unknownKeyErrors(Self.ruleKeys, what: what)
        var slots = 0
        let measurement = attempt { () throws(RuleLoadError) in try m["measurement"].map { (x) throws(RuleLoadError) in try x.string("measurement") } } ?? nil
        // The `where` filter's stateful functions have one state for the rule (Kapacitor's from node).
        var filterSlots = 0
        let filter = attempt { () throws(RuleLoadError) in
            try m["where"].map { (x) throws(RuleLoadError) in try expression(x, key: "where", rule: what, slots: &filterSlots) }
        } ?? nil
        let stepsRead = attempt { () throws(RuleLoadError) in try self.steps(m, rule: what, task: id) }
        let chain = stepsRead ?? []
        let httpOut = stepsRead == nil ? nil : attempt { () throws(RuleLoadError) in try alertHTTPOut(m, rule: what, task: id, steps: chain) } ?? nil
        var groupBy = GroupBy.none
        if let g = m["groupBy"] {
            var names: [String] = []
            var star = false
            for item in g.list() {
                guard let name = attempt({ () throws(RuleLoadError) in try item.string("groupBy") }) else { continue }
                if name == "*" { star = true } else { names.append(name) }
            }
            groupBy = star ? .all : .tags(names.sorted { LambdaBinary.goOrder($0, $1) < 0 })
        }
        let destinations = attempt { () throws(RuleLoadError) in try destinationFilter(m, what: what) } ?? DestinationFilter()
        var levels: [LambdaExpression?] = [nil, nil, nil, nil]
        var resets: [LambdaExpression?] = [nil, nil, nil, nil]
        var texts: [String?] = [nil, nil, nil, nil]
        var levelFailed = false
        for (key, level) in [("info", AlertLevel.info), ("warn", .warning), ("crit", .critical)] {
            if let x = m[key] {
                if let e = attempt({ () throws(RuleLoadError) in try expression(x, key: key, rule: what, slots: &slots) }) {
                    levels[level.rawValue] = e
                    texts[level.rawValue] = e.description
                } else {
                    levelFailed = true
                }
            }
            if let x = m[key + "Reset"] {
                resets[level.rawValue] = attempt { () throws(RuleLoadError) in try expression(x, key: key + "Reset", rule: what, slots: &slots) }
            }
        }
        var deadman: DeadmanSpec?
        if let d = m["deadman"] {
            if let level = ["info", "warn", "crit"].first(where: { m[$0] != nil }) {
                errors.append(m[level]!.error("\(what): \(level) cannot be used with deadman: the deadman's level is CRITICAL when the rate is at most its threshold"))
                levelFailed = true
            } else if stepsRead != nil, let spec = attempt({ () throws(RuleLoadError) in try deadmanSpec(d, rule: what, steps: chain) }) {
                let threshold = "\"emitted\" <= \(GoJSON.plainFloat(spec.threshold))\(spec.threshold.rounded() == spec.threshold ? ".0" : "")"
                if let crit = attempt({ () throws(RuleLoadError) in
                    try expression(YAMLValue(node: .scalar(.init(threshold)), file: d.file), key: "deadman", rule: what, slots: &slots)
                }) {
                    levels[AlertLevel.critical.rawValue] = crit
                    texts[AlertLevel.critical.rawValue] = crit.description
                }
                deadman = spec
            } else {
                levelFailed = true
            }
        }
        if levels.allSatisfy({ $0 == nil }) && !levelFailed {
            errors.append(v.error("\(what): at least one of info, warn or crit (or deadman) is required"))
        }
        let idTemplate = attempt { () throws(RuleLoadError) in
            try template(m["alertId"], key: "alertId", rule: what, default: deadman?.defaultIDTemplate ?? AlertRule.defaultIDTemplate, html: false)
        }
        let message = attempt { () throws(RuleLoadError) in
            try template(m["message"], key: "message", rule: what, default: deadman?.defaultMessageTemplate ?? AlertRule.defaultMessageTemplate, html: false)
        }
        let details = attempt { () throws(RuleLoadError) in
            try template(m["details"], key: "details", rule: what, default: AlertRule.defaultDetailsTemplate, html: true)
        }
        var stateChangesOnly = false
        var resend: Int64 = 0
        if let s = m["stateChangesOnly"] {
            if case .scalar(let sc) = s.node, ["true", "false", "True", "False", "TRUE", "FALSE"].contains(sc.string) {
                stateChangesOnly = attempt { () throws(RuleLoadError) in try s.bool("stateChangesOnly") } ?? false
            } else if let interval = attempt({ () throws(RuleLoadError) in try s.duration("stateChangesOnly") }) {
                if interval > 0 { resend = interval } else { errors.append(s.error("stateChangesOnly: the resend interval must be positive")) }
                stateChangesOnly = true
            }
        }
        let noRecoveries = attempt { () throws(RuleLoadError) in
            try m["noRecoveries"].map { (x) throws(RuleLoadError) in try x.bool("noRecoveries") } ?? false
        } ?? false
        let flapping = attempt { () throws(RuleLoadError) -> (low: Double, high: Double)? in
            guard let f = m["flapping"] else { return nil }
            let fm = try YAMLMap(f, what: "flapping")
            try fm.checkKeys(["low", "high"], what: "flapping")
            guard let lowV = fm["low"], let highV = fm["high"] else { throw f.error("flapping needs both low and high (fractions between 0 and 1)") }
            let low = try lowV.double("flapping.low"), high = try highV.double("flapping.high")
            guard (0...1).contains(low), (0...1).contains(high) else {
                throw f.error("alert flap thresholds are percentages and should be between 0 and 1")
            }
            return (low, high)
        } ?? nil
        let history = attempt { () throws(RuleLoadError) in
            guard let h = m["history"] else { return AlertRule.defaultHistory }
            let n = try h.int("history")
            guard n >= 2 else { throw h.error("history must be at least 2") }
            guard n <= AlertRule.maxHistory else { throw h.error("history must be at most \(AlertRule.maxHistory) (every group keeps that many levels)") }
            return n
        } ?? AlertRule.defaultHistory
        let maxGroups = attempt { () throws(RuleLoadError) -> Int? in
            guard let g = m["maxGroups"] else { return nil }
            let n = try g.int("maxGroups")
            guard n >= 1 else { throw g.error("maxGroups must be at least 1") }
            return n
        } ?? nil
        let category = attempt { () throws(RuleLoadError) in
            try m["category"].map { (x) throws(RuleLoadError) in try x.string("category") } ?? ""
        } ?? ""
        let topic = attempt { () throws(RuleLoadError) -> String? in
            let topic = try m["topic"].map { (x) throws(RuleLoadError) in try x.string("topic") }
            if let t = topic, t.isEmpty { throw v.error("\(what): topic must not be empty") }
            return topic
        } ?? nil
        var output = AlertOutputProperties()
        for key in Self.outputKeys {
            guard let x = m[key] else { continue }
            guard let name = attempt({ () throws(RuleLoadError) in try x.string(key) }) else { continue }
            guard !name.isEmpty else {
                errors.append(x.error("\(what): \(key) must name a \(key.hasSuffix("Tag") ? "tag" : "field")"))
                continue
            }
            switch key {
            case "idField": output.idField = name
            case "idTag": output.idTag = name
            case "levelField": output.levelField = name
            case "levelTag": output.levelTag = name
            case "messageField": output.messageField = name
            default: output.durationField = name
            }
        }
        var inhibitors: [AlertInhibitor] = []
        for item in m["inhibit"]?.list() ?? [] {
            let inhibitor = attempt { () throws(RuleLoadError) in
                let im = try YAMLMap(item, what: "inhibit")
                try im.checkKeys(["category", "tags"], what: "inhibit")
                guard let c = im["category"] else { throw item.error("\(what): inhibit needs a category (the category of the alerts it holds back)") }
                var tags: [String] = []
                for t in im["tags"]?.list() ?? [] { tags.append(try t.string("inhibit.tags")) }
                return AlertInhibitor(category: try c.string("inhibit.category"), equalTags: tags)
            }
            if let inhibitor { inhibitors.append(inhibitor) }
        }
        var handlers: [AlertHandler] = []
        if let k = m["kafka"] {
            for (i, item) in k.list().enumerated() {
                guard let action = attemptAll({ () throws(RuleLoadErrors) in try kafkaOptions(Self.map(item, what: "kafka"), what: "\(what) kafka") }) else { continue }
                handlers.append(AlertHandler(id: "\(id):kafka:\(i)", topic: nil, match: nil, action: action, location: item.location))
            }
        }
        if let l = m["log"] {
            for (i, item) in l.list().enumerated() {
                guard let action = attemptAll({ () throws(RuleLoadErrors) in try logOptions(Self.map(item, what: "log"), what: "\(what) log") }) else { continue }
                handlers.append(AlertHandler(id: "\(id):log:\(i)", topic: nil, match: nil, action: action, location: item.location))
            }
        }
        for kind in ["post", "tcp"] {
            for (i, item) in (m[kind]?.list() ?? []).enumerated() {
                guard let action = attemptAll({ () throws(RuleLoadErrors) in
                    let im = try Self.map(item, what: kind)
                    do throws(RuleLoadError) {
                        return kind == "post" ? try postOptions(im, what: "\(what) post") : try tcpOptions(im, what: "\(what) tcp")
                    } catch { throw RuleLoadErrors(errors: [error]) }
                }) else { continue }
                handlers.append(AlertHandler(id: "\(id):\(kind):\(i)", topic: nil, match: nil, action: action, location: item.location))
            }
        }
        let all = attempt { () throws(RuleLoadError) in try m["all"].map { (x) throws(RuleLoadError) in try x.bool("all") } ?? false } ?? false
        guard errors.isEmpty, let idTemplate, let message, let details else { throw RuleLoadErrors(errors: errors) }
        return AlertRule(id: id, measurement: measurement, filter: filter, groupBy: groupBy, levels: levels, resets: resets,
                         idTemplate: idTemplate, messageTemplate: message, detailsTemplate: details,
                         stateChangesOnly: stateChangesOnly, stateChangesOnlyResend: resend, noRecoveries: noRecoveries,
                         flapping: flapping, history: history, category: category, topic: topic, handlers: handlers,
                         functionSlots: slots, location: v.location, levelTexts: texts, maxGroups: maxGroups,
                         steps: chain, filterSlots: filterSlots, deadman: deadman, all: all, output: output,
                         inhibitors: inhibitors, httpOut: httpOut, destinations: destinations)
    }

    /// `database`, `retentionPolicy` and `dbrp` (Kapacitor's `from().database()`,
    /// `.retentionPolicy()` and `dbrp "db"."rp"`).
    func destinationFilter(_ m: YAMLMap, what: String) throws(RuleLoadError) -> DestinationFilter {
        var filter = DestinationFilter()
        if let d = m["database"] { filter.database = try d.string("database") }
        if let r = m["retentionPolicy"] { filter.retentionPolicy = try r.string("retentionPolicy") }
        for item in m["dbrp"]?.list() ?? [] {
            let dm = try YAMLMap(item, what: "dbrp")
            try dm.checkKeys(["database", "retentionPolicy"], what: "\(what): dbrp")
            guard let db = dm["database"], let rp = dm["retentionPolicy"] else {
                throw item.error("\(what): dbrp needs database and retentionPolicy, as TICKscript's dbrp \"db\".\"rp\"")
            }
            filter.dbrps.append(PointDestination(database: try db.string("dbrp.database"), retentionPolicy: try rp.string("dbrp.retentionPolicy")))
        }
        return filter
    }

    /// A lambda expression: a string, or a threshold mapping `{field: usage_idle, below: 10}`.
    func expression(_ v: YAMLValue, key: String, rule: String, slots: inout Int) throws(RuleLoadError) -> LambdaExpression {
        var text: String
        var structured = false
        if case .mapping = v.node {
            let m = try YAMLMap(v, what: key)
            try m.checkKeys(["field"] + Self.thresholdKeys.map(\.0), what: key)
            guard let f = m["field"] else { throw v.error("\(key): a threshold needs \"field\" and one of below, above, atMost, atLeast, equals, notEquals") }
            let field = try f.string("field")
            let ops = Self.thresholdKeys.filter { m[$0.0] != nil }
            guard ops.count == 1, let (opKey, op) = ops.first, let valueNode = m[opKey] else {
                throw v.error("\(key): a threshold needs exactly one of below, above, atMost, atLeast, equals, notEquals")
            }
            guard case .scalar(let s) = valueNode.node else { throw valueNode.error("\(key).\(opKey) must be a number, a string or a boolean") }
            let literal: String
            if s.style == .plain, let i = Int64(s.string) {
                literal = i < 0 ? "(\(i))" : String(i)
            } else if s.style == .plain, let d = Double(s.string), d.isFinite {
                var f = GoJSON.plainFloat(Swift.abs(d))
                if !f.contains(".") { f += ".0" }
                literal = d < 0 ? "(-\(f))" : f
            } else if s.style == .plain, ["true", "false"].contains(s.string.lowercased()) {
                literal = s.string.lowercased() == "true" ? "TRUE" : "FALSE"
            } else {
                literal = "'" + s.string.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
            }
            text = "\"" + field.replacing("\"", with: "\\\"") + "\" \(op) " + literal
            structured = true
        } else {
            text = try v.string(key)
        }
        do throws(LambdaError) {
            let e = try LambdaExpression(text, dialect: .rule, slots: &slots)
            if let t = e.staticType, t != .boolean {
                throw LambdaError("the expression must be a condition (boolean), but it gives \(t)")
            }
            if Self.isNeverBoolean(e.node) {
                throw LambdaError("the expression must be a condition (boolean), but it gives a number, string or duration")
            }
            return e
        } catch {
            let loc = structured || error.line == nil ? v.location : v.location(ofTextLine: error.line ?? 1, column: error.column ?? 1)
            throw RuleLoadError(loc, "\(rule): \(key): \(error.message)\(structured ? " (in \(text))" : "")")
        }
    }

    /// Expressions whose result can never be a boolean whatever the data (`"v" + 1`).
    static func isNeverBoolean(_ n: LambdaNode) -> Bool {
        switch n {
        case .binary(let op, _, _, _): return op.kind == "math"
        case .unary(.minus, _, _), .int, .float, .string, .duration, .regex: return true
        default: return false
        }
    }

    func template(_ v: YAMLValue?, key: String, rule: String, default text: String, html: Bool) throws(RuleLoadError) -> Template {
        let source = try v.map { (x) throws(RuleLoadError) in try x.string(key) } ?? text
        do throws(TemplateParseError) {
            return try Template(name: key, text: source, functions: html ? KapacitorContext.detailsFunctions : [:], htmlEscaping: html)
        } catch {
            throw (v ?? YAMLValue(node: .scalar(.init("")), file: "")).error("\(rule): \(key): \(error)")
        }
    }
}
