import GoTemplate

/// What a handler makes of an event, in the domain's terms (no transport type): a message for a
/// Kafka cluster's topic, a log line, or the reason it could not. The relay's outputs turn it into
/// bytes on the wire.
public struct AlertDelivery: Sendable {
    /// What to do.
    public enum Output: Sendable {
        /// Send `body` keyed by `key` (the alert ID) to `topic` on the `[[kafka]]` cluster `cluster`.
        /// Bodies are UTF-8 bytes: the alert JSON is written as bytes and goes to the record as it is.
        case kafka(cluster: String, topic: String, key: String, body: [UInt8], partitioning: HandlerPartitioning)
        /// Append `line` (the alert JSON and its newline, UTF-8) to the file at `path` (created with `mode`).
        case log(path: String, mode: Int, line: [UInt8])
        /// POST `body` to `url` through the output `output` (`post:<endpoint or url>`), with the
        /// handler's `headers`; `json` says the body is the alert JSON (Content-Type application/json);
        /// `request`: the handler's timeout, TLS verification and response capture.
        case post(output: String, url: String, headers: [(name: String, value: String)], body: [UInt8], json: Bool, request: PostRequestOptions)
        /// Write `body` (the alert JSON and a newline) to the TCP output `output` at `address`.
        case tcp(output: String, address: String, body: [UInt8])
        /// The body could not be made (template error): counted and logged, nothing sent.
        case failed(reason: String)
    }
    /// The handler's id.
    public var handlerID: String
    /// The alert topic the event went through (`nil` for a rule's inline handlers).
    public var topic: String?
    /// The event's alert ID.
    public var alertID: String
    public var level: AlertLevel
    public var output: Output
}

/// Kapacitor's alert service for our handlers: each rule's inline handlers (its anonymous topic)
/// and named topics with their subscribed handler files. Keeps, per topic, the last level of each
/// alert ID (`previousLevel`, `changed()`). Not thread-safe: one thread routes.
public final class AlertRouter {
    private var inline: [String: [AlertHandler]] = [:]
    private var topics: [String: String?] = [:]
    private var subscribers: [String: [AlertHandler]] = [:]
    /// Per topic, the level of each alert ID that is not OK: an ID missing is OK, as in Kapacitor,
    /// so a recovery removes its entry and the table holds only alerts that are firing.
    var lastLevel: [String: [String: AlertLevel]] = [:]
    /// The most firing alert IDs kept per topic; beyond it a new ID's level is not kept (its next
    /// event sees OK as the previous level) and counted in ``levelsRefused``.
    public let maxLevelsPerTopic: Int
    /// Events whose level could not be kept because their topic was at ``maxLevelsPerTopic``.
    public private(set) var levelsRefused: UInt64 = 0
    /// Per rule, what ``route(_:)`` needs, looked up once per event: its inline handlers and their
    /// topic key, its named topic, key and subscribers.
    private var routes: [String: Route] = [:]
    /// The buffer the alert JSON is written in (reused for every event; routing is single-threaded).
    private var renderBuffer = EventRenderBuffer()

    /// One rule's handlers as ``route(_:)`` meets them.
    private struct Route {
        var inline: [AlertHandler]
        /// `rule:<id>`, the inline handlers' topic key.
        var inlineKey: String
        /// The named topic, its key (`topic:<name>`) and its subscribed handlers.
        var topic: (name: String, key: String, handlers: [AlertHandler])?
    }

    /// A router for `rules` and the handler files' `handlers`.
    public init(rules: [AlertRule], handlers: [AlertHandler], maxLevelsPerTopic: Int = .max) {
        self.maxLevelsPerTopic = maxLevelsPerTopic
        for r in rules {
            inline[r.id] = r.handlers
            topics[r.id] = r.topic
        }
        for h in handlers {
            if let t = h.topic { subscribers[t, default: []].append(h) }
        }
        for r in rules {
            routes[r.id] = Route(inline: r.handlers, inlineKey: "rule:" + r.id,
                                 topic: r.topic.map { ($0, "topic:" + $0, subscribers[$0] ?? []) })
        }
    }

    /// The handler files subscribed to `topic`.
    public func handlers(of topic: String) -> [AlertHandler] { subscribers[topic] ?? [] }

    /// Every delivery `event` leads to, in order: inline handlers first, then the topic's.
    public func route(_ event: AlertEvent) -> [AlertDelivery] {
        var out: [AlertDelivery] = []
        guard let route = routes[event.ruleID] else { return out }
        if !route.inline.isEmpty {
            let record = AlertRecord(event: event, previousLevel: update(route.inlineKey, event))
            var json: [UInt8]?
            for h in route.inline { deliver(h, record, topic: nil, json: &json, into: &out) }
        }
        if let topic = route.topic {
            let record = AlertRecord(event: event, previousLevel: update(topic.key, event))
            var json: [UInt8]?
            for h in topic.handlers { deliver(h, record, topic: topic.name, json: &json, into: &out) }
        }
        return out
    }

    /// The topic keys an event of `ruleID` updates: its inline handlers' (`rule:<id>`), its named
    /// topic's (`topic:<name>`).
    private func keys(of ruleID: String) -> [String] {
        var out: [String] = []
        if let hs = inline[ruleID], !hs.isEmpty { out.append("rule:" + ruleID) }
        if let t = topics[ruleID], let topic = t { out.append("topic:" + topic) }
        return out
    }

