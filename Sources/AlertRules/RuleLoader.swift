import Foundation
import GoTemplate
import Yams

/// Rules and handlers loaded from files, checked against each other and the Kafka clusters.
public struct RuleSet: Sendable {
    public var rules: [AlertRule]
    public var handlers: [AlertHandler]
    public var ruleFiles: [String]
    public var handlerFiles: [String]
    public init(rules: [AlertRule] = [], handlers: [AlertHandler] = [], ruleFiles: [String] = [], handlerFiles: [String] = []) {
        self.rules = rules
        self.handlers = handlers
        self.ruleFiles = ruleFiles
        self.handlerFiles = handlerFiles
    }
}

/// Reads rule files and handler files (YAML) into compiled rules and handlers.
///
/// A rule file holds one rule (a mapping), a list of rules, or several YAML documents.
/// A handler file holds Kapacitor's handler spec: `id`, `topic`, `kind`, `match`, `options`.
public struct RuleLoader {
    /// The enabled `[[kafka]]` ids: a handler naming another cluster is an error; a handler
    /// naming none uses the only cluster when there is exactly one.
    public var clusters: [String]

    public init(clusters: [String]) { self.clusters = clusters }

    static let ruleKeys = ["id", "measurement", "where", "groupBy", "info", "warn", "crit", "infoReset", "warnReset",
                           "critReset", "alertId", "message", "details", "stateChangesOnly", "noRecoveries", "flapping",
                           "history", "category", "topic", "kafka", "log", "maxGroups", "steps", "deadman", "all", "inhibit"]
        + RuleLoader.outputKeys + RuleLoader.stepKeys.filter { $0 != "httpOut" } + ["httpOut"]
    /// The alert node's output properties: what it adds to the points it emits.
    static let outputKeys = ["idField", "idTag", "levelField", "levelTag", "messageField", "durationField"]
    static let kafkaKeys = ["cluster", "topic", "template", "disablePartitionById", "partitionAlgorithm"]
    static let logKeys = ["path", "mode"]
    static let thresholdKeys: [(String, String)] = [("below", "<"), ("above", ">"), ("atMost", "<="), ("atLeast", ">="),
                                                    ("equals", "=="), ("notEquals", "!=")]

