import AlertRelayTestSupport
import Foundation
import Testing

/// Kapacitor's HTTP API as the relay serves it (issue 18, item 2): ping and write under
/// `/kapacitor/v1`, the alerts API in Kapacitor 1.5's JSON shapes (`client/v1` types `Topics`,
/// `Topic`, `TopicEvents`, `TopicEvent`, `EventState`, `TopicHandlers`, `TopicHandler`, written
/// by `httpd.MarshalJSON(v, true)`), and the relay's per-rule view.
extension EndToEndTests {
    static let memRule = """
        id: mem_alert
        measurement: mem
        groupBy: [host]
        warn: '"used" > 80'
        crit: '"used" > 90'
        topic: mem
        """

    /// The seed's rules and handler, plus a grouped rule on its own topic, with the admin
    /// endpoints on their own address behind a token.
    static func apiRelay(_ broker: TestBroker) throws -> RelayProcess {
        var seed = try seedFiles()
        seed.rules["mem_alert.yaml"] = memRule
        return try RelayProcess(config: config(broker) + "\n[admin]\n  bind-address = \"127.0.0.1:0\"\n  auth-token = \"s3cret\"\n",
                                rules: seed.rules, handlers: seed.handlers)
    }

    static let token = ["Authorization": "Bearer s3cret"]

    static func api(_ relay: RelayProcess, _ path: String, method: String = "GET") throws -> HTTPExchange {
        try HTTPExchange(port: relay.adminPort, method: method, path: path, headers: token)
    }