    /// A reload: takes over `old`'s last levels of the topics this router still has (a rule's
    /// inline handlers, a named topic), so `previousLevel` and `changed()` go on across it.
    public func adoptLevels(from old: AlertRouter) {
        var keys = Set<String>()
        for (rule, hs) in inline where !hs.isEmpty { keys.insert("rule:" + rule) }
        for case let topic? in topics.values { keys.insert("topic:" + topic) }
        for (key, levels) in old.lastLevel where keys.contains(key) { lastLevel[key] = levels }
    }

    /// Group mode: alert `id` of `ruleID` fires at `level` as of its group's last event (the
    /// group came from the changelog): its topics' previous level is that, as if the event had
    /// been routed here. Kept within ``maxLevelsPerTopic`` (beyond it, counted as refused).
    public func restoreLevel(rule ruleID: String, id: String, level: AlertLevel) {
        guard level != .ok else { return }
        for key in keys(of: ruleID) {
            if lastLevel[key]?[id] == nil, (lastLevel[key]?.count ?? 0) >= maxLevelsPerTopic {
                levelsRefused += 1
                continue
            }
            lastLevel[key, default: [:]][id] = level
        }
    }

    /// Group mode: forgets alert `id` of `ruleID` on its topics (its group moved to another relay).
    public func forget(rule ruleID: String, id: String) {
        for key in keys(of: ruleID) { lastLevel[key]?.removeValue(forKey: id) }
    }

    /// Kapacitor's `Topic.updateEvent`: the previous level of this ID on the topic (OK if none).
    private func update(_ key: String, _ event: AlertEvent) -> AlertLevel {
        if event.level == .ok {
            return lastLevel[key]?.removeValue(forKey: event.id) ?? .ok
        }
        guard maxLevelsPerTopic > 0 else {
            levelsRefused += 1
            return .ok
        }
        // The topic's table found once, the ID's entry read and written through one index.
        let (id, level, limit) = (event.id, event.level, maxLevelsPerTopic)
        var refused = false
        let previous = Self.exchange(&lastLevel[key, default: [:]], id, level, limit: limit, refused: &refused)
        if refused { levelsRefused += 1 }
        return previous ?? .ok
    }

    /// Sets `levels[id]` to `level` and returns what it was, unless `id` is new and `levels`
    /// holds `limit` IDs (`refused`).
    private static func exchange(_ levels: inout [String: AlertLevel], _ id: String, _ level: AlertLevel, limit: Int,
                                 refused: inout Bool) -> AlertLevel? {
        if let i = levels.index(forKey: id) {
            let previous = levels.values[i]
            levels.values[i] = level
            return previous
        }
        if levels.count >= limit {
            refused = true
            return nil
        }
        levels[id] = level
        return nil
    }

    /// One handler's delivery of `record`; `json` is the record's JSON, made once for all the
    /// handlers of a topic that need it.
    private func deliver(_ h: AlertHandler, _ record: AlertRecord, topic: String?, json: inout [UInt8]?, into out: inout [AlertDelivery]) {
        let event = record.event
        func failed(_ reason: String) {
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level, output: .failed(reason: reason)))
        }
        if let match = h.match {
            let info = LambdaEventInfo(changed: event.level != record.previousLevel, level: event.level, name: event.name,
                                       taskName: event.ruleID, duration: event.duration, tags: Array(event.point.tags))
            do throws(LambdaError) {
                guard try match.evaluateBool(LambdaContext(event: info)) else { return }
            } catch {
                failed("failed to evaluate match expression: \(error.message)")
                return
            }
        }
        func recordJSON() -> [UInt8] {
            if let j = json { return j }
            let j = record.jsonBytes(using: &renderBuffer)
            json = j
            return j
        }
        /// The handler's template rendered over the alert data, or the alert JSON without one;
        /// nil (the failure reported) when the template fails.
        func body(_ template: Template?) -> [UInt8]? {
            guard let template else { return recordJSON() }
            do throws(TemplateExecutionError) {
                return Array(try template.render(record.templateValue()).utf8)
            } catch {
                failed("failed to execute alert template: \(error)")
                return nil
            }
        }
        switch h.action {
        case .kafka(let k):
            guard let body = body(k.template) else { return }
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                     output: .kafka(cluster: k.cluster, topic: k.topic, key: event.id, body: body, partitioning: k.partitioning)))
        case .log(let l):
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                     output: .log(path: l.path, mode: l.mode, line: recordJSON())))
        case .post(let p):
            guard let body = body(p.endpoint?.alertTemplate) else { return }
            var url = p.effectiveURL
            if let t = p.effectiveURLTemplate {
                // Kapacitor executes the URL template over the same alert data as the body.
                do throws(TemplateExecutionError) {
                    url = try t.render(record.templateValue())
                } catch {
                    failed("failed to execute url template: \(error)")
                    return
                }
                guard PostURL(url) != nil else {
                    failed("failed to create POST request: url template \"\(p.effectiveURL)\" gave \"\(url)\", not an http:// or https:// URL with a host")
                    return
                }
            }
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                     output: .post(output: p.outputID, url: url, headers: p.headers, body: body,
                                                   json: p.endpoint?.alertTemplate == nil, request: p.request)))
        case .tcp(let t):
            // Kapacitor's tcp handler writes the encoder's line and one more newline.
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                     output: .tcp(output: t.outputID, address: t.address, body: recordJSON() + [UInt8(ascii: "\n")])))
        }
    }
}