    /// The YAML files (`.yaml`, `.yml`) of a directory, sorted by name; none if it does not exist.
    public static func yamlFiles(in directory: String) throws(RuleLoadErrors) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else {
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
                do throws(RuleLoadError) { out.append(try rule(item)) } catch { errors.append(error) }
            }
        }
        if !errors.isEmpty { throw RuleLoadErrors(errors: errors) }
        return out
    }

    func rule(_ v: YAMLValue) throws(RuleLoadError) -> AlertRule {
        let m = try YAMLMap(v, what: "rule")
        guard let idValue = m["id"] else { throw v.error("rule: \"id\" is required (the rule's name, Kapacitor's task name)") }
        let id = try idValue.string("id")
        guard !id.isEmpty else { throw idValue.error("id must not be empty") }
        let what = "rule \"\(id)\""
        try m.checkKeys(Self.ruleKeys, what: what)
        var slots = 0
        let measurement = try m["measurement"].map { (x) throws(RuleLoadError) in try x.string("measurement") }
        // The `where` filter's stateful functions have one state for the rule (Kapacitor's from node).
        var filterSlots = 0
        let filter = try m["where"].map { (x) throws(RuleLoadError) in try expression(x, key: "where", rule: what, slots: &filterSlots) }
        let steps = try steps(m, rule: what, task: id)
        let httpOut = try alertHTTPOut(m, rule: what, task: id, steps: steps)
        var groupBy = GroupBy.none
        if let g = m["groupBy"] {
            var names: [String] = []
            var star = false
            for item in g.list() {
                let name = try item.string("groupBy")
                if name == "*" { star = true } else { names.append(name) }
            }
            groupBy = star ? .all : .tags(names.sorted { LambdaBinary.goOrder($0, $1) < 0 })
        }
        var levels: [LambdaExpression?] = [nil, nil, nil, nil]
        var resets: [LambdaExpression?] = [nil, nil, nil, nil]
        var texts: [String?] = [nil, nil, nil, nil]
        for (key, level) in [("info", AlertLevel.info), ("warn", .warning), ("crit", .critical)] {
            if let x = m[key] {
                let e = try expression(x, key: key, rule: what, slots: &slots)
                levels[level.rawValue] = e
                texts[level.rawValue] = e.description
            }
            if let x = m[key + "Reset"] {
                resets[level.rawValue] = try expression(x, key: key + "Reset", rule: what, slots: &slots)
            }
        }
        var deadman: DeadmanSpec?
        if let d = m["deadman"] {
            if let level = ["info", "warn", "crit"].first(where: { m[$0] != nil }) {
                throw m[level]!.error("\(what): \(level) cannot be used with deadman: the deadman's level is CRITICAL when the rate is at most its threshold")
            }
            let spec = try deadmanSpec(d, rule: what, steps: steps)
            let crit = try expression(YAMLValue(node: .scalar(.init("\"emitted\" <= \(GoJSON.plainFloat(spec.threshold))\(spec.threshold.rounded() == spec.threshold ? ".0" : "")")), file: d.file),
                                      key: "deadman", rule: what, slots: &slots)
            levels[AlertLevel.critical.rawValue] = crit
            texts[AlertLevel.critical.rawValue] = crit.description
            deadman = spec
        }
        if levels.allSatisfy({ $0 == nil }) {
            throw v.error("\(what): at least one of info, warn or crit (or deadman) is required")
        }
        let idTemplate = try template(m["alertId"], key: "alertId", rule: what, default: deadman?.defaultIDTemplate ?? AlertRule.defaultIDTemplate, html: false)
        let message = try template(m["message"], key: "message", rule: what, default: deadman?.defaultMessageTemplate ?? AlertRule.defaultMessageTemplate, html: false)
        let details = try template(m["details"], key: "details", rule: what, default: AlertRule.defaultDetailsTemplate, html: true)
        var stateChangesOnly = false
        var resend: Int64 = 0
        if let s = m["stateChangesOnly"] {
            if case .scalar(let sc) = s.node, ["true", "false", "True", "False", "TRUE", "FALSE"].contains(sc.string) {
                stateChangesOnly = try s.bool("stateChangesOnly")
            } else {
                resend = try s.duration("stateChangesOnly")
                guard resend > 0 else { throw s.error("stateChangesOnly: the resend interval must be positive") }
                stateChangesOnly = true
            }
        }
        let noRecoveries = try m["noRecoveries"].map { (x) throws(RuleLoadError) in try x.bool("noRecoveries") } ?? false
        var flapping: (low: Double, high: Double)?
        if let f = m["flapping"] {
            let fm = try YAMLMap(f, what: "flapping")
            try fm.checkKeys(["low", "high"], what: "flapping")
            guard let lowV = fm["low"], let highV = fm["high"] else { throw f.error("flapping needs both low and high (fractions between 0 and 1)") }
            let low = try lowV.double("flapping.low"), high = try highV.double("flapping.high")
            guard (0...1).contains(low), (0...1).contains(high) else {
                throw f.error("alert flap thresholds are percentages and should be between 0 and 1")
            }
            flapping = (low, high)
        }
        var history = AlertRule.defaultHistory
        if let h = m["history"] {
            history = try h.int("history")
            guard history >= 2 else { throw h.error("history must be at least 2") }
        }
        var maxGroups: Int?
        if let g = m["maxGroups"] {
            let n = try g.int("maxGroups")
            guard n >= 1 else { throw g.error("maxGroups must be at least 1") }
            maxGroups = n
        }
        let category = try m["category"].map { (x) throws(RuleLoadError) in try x.string("category") } ?? ""
        let topic = try m["topic"].map { (x) throws(RuleLoadError) in try x.string("topic") }
        if let t = topic, t.isEmpty { throw v.error("\(what): topic must not be empty") }
        var output = AlertOutputProperties()
        for key in Self.outputKeys {
            guard let x = m[key] else { continue }
            let name = try x.string(key)
            guard !name.isEmpty else { throw x.error("\(what): \(key) must name a \(key.hasSuffix("Tag") ? "tag" : "field")") }
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
            let im = try YAMLMap(item, what: "inhibit")
            try im.checkKeys(["category", "tags"], what: "inhibit")
            guard let c = im["category"] else { throw item.error("\(what): inhibit needs a category (the category of the alerts it holds back)") }
            var tags: [String] = []
            for t in im["tags"]?.list() ?? [] { tags.append(try t.string("inhibit.tags")) }
            inhibitors.append(AlertInhibitor(category: try c.string("inhibit.category"), equalTags: tags))
        }
        var handlers: [AlertHandler] = []
        if let k = m["kafka"] {
            for (i, item) in k.list().enumerated() {
                handlers.append(AlertHandler(id: "\(id):kafka:\(i)", topic: nil, match: nil,
                                             action: try kafkaOptions(YAMLMap(item, what: "kafka"), what: "\(what) kafka"),
                                             location: item.location))
            }
        }
        if let l = m["log"] {
            for (i, item) in l.list().enumerated() {
                handlers.append(AlertHandler(id: "\(id):log:\(i)", topic: nil, match: nil,
                                             action: try logOptions(YAMLMap(item, what: "log"), what: "\(what) log"),
                                             location: item.location))
            }
        }
        return AlertRule(id: id, measurement: measurement, filter: filter, groupBy: groupBy, levels: levels, resets: resets,
                         idTemplate: idTemplate, messageTemplate: message, detailsTemplate: details,
                         stateChangesOnly: stateChangesOnly, stateChangesOnlyResend: resend, noRecoveries: noRecoveries,
                         flapping: flapping, history: history, category: category, topic: topic, handlers: handlers,
                         functionSlots: slots, location: v.location, levelTexts: texts, maxGroups: maxGroups,
                         steps: steps, filterSlots: filterSlots, deadman: deadman,
                         all: try m["all"].map { (x) throws(RuleLoadError) in try x.bool("all") } ?? false, output: output,
                         inhibitors: inhibitors, httpOut: httpOut)
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
                literal = "'" + s.string.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
            }
            text = "\"" + field.replacingOccurrences(of: "\"", with: "\\\"") + "\" \(op) " + literal
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

    // MARK: Handlers

    func resolveCluster(_ v: YAMLValue?, at place: YAMLValue, what: String) throws(RuleLoadError) -> String {
        let name = try v.map { (x) throws(RuleLoadError) in try x.string("cluster") } ?? ""
        if name.isEmpty {
            if clusters.count == 1 { return clusters[0] }
            if clusters.isEmpty { throw place.error("\(what): no enabled [[kafka]] cluster is configured") }
            throw place.error("\(what): cluster is required when several [[kafka]] clusters are enabled (\(clusters.joined(separator: ", ")))")
        }
        guard clusters.contains(name) else {
            throw (v ?? place).error("\(what): unknown cluster \"\(name)\" (enabled [[kafka]] ids: \(clusters.isEmpty ? "none" : clusters.joined(separator: ", ")))")
        }
        return name
    }

    func kafkaOptions(_ m: YAMLMap, what: String) throws(RuleLoadError) -> HandlerAction {
        try m.checkKeys(Self.kafkaKeys, what: what)
        let cluster = try resolveCluster(m["cluster"], at: m.value, what: what)
        guard let topicV = m["topic"] else { throw m.value.error("\(what): topic is required (the Kafka topic to write to)") }
        let topic = try topicV.string("topic")
        guard !topic.isEmpty else { throw topicV.error("\(what): topic must not be empty") }
        let text = try m["template"].map { (x) throws(RuleLoadError) in try x.string("template") } ?? ""
        var template: Template?
        if !text.isEmpty {
            do throws(TemplateParseError) {
                template = try Template(name: "kafka alert template", text: text)
            } catch {
                throw (m["template"] ?? m.value).error("\(what): template: failed to parse template: \(error)")
            }
        }
        let disable = try m["disablePartitionById"].map { (x) throws(RuleLoadError) in try x.bool("disablePartitionById") } ?? false
        var algorithm = HandlerPartitioning.Algorithm.crc32
        if let a = m["partitionAlgorithm"] {
            let name = try a.string("partitionAlgorithm")
            guard let parsed = HandlerPartitioning.Algorithm(option: name) else {
                throw a.error("\(what): invalid partition algorithm: \"\(name)\" (expected crc32, murmur2, murmur3 or fnv-1a)")
            }
            algorithm = parsed
        }
        return .kafka(KafkaHandlerOptions(cluster: cluster, topic: topic, templateText: text, template: template,
                                          partitioning: disable ? .random : .byAlertID(algorithm)))
    }

    func logOptions(_ m: YAMLMap, what: String) throws(RuleLoadError) -> HandlerAction {
        try m.checkKeys(Self.logKeys, what: what)
        guard let p = m["path"] else { throw m.value.error("\(what): path is required") }
        let path = try p.string("path")
        guard path.hasPrefix("/") else { throw p.error("\(what): path must be absolute, as Kapacitor requires") }
        var mode = 0o600
        if let md = m["mode"] {
            let text = try md.string("mode")
            guard let v = Int(text, radix: 8), (0...0o777).contains(v) else { throw md.error("\(what): mode must be octal permissions such as 0644") }
            mode = v
        }
        return .log(LogHandlerOptions(path: path, mode: mode))
    }

    /// The handlers of one handler file's text.
    public func handlers(text: String, file: String) throws(RuleLoadErrors) -> [AlertHandler] {
        let docs: [YAMLValue]
        do throws(RuleLoadError) { docs = try yamlDocuments(text, file: file) } catch { throw RuleLoadErrors(errors: [error]) }
        var out: [AlertHandler] = []
        var errors: [RuleLoadError] = []
        for doc in docs {
            do throws(RuleLoadError) { out.append(try handler(doc)) } catch { errors.append(error) }
        }
        if !errors.isEmpty { throw RuleLoadErrors(errors: errors) }
        return out
    }

    func handler(_ v: YAMLValue) throws(RuleLoadError) -> AlertHandler {
        let m = try YAMLMap(v, what: "handler")
        try m.checkKeys(["id", "topic", "kind", "match", "options"], what: "handler")
        guard let idV = m["id"] else { throw v.error("handler: \"id\" is required") }
        let id = try idV.string("id")
        let what = "handler \"\(id)\""
        guard let topicV = m["topic"] else { throw v.error("\(what): \"topic\" is required (the alert topic it subscribes to)") }
        let topic = try topicV.string("topic")
        guard let kindV = m["kind"] else { throw v.error("\(what): \"kind\" is required (kafka or log)") }
        let kind = try kindV.string("kind")
        var match: LambdaExpression?
        if let mv = m["match"] {
            let text = try mv.string("match")
            do throws(LambdaError) {
                let e = try LambdaExpression(text, dialect: .handlerMatch)
                if let t = e.staticType, t != .boolean { throw LambdaError("the match expression must be boolean, but it gives \(t)") }
                if Self.isNeverBoolean(e.node) { throw LambdaError("the match expression must be boolean") }
                match = e
            } catch {
                throw RuleLoadError(mv.location(ofTextLine: error.line ?? 1, column: error.column ?? 1), "\(what): invalid match expression: \(error.message)")
            }
        }
        let options = m["options"] ?? YAMLValue(node: .mapping(.init([])), file: v.file)
        let om = try YAMLMap(options, what: "options")
        let action: HandlerAction
        switch kind {
        case "kafka": action = try kafkaOptions(om, what: "\(what) options")
        case "log": action = try logOptions(om, what: "\(what) options")
        default: throw kindV.error("\(what): unsupported kind \"\(kind)\" (this relay handles kafka and log)")
        }
        return AlertHandler(id: id, topic: topic, match: match, action: action, location: v.location)
    }
}
