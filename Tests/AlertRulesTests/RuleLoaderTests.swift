import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Rule and handler files: shapes accepted, and every mistake reported with file, line and column.
@Suite struct RuleLoaderTests {
    let loader = RuleLoader(clusters: ["infra-monitoring"])

    func loadError(_ yaml: String, handler: Bool = false, clusters: [String] = ["infra-monitoring"]) -> RuleLoadError? {
        let l = RuleLoader(clusters: clusters)
        do {
            if handler { _ = try l.handlers(text: yaml, file: "f.yaml") } else { _ = try l.rules(text: yaml, file: "f.yaml") }
            return nil
        } catch {
            return error.errors.first
        }
    }

    /// Details with markup render as Kapacitor's html/template renders them (expected bytes from Go
    /// 1.19); a details template whose context Go refuses fails the load with Go's message.
    @Test func detailsWithMarkupAreEscapedByContext() throws {
        let rules = try loader.rules(text: """
            id: r
            groupBy: '*'
            crit: '"v" > 0.0'
            details: '<b title="{{.ID}}">{{.Message}}</b><a href="http://g/?h={{index .Tags "host"}}&m={{.Message}}">g</a>'
            """, file: "r.yaml")
        var events: [AlertEvent] = []
        RuleEngine(rules: rules, hostname: "relay-1").process(Point(measurement: "cpu", tags: [Tag(key: "host", value: "a<")],
                                                                   fields: [Field(key: "v", value: .float(1))], time: 1)) { events.append($0) }
        #expect(events.first?.details == #"<b title="cpu:host=a&lt;">cpu:host=a&lt; is CRITICAL</b><a href="http://g/?h=a%3c&m=cpu%3ahost%3da%3c%20is%20CRITICAL">g</a>"#)
        let err = loadError("id: r\ngroupBy: '*'\ncrit: '\"v\" > 0.0'\ndetails: '<script>var t = `{{.ID}}`</script>'\n")
        #expect(err?.description.contains("details: html/template:details:1:19: {{.ID}} appears in a JS template literal") == true, "\(String(describing: err))")
    }

    @Test func theSeedsHandlerFileLoadsAsIs() throws {
        let h = try loader.handlers(text: """
            id: kafka-cpu-alert
            topic: cpu
            kind: kafka
            options:
              topic: 'cpu-alerts'
            """, file: "kafka_cpu_handler.yaml")
        #expect(h.count == 1)
        #expect(h[0].id == "kafka-cpu-alert")
        #expect(h[0].topic == "cpu")
        guard case .kafka(let k) = h[0].action else { Issue.record("not kafka"); return }
        #expect(k.cluster == "infra-monitoring")
        #expect(k.topic == "cpu-alerts")
        #expect(k.partitioning == .byAlertID(.crc32))
    }

    @Test func handlerOptionsAsKapacitorNamesThem() throws {
        let h = try RuleLoader(clusters: ["a", "b"]).handlers(text: """
            id: h
            topic: t
            kind: kafka
            match: changed() == TRUE AND level() >= WARNING
            options:
              cluster: b
              topic: alerts
              template: '{{.ID}}'
              disablePartitionById: true
              partitionAlgorithm: murmur2
            """, file: "h.yaml")
        guard case .kafka(let k) = h[0].action else { Issue.record("not kafka"); return }
        #expect(k.cluster == "b")
        #expect(k.partitioning == .random)
        #expect(k.templateText == "{{.ID}}")
        #expect(h[0].match != nil)
    }

    @Test func oneFileManyRulesThreeWays() throws {
        let list = try loader.rules(text: "- {id: a, crit: '\"v\" > 1'}\n- {id: b, crit: '\"v\" > 2'}\n", file: "f")
        let docs = try loader.rules(text: "id: a\ncrit: '\"v\" > 1'\n---\nid: b\ncrit: '\"v\" > 2'\n", file: "f")
        #expect(list.map(\.id) == ["a", "b"])
        #expect(docs.map(\.id) == ["a", "b"])
    }

    @Test func structuredThresholdsCompileToExpressions() throws {
        let r = try loader.rules(text: """
            id: a
            crit: {field: usage_idle, below: 10}
            warn: {field: usage_idle, atMost: 20.5}
            info: {field: host, equals: web-1}
            critReset: {field: usage_idle, above: -5}
            """, file: "f")
        #expect(r[0].levels[3]?.description == "\"usage_idle\" < 10")
        #expect(r[0].levels[2]?.description == "\"usage_idle\" <= 20.5")
        #expect(r[0].levels[1]?.description == "\"host\" == 'web-1'")
        #expect(r[0].resets[3]?.description == "\"usage_idle\" > -5")
    }

    @Test func inlineKafkaAndLogHandlers() throws {
        let r = try loader.rules(text: """
            id: a
            crit: '"v" > 1'
            kafka:
              - topic: one
              - {cluster: infra-monitoring, topic: two, partitionAlgorithm: fnv-1a}
            log:
              path: /tmp/alerts.log
              mode: '0644'
            """, file: "f")
        #expect(r[0].handlers.map(\.id) == ["a:kafka:0", "a:kafka:1", "a:log:0"])
        guard case .log(let l) = r[0].handlers[2].action else { Issue.record("not log"); return }
        #expect(l.mode == 0o644)
    }

