import GoTemplate
import LineProtocol

/// Handler files (Kapacitor's handler spec) and the handler options rules use inline.
extension RuleLoader {
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

    func kafkaOptions(_ m: YAMLMap, what: String) throws(RuleLoadErrors) -> HandlerAction {
        var errors = m.unknownKeyErrors(Self.kafkaKeys, what: what)
        func attempt<T>(_ body: () throws(RuleLoadError) -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        let cluster = attempt { () throws(RuleLoadError) in try resolveCluster(m["cluster"], at: m.value, what: what) }
        let topic = attempt { () throws(RuleLoadError) in
            guard let topicV = m["topic"] else { throw m.value.error("\(what): topic is required (the Kafka topic to write to)") }
            let topic = try topicV.string("topic")
            guard !topic.isEmpty else { throw topicV.error("\(what): topic must not be empty") }
            return topic
        }
        let text = attempt { () throws(RuleLoadError) in try m["template"].map { (x) throws(RuleLoadError) in try x.string("template") } ?? "" }
        var template: Template?
        if let text, !text.isEmpty {
            template = attempt { () throws(RuleLoadError) in
                do throws(TemplateParseError) {
                    return try Template(name: "kafka alert template", text: text)
                } catch {
                    throw (m["template"] ?? m.value).error("\(what): template: failed to parse template: \(error)")
                }
            }
        }
        let disable = attempt { () throws(RuleLoadError) in
            try m["disablePartitionById"].map { (x) throws(RuleLoadError) in try x.bool("disablePartitionById") } ?? false
        } ?? false
        let algorithm = attempt { () throws(RuleLoadError) in
            guard let a = m["partitionAlgorithm"] else { return HandlerPartitioning.Algorithm.crc32 }
            let name = try a.string("partitionAlgorithm")
            guard let parsed = HandlerPartitioning.Algorithm(option: name) else {
                throw a.error("\(what): invalid partition algorithm: \"\(name)\" (expected crc32, murmur2, murmur3 or fnv-1a)")
            }
            return parsed
        } ?? .crc32
        guard errors.isEmpty, let cluster, let topic, let text else { throw RuleLoadErrors(errors: errors) }
        return .kafka(KafkaHandlerOptions(cluster: cluster, topic: topic, templateText: text, template: template,
                                          partitioning: disable ? .random : .byAlertID(algorithm)))
    }

    func logOptions(_ m: YAMLMap, what: String) throws(RuleLoadErrors) -> HandlerAction {
        var errors = m.unknownKeyErrors(Self.logKeys, what: what)
        func attempt<T>(_ body: () throws(RuleLoadError) -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        let path = attempt { () throws(RuleLoadError) in
            guard let p = m["path"] else { throw m.value.error("\(what): path is required") }
            let path = try p.string("path")
            guard path.hasPrefix("/") else { throw p.error("\(what): path must be absolute, as Kapacitor requires") }
            return path
        }
        let mode = attempt { () throws(RuleLoadError) in
            guard let md = m["mode"] else { return 0o600 }
            let text = try md.string("mode")
            guard let v = Int(text, radix: 8), (0...0o777).contains(v) else { throw md.error("\(what): mode must be octal permissions such as 0644") }
            return v
        }
        guard errors.isEmpty, let path, let mode else { throw RuleLoadErrors(errors: errors) }
        return .log(LogHandlerOptions(path: path, mode: mode))
    }

    /// The handlers of one handler file's text.
    public func handlers(text: String, file: String) throws(RuleLoadErrors) -> [AlertHandler] {
        let docs: [YAMLValue]
        do throws(RuleLoadError) { docs = try yamlDocuments(text, file: file) } catch { throw RuleLoadErrors(errors: [error]) }
        var out: [AlertHandler] = []
        var errors: [RuleLoadError] = []
        for doc in docs {
            do throws(RuleLoadErrors) { out.append(try handler(doc)) } catch { errors += error.errors }
        }
        if !errors.isEmpty { throw RuleLoadErrors(errors: errors) }
        return out
    }

    func handler(_ v: YAMLValue) throws(RuleLoadErrors) -> AlertHandler {
        var errors: [RuleLoadError] = []
        func attempt<T>(_ body: () throws(RuleLoadError) -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        let m = try Self.map(v, what: "handler")
        errors += m.unknownKeyErrors(["id", "topic", "kind", "match", "options"], what: "handler")
        guard let idV = m["id"] else { throw RuleLoadErrors(errors: errors + [v.error("handler: \"id\" is required")]) }
        guard let id = attempt({ () throws(RuleLoadError) in try idV.string("id") }) else { throw RuleLoadErrors(errors: errors) }
        let what = "handler \"\(id)\""
        let topic = attempt { () throws(RuleLoadError) in
            guard let topicV = m["topic"] else { throw v.error("\(what): \"topic\" is required (the alert topic it subscribes to)") }
            return try topicV.string("topic")
        }
        let match = attempt { () throws(RuleLoadError) -> LambdaExpression? in
            guard let mv = m["match"] else { return nil }
            let text = try mv.string("match")
            do throws(LambdaError) {
                let e = try LambdaExpression(text, dialect: .handlerMatch)
                if let t = e.staticType, t != .boolean { throw LambdaError("the match expression must be boolean, but it gives \(t)") }
                if Self.isNeverBoolean(e.node) { throw LambdaError("the match expression must be boolean") }
                return e
            } catch {
                throw RuleLoadError(mv.location(ofTextLine: error.line ?? 1, column: error.column ?? 1), "\(what): invalid match expression: \(error.message)")
            }
        } ?? nil
        var action: HandlerAction?
        if let kindV = m["kind"] {
            if let kind = attempt({ () throws(RuleLoadError) in try kindV.string("kind") }),
               let om = attempt({ () throws(RuleLoadError) in try YAMLMap(m["options"] ?? YAMLValue(node: .mapping(.init([])), file: v.file), what: "options") }) {
                do throws(RuleLoadErrors) {
                    switch kind {
                    case "kafka": action = try kafkaOptions(om, what: "\(what) options")
                    case "log": action = try logOptions(om, what: "\(what) options")
                    case "post", "tcp":
                        do throws(RuleLoadError) {
                            action = kind == "post" ? try postOptions(om, what: "\(what) options") : try tcpOptions(om, what: "\(what) options")
                        } catch { throw RuleLoadErrors(errors: [error]) }
                    default: throw RuleLoadErrors(errors: [kindV.error("\(what): unsupported kind \"\(kind)\" (this relay handles kafka, log, post and tcp)")])
                    }
                } catch { errors += error.errors }
            }
        } else {
            errors.append(v.error("\(what): \"kind\" is required (kafka or log)"))
        }
        guard errors.isEmpty, let topic, let action else { throw RuleLoadErrors(errors: errors) }
        return AlertHandler(id: id, topic: topic, match: match, action: action, location: v.location)
    }

    /// `v` as a mapping, its error as a list of one.
    static func map(_ v: YAMLValue, what: String) throws(RuleLoadErrors) -> YAMLMap {
        do throws(RuleLoadError) { return try YAMLMap(v, what: what) } catch { throw RuleLoadErrors(errors: [error]) }
    }
}
