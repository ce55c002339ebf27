import GoTemplate
import KafkaDispatch

/// What a handler makes of an event: a Kafka message, a log line, or the reason it could not.
public struct AlertDelivery: Sendable {
    /// What to do.
    public enum Output: Sendable {
        /// Send `message` on cluster `cluster`.
        case kafka(cluster: String, message: KafkaMessage)
        /// Append `line` to the file at `path` (created with `mode`).
        case log(path: String, mode: Int, line: String)
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
    var lastLevel: [String: [String: AlertLevel]] = [:]

    /// A router for `rules` and the handler files' `handlers`.
    public init(rules: [AlertRule], handlers: [AlertHandler]) {
        for r in rules {
            inline[r.id] = r.handlers
            topics[r.id] = r.topic
        }
        for h in handlers {
            if let t = h.topic { subscribers[t, default: []].append(h) }
        }
    }

    /// The handler files subscribed to `topic`.
    public func handlers(of topic: String) -> [AlertHandler] { subscribers[topic] ?? [] }

    /// Every delivery `event` leads to, in order: inline handlers first, then the topic's.
    public func route(_ event: AlertEvent) -> [AlertDelivery] {
        var out: [AlertDelivery] = []
        if let hs = inline[event.ruleID], !hs.isEmpty {
            let previous = update("rule:" + event.ruleID, event)
            for h in hs { deliver(h, event, previous: previous, topic: nil, into: &out) }
        }
        if let t = topics[event.ruleID], let topic = t {
            let previous = update("topic:" + topic, event)
            for h in subscribers[topic] ?? [] { deliver(h, event, previous: previous, topic: topic, into: &out) }
        }
        return out
    }

    /// Kapacitor's `Topic.updateEvent`: the previous level of this ID on the topic (OK if none).
    private func update(_ key: String, _ event: AlertEvent) -> AlertLevel {
        let previous = lastLevel[key]?[event.id] ?? .ok
        lastLevel[key, default: [:]][event.id] = event.level
        return previous
    }

    private func deliver(_ h: AlertHandler, _ event: AlertEvent, previous: AlertLevel, topic: String?, into out: inout [AlertDelivery]) {
        if let match = h.match {
            var tags = event.point.tags
            tags.sort { $0.key < $1.key }
            let info = LambdaEventInfo(changed: event.level != previous, level: event.level, name: event.name,
                                       taskName: event.ruleID, duration: event.duration, tags: tags)
            do throws(LambdaError) {
                guard try match.evaluateBool(LambdaContext(event: info)) else { return }
            } catch {
                out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                         output: .failed(reason: "failed to evaluate match expression: \(error.message)")))
                return
            }
        }
        let record = AlertRecord(event: event, previousLevel: previous)
        var body: String
        switch h.action {
        case .kafka(let k):
            if let t = k.template {
                do throws(TemplateExecutionErrorBox) {
                    body = try Self.render(t, record)
                } catch {
                    out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                             output: .failed(reason: "failed to execute alert template: \(error.text)")))
                    return
                }
            } else {
                body = record.json()
            }
            let message = KafkaMessage(topic: k.topic, key: event.id, value: body, partitioning: k.partitioning)
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                     output: .kafka(cluster: k.cluster, message: message)))
        case .log(let l):
            out.append(AlertDelivery(handlerID: h.id, topic: topic, alertID: event.id, level: event.level,
                                     output: .log(path: l.path, mode: l.mode, line: record.json())))
        }
    }

    struct TemplateExecutionErrorBox: Error { var text: String }

    static func render(_ t: Template, _ record: AlertRecord) throws(TemplateExecutionErrorBox) -> String {
        do throws(TemplateExecutionError) {
            return try t.render(record.templateValue())
        } catch {
            throw TemplateExecutionErrorBox(text: "\(error)")
        }
    }
}