    /// Each mistake: the message it gives and where it points.
    @Test(arguments: [
        ("id: a\ncrit: '\"v\" > 1'\ncritt: x\n", "unknown key \"critt\" (did you mean \"crit\"?)", 3, 1),
        ("id: a\n", "at least one of info, warn or crit (or deadman) is required", 1, 1),
        ("crit: '\"v\" > 1'\n", "\"id\" is required", 1, 1),
        ("id: a\ncrit: '\"v\" > '\n", "crit: unexpected end of expression", 2, 14),
        ("id: a\ncrit: '\"v\" + 1 > 10 + ''x'''\n", "mismatched type to binary operator. got int + string", 2, 21),
        ("id: a\ncrit: '\"v\" + 1'\n", "must be a condition (boolean)", 2, 7),
        ("id: a\ncrit: '\"v\" > 1'\nmessage: '{{ .ID '\n", "message:", 3, 10),
        ("id: a\ncrit: '\"v\" > 1'\nstateChangesOnly: soon\n", "invalid duration \"soon\"", 3, 19),
        ("id: a\ncrit: '\"v\" > 1'\nflapping: {low: 0.2, high: 2}\n", "between 0 and 1", 3, 11),
        ("id: a\ncrit: '\"v\" > 1'\nkafka: {topic: t, cluster: nope}\n", "unknown cluster \"nope\"", 3, 28),
        ("id: a\ncrit: '\"v\" > 1'\nkafka: {cluster: infra-monitoring}\n", "topic is required", 3, 8),
        ("id: a\ncrit: '\"v\" > 1'\nkafka: {topic: t, partitionAlgorithm: md5}\n", "invalid partition algorithm", 3, 39),
        ("id: a\ncrit: '\"v\" > 1'\nhistory: 1\n", "history must be at least 2", 3, 10),
        ("id: a\ncrit: '\"v\" > 1'\nhistory: 100001\n", "history must be at most 100000", 3, 10),
        ("id: a\ncrit: '\"v\" > 1'\nnoRecoveries: maybe\n", "must be true or false", 3, 15),
        ("id: a\ncrit: [1, 2\n", "YAML:", 3, 1),
        ("id: a\ncrit: {field: v, below: 1, above: 2}\n", "exactly one of", 2, 7),
    ])
    func ruleErrors(_ c: (String, String, Int, Int)) {
        guard let e = loadError(c.0) else { Issue.record("loaded: \(c.0)"); return }
        #expect(e.message.contains(c.1), "\(e)")
        #expect(e.location.file == "f.yaml")
        #expect(e.location.line == c.2 && e.location.column == c.3, "\(e)")
    }

    @Test(arguments: [
        ("id: h\ntopic: t\nkind: pagerduty\n", "unsupported kind \"pagerduty\"", 3, 7),
        ("id: h\ntopic: t\nkind: kafka\noptions: {topic: x, bogus: 1}\n", "unknown key \"bogus\"", 4, 21),
        ("id: h\ntopic: t\nkind: kafka\nmatch: level() > PANIC\noptions: {topic: x}\n", "unknown identifier \"PANIC\"", 4, 18),
        ("id: h\nkind: kafka\noptions: {topic: x}\n", "\"topic\" is required", 1, 1),
        ("id: h\ntopic: t\nkind: log\noptions: {path: relative.log}\n", "path must be absolute", 4, 17),
    ])
    func handlerErrors(_ c: (String, String, Int, Int)) {
        guard let e = loadError(c.0, handler: true) else { Issue.record("loaded: \(c.0)"); return }
        #expect(e.message.contains(c.1), "\(e)")
        #expect(e.location.line == c.2 && e.location.column == c.3, "\(e)")
    }

    @Test func clusterMustBeNamedWhenSeveralAreEnabled() {
        let e = loadError("id: h\ntopic: t\nkind: kafka\noptions: {topic: x}\n", handler: true, clusters: ["a", "b"])
        #expect(e?.message.contains("cluster is required when several [[kafka]] clusters are enabled (a, b)") == true)
    }

    @Test func duplicateIDsAcrossFilesAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id: a\ncrit: '\"v\" > 1'\n".write(to: dir.appendingPathComponent("1.yaml"), atomically: true, encoding: .utf8)
        try "id: a\ncrit: '\"v\" > 2'\n".write(to: dir.appendingPathComponent("2.yml"), atomically: true, encoding: .utf8)
        try "id: b\ncrit: '\"v\" >'\n".write(to: dir.appendingPathComponent("3.yaml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: dir.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        let files = try RuleLoader.yamlFiles(in: dir.path)
        #expect(files.count == 3)
        do {
            _ = try loader.load(ruleFiles: files, handlerFiles: [])
            Issue.record("loaded")
        } catch {
            #expect(error.errors.count == 2)
            #expect(error.description.contains("3.yaml:2:"))
            #expect(error.description.contains("2.yml:1:1: rule id \"a\" is already used at"))
        }
    }
}

/// `post` and `tcp` handlers: inline, in handler files and from TICKscript, with their errors.
@Suite struct PostTCPHandlerLoaderTests {
    let loader = RuleLoader(clusters: [], postEndpoints: [PostEndpoint(name: "ep", url: "http://127.0.0.1:1/ep", alertTemplate: nil)])

