import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Topics and handlers: inline handlers, named topics with handler files, match expressions,
/// previousLevel per topic, and bodies.
@Suite struct AlertRouterTests {
    static let rulesYAML = """
        - id: direct
          measurement: cpu
          crit: '"usage_idle" < 10'
          message: 'Hey, check your CPU'
          kafka: {topic: cpu-alerts}
        - id: published
          measurement: cpu
          crit: '"usage_idle" < 10'
          message: 'Hey, check your CPU'
          topic: cpu
        """
    static let handlersYAML = """
        id: kafka-cpu-alert
        topic: cpu
        kind: kafka
        options:
          topic: 'cpu-alerts'
        ---
        id: changes-only
        topic: cpu
        kind: kafka
        match: changed()
        options:
          topic: changes
          template: '{{.ID}} {{.PreviousLevel}}->{{.Level}}'
        ---
        id: audit
        topic: cpu
        kind: log
        match: level() == OK
        options:
          path: /var/log/alerts.log
        """

    func run(_ values: [Double]) throws -> [AlertDelivery] {
        let loader = RuleLoader(clusters: ["infra-monitoring"])
        let rules = try loader.rules(text: Self.rulesYAML, file: "r.yaml")
        let handlers = try loader.handlers(text: Self.handlersYAML, file: "h.yaml")
        let engine = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: handlers)
        var out: [AlertDelivery] = []
        for (i, v) in values.enumerated() {
            let p = Point(measurement: "cpu", tags: [Tag(key: "host", value: "a")], fields: [Field(key: "usage_idle", value: .float(v))],
                          time: Int64(i) * 10_000_000_000)
            engine.process(p) { out += router.route($0) }
        }
        return out
    }

    @Test func inlineHandlersAndTopicSubscribers() throws {
        let d = try run([50, 5, 5, 50])
        let kafka = d.compactMap { x -> (String, String, String)? in
            if case .kafka(let c, let topic, _, _, _) = x.output { return (x.handlerID, c, topic) } else { return nil }
        }
        // 3 events per rule; direct → its inline handler; published → topic cpu → two kafka handlers (one filtered).
        #expect(kafka.filter { $0.0 == "direct:kafka:0" }.count == 3)
        #expect(kafka.filter { $0.0 == "kafka-cpu-alert" }.count == 3)
        #expect(kafka.filter { $0.0 == "changes-only" }.count == 2)
        #expect(kafka.allSatisfy { $0.1 == "infra-monitoring" })
        let changes = d.filter { $0.handlerID == "changes-only" }.compactMap { x -> String? in
            if case .kafka(_, _, _, let body, _) = x.output { return String(decoding: body, as: UTF8.self) } else { return nil }
        }
        #expect(changes == ["cpu:nil OK->CRITICAL", "cpu:nil CRITICAL->OK"])
        let logs = d.filter { $0.handlerID == "audit" }
        #expect(logs.count == 1)
        if case .log(let path, let mode, let bytes)? = logs.first?.output {
            let line = String(decoding: bytes, as: UTF8.self)
            #expect(path == "/var/log/alerts.log")
            #expect(mode == 0o600)
            #expect(line.hasSuffix("\"previousLevel\":\"CRITICAL\",\"recoverable\":true}\n"))
        } else {
            Issue.record("no log line")
        }
    }

    /// Group mode and reloads: the topics' previous level per alert ID is put back (a group from
    /// the changelog), forgotten (a group moved away) and carried over a reload.
    @Test func previousLevelsAreRestoredForgottenAndKeptOverAReload() throws {
        let loader = RuleLoader(clusters: ["infra-monitoring"])
        let rules = try loader.rules(text: Self.rulesYAML, file: "r.yaml")
        let handlers = try loader.handlers(text: Self.handlersYAML, file: "h.yaml")
        let engine = RuleEngine(rules: rules)
        func changes(_ router: AlertRouter, _ v: Double, at t: Int64) -> [String] {
            var out: [String] = []
            let p = Point(measurement: "cpu", tags: [], fields: [Field(key: "usage_idle", value: .float(v))], time: t * 10_000_000_000)
            engine.process(p) { e in
                for d in router.route(e) where d.handlerID == "changes-only" {
                    if case .kafka(_, _, _, let body, _) = d.output { out.append(String(decoding: body, as: UTF8.self)) }
                }
            }
            return out
        }
        let router = AlertRouter(rules: rules, handlers: handlers)
        #expect(changes(router, 5, at: 0) == ["cpu:nil OK->CRITICAL"])
        // A reload keeps the level: the next critical is no change.
        let reloaded = AlertRouter(rules: rules, handlers: handlers)
        reloaded.adoptLevels(from: router)
        #expect(changes(reloaded, 5, at: 1) == [])
        // A fresh router (a partition's next owner) learns it from the changelog.
        let successor = AlertRouter(rules: rules, handlers: handlers)
        successor.restoreLevel(rule: "published", id: "cpu:nil", level: .critical)
        #expect(successor.topicLevels == ["topic:cpu": ["cpu:nil": 3]])
        #expect(changes(successor, 5, at: 2) == [])
        successor.forget(rule: "published", id: "cpu:nil")
        #expect(changes(successor, 5, at: 3) == ["cpu:nil OK->CRITICAL"])
        // Bounded as routed levels are.
        let small = AlertRouter(rules: rules, handlers: handlers, maxLevelsPerTopic: 1)
        small.restoreLevel(rule: "direct", id: "a", level: .warning)
        small.restoreLevel(rule: "direct", id: "b", level: .warning)
        #expect(small.topicLevels == ["rule:direct": ["a": 2]] && small.levelsRefused == 1)
    }

    @Test func kafkaBodyIsTheAlertJSONKeyedByAlertID() throws {
        let d = try run([5])
        guard case .kafka(_, _, let key, let bytes, let partitioning)? = d.first(where: { $0.handlerID == "direct:kafka:0" })?.output else {
            Issue.record("none")
            return
        }
        let body = String(decoding: bytes, as: UTF8.self)
        #expect(key == "cpu:nil")
        #expect(partitioning == .kapacitorDefault)
        #expect(body.hasPrefix("{\"id\":\"cpu:nil\",\"message\":\"Hey, check your CPU\",\"details\":\"{\\u0026#34;Name"))
        #expect(body.hasSuffix(",\"level\":\"CRITICAL\",\"data\":{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"usage_idle\"],\"values\":[[\"1970-01-01T00:00:00Z\",5]]}]},\"previousLevel\":\"OK\",\"recoverable\":true}\n"))
    }

    /// The bodies are the record's JSON bytes as `AlertRecord` writes them (made once for all the
    /// handlers of a topic): Kafka and post send them as they are, the log handler writes them as
    /// its line, tcp adds Kapacitor's second newline; a template's body is its text's UTF-8.
    @Test func everyHandlerGetsTheRecordJSONBytes() throws {
        let loader = RuleLoader(clusters: ["c"])
        let rules = try loader.rules(text: """
            id: r
            crit: '"v" > 1'
            kafka: [{cluster: c, topic: t}, {cluster: c, topic: u, template: '{{.ID}} é {{.Level}}'}]
            post: {url: 'http://127.0.0.1:9/x'}
            tcp: {address: '127.0.0.1:9'}
            log: {path: /tmp/x.log}
            """, file: "r.yaml")
        let engine = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: [])
        var bodies: [String: [UInt8]] = [:]
        var json: [UInt8] = []
        let p = Point(measurement: "m", tags: [Tag(key: "h", value: "<a&b>")], fields: [Field(key: "v", value: .float(2.5))], time: 1)
        engine.process(p) { e in
            json = AlertRecord(event: e, previousLevel: .ok).jsonBytes()
            for d in router.route(e) {
                switch d.output {
                case .kafka(_, let topic, _, let body, _): bodies["kafka:" + topic] = body
                case .post(_, _, _, let body, _, _): bodies["post"] = body
                case .tcp(_, _, let body): bodies["tcp"] = body
                case .log(_, _, let line): bodies["log"] = line
                case .failed(let reason): Issue.record("\(reason)")
                }
            }
        }
        #expect(!json.isEmpty && json.last == UInt8(ascii: "\n"))
        #expect(bodies["kafka:t"] == json && bodies["post"] == json && bodies["log"] == json)
        #expect(bodies["tcp"] == json + [UInt8(ascii: "\n")])
        #expect(bodies["kafka:u"] == Array("m:nil é CRITICAL".utf8))
    }

    @Test func aFailingTemplateIsReportedNotSent() throws {
        let loader = RuleLoader(clusters: ["c"])
        let rules = try loader.rules(text: "id: r\ncrit: '\"v\" > 1'\nkafka: {topic: t, template: '{{.Nope}}'}\n", file: "r")
        let engine = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: [])
        var out: [AlertDelivery] = []
        engine.process(Point(measurement: "m", fields: [Field(key: "v", value: .float(2))], time: 0)) { out += router.route($0) }
        guard case .failed(let reason)? = out.first?.output else { Issue.record("sent"); return }
        #expect(reason.contains("can't evaluate field Nope in type alert.Data"))
    }
}

@Suite struct AlertLogFilesTests {
    @Test func appendsJSONLinesWithTheHandlersMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let files = AlertLogFiles()
        try files.append(Array("{\"id\":\"a\"}\n".utf8), to: path, mode: 0o640)
        try files.append(Array("{\"id\":\"b\"}\n".utf8), to: path, mode: 0o640)
        files.closeAll()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"id\":\"a\"}\n{\"id\":\"b\"}\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o640 & ~0o022 & 0o777 || (attributes[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o640)
        #expect(throws: AlertLogError.self) { try files.append(Array("x\n".utf8), to: "/nonexistent-dir/x.log", mode: 0o600) }
    }
}