    /// Where each key first appears in `text`: the keys of a Go struct come in declaration order.
    static func inOrder(_ text: String, _ keys: [String]) -> Bool {
        let positions = keys.map { text.range(of: "\"\($0)\": ")?.lowerBound }
        guard positions.allSatisfy({ $0 != nil }) else { return false }
        return zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! }
    }

    static func gzip(_ data: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(data))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(out)
    }

    @Test func kapacitorAlertsAPIAndPerRuleViewAfterAnAlertOverUDP() async throws {
        let broker = try TestBroker(topics: ["cpu-alerts:1"])
        defer { broker.stop() }
        let relay = try Self.apiRelay(broker)
        defer { relay.stop() }

        // Topics exist from the start (Kapacitor creates them for handlers and anonymous topics).
        let before = try Self.api(relay, "/kapacitor/v1/alerts/topics")
        #expect(before.status == 200, "\(before.body)")
        #expect((before.json?["topics"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["cpu", "main:kafka-cpu-alert:alert2", "mem"])

        try LoopbackClient.sendUDP([Array("cpu,host=a usage_idle=50 1764288000000000000\n".utf8)], port: relay.udpPort)
        try LoopbackClient.sendUDP([Array("cpu,host=a usage_idle=5 1764288010000000000\nmem,host=a used=95 1764288010000000000\nmem,host=b used=85 1764288010000000000\n".utf8)],
                                   port: relay.udpPort)
        try LoopbackClient.sendUDP([Array("mem,host=a used=96i 1764288020000000000\n".utf8)], port: relay.udpPort)
        let messages = try await Self.consume(broker, "cpu-alerts", count: 2)
        #expect(messages.count == 2, "\(relay.log)")
        #expect(await eventually(timeout: .seconds(10)) {
            ((try? Self.api(relay, "/kapacitor/v1/alerts/topics/mem").json?["collected"]) as? Int) == 3
        })

        // GET /kapacitor/v1/alerts/topics: client.Topics, topics sorted by ID.
        let topics = try Self.api(relay, "/kapacitor/v1/alerts/topics")
        #expect(topics.status == 200)
        #expect(topics.headers["content-type"] == "application/json; charset=utf-8")
        #expect(topics.headers["x-kapacitor-version"] == "1.5.9-alertrelay")
        #expect(Self.inOrder(topics.body, ["link", "topics"]))
        let list = try #require(topics.json?["topics"] as? [[String: Any]])
        #expect(list.map { $0["id"] as? String } == ["cpu", "main:kafka-cpu-alert:alert2", "mem"])
        #expect(list.map { $0["level"] as? String } == ["CRITICAL", "CRITICAL", "CRITICAL"])
        #expect(list.map { $0["collected"] as? Int } == [1, 1, 3])
        #expect(((topics.json?["link"]) as? [String: String]) == ["rel": "self", "href": "/kapacitor/v1/alerts/topics"])

        // GET .../topics/cpu: client.Topic, exactly as Go's MarshalIndent writes it.
        let cpu = try Self.api(relay, "/kapacitor/v1/alerts/topics/cpu")
        #expect(cpu.status == 200)
        #expect(cpu.body == """
            {
                "link": {
                    "rel": "self",
                    "href": "/kapacitor/v1/alerts/topics/cpu"
                },
                "id": "cpu",
                "level": "CRITICAL",
                "collected": 1,
                "events-link": {
                    "rel": "events",
                    "href": "/kapacitor/v1/alerts/topics/cpu/events"
                },
                "handlers-link": {
                    "rel": "handlers",
                    "href": "/kapacitor/v1/alerts/topics/cpu/handlers"
                }
            }
            """)

        // GET .../topics/mem/events: client.TopicEvents, highest level first.
        let events = try Self.api(relay, "/kapacitor/v1/alerts/topics/mem/events")
        #expect(events.status == 200)
        #expect(Self.inOrder(events.body, ["link", "topic", "events"]))
        #expect(events.json?["topic"] as? String == "mem")
        let eventList = try #require(events.json?["events"] as? [[String: Any]])
        #expect(eventList.map { $0["id"] as? String } == ["mem:host=a", "mem:host=b"])
        #expect((eventList[0]["link"] as? [String: String])?["href"] == "/kapacitor/v1/alerts/topics/mem/events/mem:host=a")
        let state = try #require(eventList[0]["state"] as? [String: Any])
        #expect(Set(state.keys) == ["message", "details", "time", "duration", "level"])
        #expect(state["message"] as? String == "mem:host=a is CRITICAL")
        #expect(state["time"] as? String == "2025-11-28T00:00:20Z")
        #expect(state["duration"] as? String == "10s")
        #expect(state["level"] as? String == "CRITICAL")
        #expect((state["details"] as? String)?.contains("&#34;used&#34;:96") == true, "details: the html/template JSON of the alert")
        #expect(((eventList[1]["state"] as? [String: Any])?["level"]) as? String == "WARNING")
        let critical = try Self.api(relay, "/kapacitor/v1/alerts/topics/mem/events?min-level=critical")
        #expect((critical.json?["events"] as? [[String: Any]])?.count == 1)

        // GET .../events/{id}: client.TopicEvent; state in EventState's field order.
        let event = try Self.api(relay, "/kapacitor/v1/alerts/topics/mem/events/mem:host=b")
        #expect(event.status == 200)
        #expect(Self.inOrder(event.body, ["link", "id", "state", "message", "details", "time", "duration", "level"]))
        #expect(event.json?["id"] as? String == "mem:host=b")
        #expect(((event.json?["state"] as? [String: Any])?["duration"]) as? String == "0s")

        // GET .../handlers and .../handlers/{id}: client.TopicHandlers and client.TopicHandler.
        let handlers = try Self.api(relay, "/kapacitor/v1/alerts/topics/cpu/handlers")
        #expect(handlers.status == 200)
        #expect(Self.inOrder(handlers.body, ["link", "topic", "handlers"]))
        #expect((handlers.json?["handlers"] as? [[String: Any]])?.map { $0["id"] as? String } == ["kafka-cpu-alert"])
        let handler = try Self.api(relay, "/kapacitor/v1/alerts/topics/cpu/handlers/kafka-cpu-alert")
        #expect(handler.body == """
            {
                "link": {
                    "rel": "self",
                    "href": "/kapacitor/v1/alerts/topics/cpu/handlers/kafka-cpu-alert"
                },
                "id": "kafka-cpu-alert",
                "kind": "kafka",
                "options": {
                    "cluster": "infra-monitoring",
                    "topic": "cpu-alerts"
                },
                "match": ""
            }
            """)
        // Anonymous topics' handlers are not listed (Kapacitor: "cannot be listed or modified via the API").
        let anonymous = try Self.api(relay, "/kapacitor/v1/alerts/topics/main:kafka-cpu-alert:alert2/handlers")
        #expect(anonymous.status == 200)
        #expect((anonymous.json?["handlers"] as? [Any])?.isEmpty == true)
        #expect(anonymous.json?["topic"] as? String == "main:kafka-cpu-alert:alert2")

        // Errors as Kapacitor answers them.
        func failure(_ path: String, method: String = "GET") throws -> (Int, String?) {
            let r = try Self.api(relay, path, method: method)
            return (r.status, r.json?["error"] as? String)
        }
        #expect(try failure("/kapacitor/v1/alerts/topics/nope") == (404, "unknown topic: \"nope\""))
        #expect(try failure("/kapacitor/v1/alerts/topics/nope/events") == (500, "failed to get topic events: unknown topic \"nope\""))
        #expect(try failure("/kapacitor/v1/alerts/topics/cpu/events/x") == (404, "unknown event \"x\" in topic \"cpu\""))
        #expect(try failure("/kapacitor/v1/alerts/topics/cpu/handlers/x") == (404, "unknown handler: \"x\""))
        #expect(try failure("/kapacitor/v1/alerts/topics?min-level=bogus") == (400, "unknown alert level 'BOGUS'"))
        #expect(try failure("/kapacitor/v1/alerts/topics?pattern=%5B") == (400, "invalid pattern: syntax error in pattern"))
        #expect(try failure("/kapacitor/v1/alerts/topics/cpu", method: "DELETE").0 == 405)
        #expect(try HTTPExchange(port: relay.adminPort, method: "GET", path: "/kapacitor/v1/alerts/topics").status == 401, "behind the admin token")
        let pattern = try Self.api(relay, "/kapacitor/v1/alerts/topics?pattern=main:*")
        #expect((pattern.json?["topics"] as? [[String: Any]])?.map { $0["id"] as? String } == ["main:kafka-cpu-alert:alert2"])
        #expect((pattern.json?["link"] as? [String: String])?["href"] == "/kapacitor/v1/alerts/topics?pattern=main:*", "self is the request's URL")

        // The relay's per-rule view: active groups with level, since, last message and value.
        let rules = try Self.api(relay, "/alertrelay/v1/rules")
        let ruleList = try #require(rules.json?["rules"] as? [[String: Any]])
        #expect(Set(ruleList.compactMap { $0["id"] as? String }) == ["kafka-cpu-alert", "cpu_alert", "mem_alert"])
        let mem = try #require(ruleList.first { $0["id"] as? String == "mem_alert" })
        #expect(mem["level"] as? String == "CRITICAL")
        #expect(mem["active"] as? [String: Int] == ["INFO": 0, "WARNING": 1, "CRITICAL": 1])
        #expect(mem["groups"] as? Int == 2)
        #expect(mem["topics"] as? [String] == ["mem"])
        #expect((ruleList.first { $0["id"] as? String == "kafka-cpu-alert" }?["topics"]) as? [String] == ["main:kafka-cpu-alert:alert2"])
        let memAlerts = try Self.api(relay, "/alertrelay/v1/rules/mem_alert/alerts")
        let active = try #require(memAlerts.json?["alerts"] as? [[String: Any]])
        #expect(active.count == 2)
        #expect(active[0]["id"] as? String == "mem:host=a")
        #expect(active[0]["group"] as? String == "host=a")
        #expect(active[0]["level"] as? String == "CRITICAL")
        #expect(active[0]["since"] as? String == "2025-11-28T00:00:10Z")
        #expect(active[0]["duration"] as? String == "10s")
        #expect(active[0]["time"] as? String == "2025-11-28T00:00:20Z")
        #expect(active[0]["message"] as? String == "mem:host=a is CRITICAL")
        #expect(active[0]["tags"] as? [String: String] == ["host": "a"])
        #expect(active[0]["fields"] as? [String: Int] == ["used": 96])
        #expect(active[1]["fields"] as? [String: Double] == ["used": 85])
        let capped = try Self.api(relay, "/alertrelay/v1/rules/mem_alert/alerts?limit=1")
        #expect((capped.json?["alerts"] as? [Any])?.count == 1)
        #expect(capped.json?["truncated"] as? Bool == true)
        #expect(capped.json?["total"] as? Int == 2)
        #expect(try failure("/alertrelay/v1/rules/nope/alerts") == (404, "unknown rule: \"nope\""))
        let recent = try Self.api(relay, "/alertrelay/v1/events")
        let recentEvents = try #require(recent.json?["events"] as? [[String: Any]])
        #expect(recentEvents.count == 5)
        #expect(recentEvents.first?["id"] as? String == "mem:host=a", "newest first")
        #expect(recentEvents.first?["previous-level"] as? String == "CRITICAL")
        let status = try Self.api(relay, "/alertrelay/v1/status")
        #expect(status.json?["active"] as? [String: Int] == ["INFO": 0, "WARNING": 1, "CRITICAL": 3])
        #expect(((status.json?["kafka"] as? [[String: Any]])?.first?["cluster"]) as? String == "infra-monitoring")

        // Telegraf's influxdb output pointed at http://relay/kapacitor/v1: its request, gzip body.
        #expect(try HTTPExchange(port: relay.httpPort, method: "GET", path: "/kapacitor/v1/ping").headers["x-kapacitor-version"] == "1.5.9-alertrelay")
        #expect(try HTTPExchange(port: relay.httpPort, method: "GET", path: "/kapacitor/v1/ping").status == 204)
        let body = try Self.gzip(Array("cpu,host=a usage_idle=70 1764288030000000000\n".utf8))
        let write = try HTTPExchange(port: relay.httpPort, method: "POST", path: "/kapacitor/v1/write?db=telegraf&rp=autogen", headers: [
            "Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "gzip", "User-Agent": "Telegraf/1.28.5 Go/1.21.4",
        ], body: body)
        #expect(write.status == 204, "\(write.body)")
        // Telegraf's CREATE DATABASE first: 404, as Kapacitor answers it (Telegraf logs it and writes on).
        #expect(try HTTPExchange(port: relay.httpPort, method: "POST", path: "/kapacitor/v1/query?q=CREATE+DATABASE+%22telegraf%22").status == 404)
        #expect(try HTTPExchange(port: relay.httpPort, method: "POST", path: "/query?q=CREATE+DATABASE+%22telegraf%22").status == 404)
        #expect(write.headers["x-kapacitor-version"] == "1.5.9-alertrelay")
        #expect(await eventually(timeout: .seconds(10)) {
            ((try? Self.api(relay, "/kapacitor/v1/alerts/topics?min-level=WARNING").json?["topics"]) as? [[String: Any]])?.count == 1
        }, "the recovery written as Telegraf writes it reached the rules: only mem is still at WARNING or above")
        let recovered = try Self.api(relay, "/kapacitor/v1/alerts/topics/cpu/events/cpu:nil")
        #expect(((recovered.json?["state"] as? [String: Any])?["level"]) as? String == "OK", "OK events are kept, as Kapacitor keeps them")
        #expect(try await Self.consume(broker, "cpu-alerts", count: 4).count == 4)
    }
}