    @Test func inlineAndHandlerFileHandlersLoad() throws {
        let rules = try loader.rules(text: "id: r\ncrit: 'TRUE'\npost:\n  - {endpoint: ep, headers: {B: '2', A: '1'}}\n  - {url: 'http://h:81/x'}\ntcp: {address: 'h:9'}\n", file: "r.yaml")
        let hs = try #require(rules.first).handlers
        #expect(hs.map(\.id) == ["r:post:0", "r:post:1", "r:tcp:0"])
        guard case .post(let p0) = hs[0].action, case .post(let p1) = hs[1].action, case .tcp(let t) = hs[2].action else {
            Issue.record("\(hs.map(\.action))")
            return
        }
        #expect(p0.outputID == "post:ep" && p0.effectiveURL == "http://127.0.0.1:1/ep" && p0.headers.map(\.name) == ["A", "B"])
        #expect(p1.outputID == "post:http://h:81/x" && t.outputID == "tcp:h:9")
        let files = try loader.handlers(text: "id: h\ntopic: t\nkind: post\noptions:\n  url: 'http://h/'\n  capture-response: true\n---\nid: k\ntopic: t\nkind: tcp\noptions: {address: '127.0.0.1:5'}\n", file: "h.yaml")
        #expect(files.count == 2)
    }

    @Test(arguments: [
        ("id: r\ncrit: 'TRUE'\npost: {endpoint: nope}\n", "r.yaml:3:18: rule \"r\" post: unknown [[httppost]] endpoint \"nope\" and no url (endpoints: ep)"),
        ("id: r\ncrit: 'TRUE'\npost: {url: 'ftp://h/'}\n", "r.yaml:3:13: rule \"r\" post: url \"ftp://h/\" is not an http:// or https:// URL with a host (example: http://127.0.0.1:8080/alerts)"),
        ("id: r\ncrit: 'TRUE'\npost: {url: 'http://h/{{ .ID '}\n", "r.yaml:3:13: rule \"r\" post: url \"http://h/{{ .ID \": invalid URL template syntax: "),
        ("id: r\ncrit: 'TRUE'\npost: {url: 'http://h/', timeout: soon}\n", "r.yaml:3:35: rule \"r\" post: timeout: invalid duration \"soon\""),
        ("id: r\ncrit: 'TRUE'\npost: {url: 'http://h/', skipSSLVerification: maybe}\n", "r.yaml:3:47: rule \"r\" post: skipSSLVerification must be true or false, not \"maybe\""),
        ("id: r\ncrit: 'TRUE'\ntcp: {address: 'h'}\n", "r.yaml:3:16: rule \"r\" tcp: address \"h\" must be host:port with a port from 1 to 65535"),
    ])
    func badHandlersAreRefusedAtTheirPlace(_ yaml: String, _ message: String) {
        do {
            _ = try loader.rules(text: yaml, file: "r.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func tickPostAndTCPCompile() throws {
        let yaml = try RuleLoader.convert(tick: "stream|from()|alert().crit(lambda: TRUE)\n  .post('http://h/').header('A', 'b').captureResponse()\n  .post().endpoint('ep')\n  .tcp('h:1')\n", file: "t.tick")
        #expect(yaml.contains("post:\n  - {url: 'http://h/', captureResponse: true, headers: {'A': 'b'}}\n  - {endpoint: 'ep'}\n"), "\(yaml)")
        #expect(yaml.contains("tcp:\n  - {address: 'h:1'}\n"), "\(yaml)")
        let tls = try RuleLoader.convert(tick: "stream|from()|alert().crit(lambda: TRUE)\n  .post('https://h/{{ .ID }}').timeout(5s).skipSSLVerification()\n", file: "t.tick")
        #expect(tls.contains("post:\n  - {url: 'https://h/{{ .ID }}', timeout: 5s, skipSSLVerification: true}\n"), "\(tls)")
        let rules = try loader.rules(tick: "stream|from()|alert().crit(lambda: TRUE)\n  .post('https://h/{{ .ID }}').timeout(5s).skipSSLVerification()\n", file: "t.tick")
        guard case .post(let p) = try #require(rules.first?.handlers.first).action else {
            Issue.record("not a post handler")
            return
        }
        #expect(p.request == PostRequestOptions(timeout: .seconds(5), skipSSLVerification: true, captureResponse: false))
        #expect(p.urlTemplate != nil && p.outputID == "post:https://h/{{ .ID }}")
        do {
            _ = try loader.rules(tick: "stream|from()|httpPost('http://h/')\n", file: "t.tick")
            Issue.record("httpPost accepted")
        } catch {
            #expect(error.description.hasPrefix("t.tick:1:15: TICKscript: node httpPost() is not supported: it posts each point synchronously inside the task"), "\(error.description)")
        }
    }
}
