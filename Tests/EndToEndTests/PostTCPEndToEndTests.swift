import AlertRelayTestSupport
import Foundation
import Testing

/// The `post` and `tcp` handlers through `alertrelay run`, against an HTTP server and a TCP
/// listener the test starts (python3 processes on 127.0.0.1): bodies, retries, dead letters,
/// backpressure and the spool across a restart.
extension EndToEndTests {
    /// A relay without Kafka: UDP and HTTP listeners, one `[[httppost]]` endpoint `ep`.
    static func postConfig(endpoint url: String, dir: URL, extra: String = "") -> String {
        """
        [[udp]]
          bind-address = "127.0.0.1:0"
        [http]
          bind-address = "127.0.0.1:0"
        [relay]
          hostname = "relay-test"
          shutdown-timeout = "5s"
          dead-letter-file = "\(dir.path)/dead.jsonl"
        [[httppost]]
          endpoint = "ep"
          url = "\(url)"
          headers = { X-Team = "infra" }
          basic-auth = { username = "relay", password = "secret" }
        \(extra)
        """
    }

    /// A rule that alerts on `v > 90` per host and sends each event to `handlers` and to a log
    /// file (the alert JSON, byte for byte what post and tcp must carry).
    static func postRule(_ handlers: String, log: URL) -> [String: String] {
        ["cpu.yaml": "id: cpu\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"v\" > 90'\n\(handlers)log: {path: \"\(log.path)\"}\n"]
    }

    static func tempDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The alert JSON lines the log handler wrote, each with its newline.
    static func loggedAlerts(_ file: URL) -> [[UInt8]] {
        let bytes = Array((try? Data(contentsOf: file)) ?? Data())
        return bytes.split(separator: UInt8(ascii: "\n")).map { Array($0) + [UInt8(ascii: "\n")] }
    }

    /// Three events: host a CRITICAL, host b CRITICAL, host a OK.
    static func sendThreeAlerts(_ relay: RelayProcess) throws {
        for line in ["cpu,host=a v=95 1764288000000000000", "cpu,host=b v=97 1764288001000000000", "cpu,host=a v=10 1764288002000000000"] {
            try LoopbackClient.sendUDP([Array((line + "\n").utf8)], port: relay.udpPort)
        }
    }

    /// Every event reaches the endpoint, an inline URL and a TCP listener with the alert JSON
    /// byte for byte (tcp: plus Kapacitor's extra newline), in order, with the endpoint's
    /// headers and basic auth and the handler's own header.
    @Test func postAndTCPCarryTheAlertJSON() async throws {
        let dir = try Self.tempDirectory("post")
        defer { try? FileManager.default.removeItem(at: dir) }
        let http = try TestReceiver("http")
        defer { http.stop() }
        let tcp = try TestReceiver("tcp")
        defer { tcp.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let handlers = "post:\n  - {endpoint: ep, headers: {X-Rule: cpu}}\n  - {url: 'http://127.0.0.1:\(http.port)/inline'}\ntcp: {address: '127.0.0.1:\(tcp.port)'}\n"
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/alerts", dir: dir),
                                     rules: Self.postRule(handlers, log: log))
        try Self.sendThreeAlerts(relay)
        let delivered = await eventually(timeout: .seconds(15)) { http.requests.count >= 6 && tcp.bytes.filter { $0 == 10 }.count >= 6 }
        var metrics = ""
        _ = await eventually { metrics = Self.metrics(relay); return metrics.contains("alertrelay_handler_messages_delivered_total{output=\"post:ep\"} 3") }
        #expect(relay.stop() == 0)
        #expect(delivered, "\(http.requests.count) requests, \(tcp.bytes.count) tcp bytes")
        let alerts = Self.loggedAlerts(log)
        #expect(alerts.count == 3)
        let endpoint = http.requests.filter { $0.path == "/alerts" }
        let inline = http.requests.filter { $0.path == "/inline" }
        #expect(endpoint.map(\.body) == alerts)
        #expect(inline.map(\.body) == alerts)
        #expect(tcp.bytes == alerts.flatMap { $0 + [UInt8(ascii: "\n")] })
        for r in endpoint {
            #expect(r.headers["content-type"] == "application/json")
            #expect(r.headers["x-team"] == "infra" && r.headers["x-rule"] == "cpu")
            #expect(r.headers["authorization"] == "Basic cmVsYXk6c2VjcmV0")
        }
        #expect(inline.allSatisfy { $0.headers["x-team"] == nil && $0.headers["authorization"] == nil })
        #expect(metrics.contains("alertrelay_handler_messages_delivered_total{output=\"post:ep\"} 3"), "\(metrics)")
        #expect(metrics.contains("alertrelay_handler_messages_sent_total{output=\"tcp:127.0.0.1:\(tcp.port)\"} 3"), "\(metrics)")
    }

    /// 500, 503 and 429 are answers that may pass: the first alert is tried again (with back-off)
    /// until the 200, and each alert is delivered once, in order. A server that is not running
    /// yet: its alerts arrive once it starts.
    @Test func postRetriesServerErrorsAndAServerThatIsDown() async throws {
        let dir = try Self.tempDirectory("post-retry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let http = try TestReceiver("http", statuses: [500, 503, 429])
        defer { http.stop() }
        let laterPort = try freeLoopbackPort()
        let log = dir.appendingPathComponent("alerts.log")
        let handlers = "post:\n  - {endpoint: ep}\n  - {url: 'http://127.0.0.1:\(laterPort)/later'}\n"
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/alerts", dir: dir),
                                     rules: Self.postRule(handlers, log: log))
        try Self.sendThreeAlerts(relay)
        #expect(await eventually(timeout: .seconds(10)) { Self.loggedAlerts(log).count == 3 })
        try await Task.sleep(for: .seconds(1))
        let later = try TestReceiver("http", port: laterPort)
        defer { later.stop() }
        let delivered = await eventually(timeout: .seconds(20)) {
            http.requests.filter { $0.status == 200 }.count >= 3 && later.requests.count >= 3
        }
        let relayLog = relay.log
        #expect(relay.stop() == 0)
        #expect(delivered, "\(http.requests.map(\.status)) \(later.requests.count)\n\(relayLog)")
        let alerts = Self.loggedAlerts(log)
        #expect(http.requests.map(\.status) == [500, 503, 429, 200, 200, 200])
        #expect(http.requests.filter { $0.status == 200 }.map(\.body) == alerts)
        #expect(http.requests.prefix(4).allSatisfy { $0.body == alerts[0] })
        #expect(later.requests.map(\.body) == alerts)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("dead.jsonl").path))
    }

    /// A 400 cannot pass by trying again: each alert is a dead letter at once (with its body and
    /// the server's answer), counted per output.
    @Test func aRefusedPostIsADeadLetter() async throws {
        let dir = try Self.tempDirectory("post-400")
        defer { try? FileManager.default.removeItem(at: dir) }
        let http = try TestReceiver("http", then: 400)
        defer { http.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/alerts", dir: dir),
                                     rules: Self.postRule("post: {endpoint: ep}\n", log: log))
        try Self.sendThreeAlerts(relay)
        let deadFile = dir.appendingPathComponent("dead.jsonl")
        let dead = await eventually(timeout: .seconds(10)) {
            ((try? String(contentsOf: deadFile, encoding: .utf8)) ?? "").split(separator: "\n").count == 3
        }
        var metrics = ""
        _ = await eventually { metrics = Self.metrics(relay); return metrics.contains("alertrelay_handler_messages_failed_total{output=\"post:ep\"} 3") }
        #expect(relay.stop() == 0)
        #expect(dead)
        let lines = ((try? String(contentsOf: deadFile, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(http.requests.count == 3, "one attempt each")
        for line in lines {
            #expect(line.contains("\"output\":\"post:ep\",\"url\":\"http://127.0.0.1:\(http.port)/alerts\""), "\(line)")
            #expect(line.contains("returned 400 Bad Request: unknown error, use .captureResponse() to capture the HTTP response"), "\(line)")
            #expect(line.contains("\"value\":\"{\\\"id\\\":\\\"cpu:host="), "\(line)")
        }
        #expect(metrics.contains("alertrelay_handler_messages_dead_lettered_total{output=\"post:ep\"} 3"), "\(metrics)")
        #expect(metrics.contains("alertrelay_handler_messages_failed_total{output=\"post:ep\"} 3"), "\(metrics)")
    }

    /// A server that takes 500 ms per answer does not hold the engine: 40 events are evaluated
    /// (and logged) long before their posts are through; none is lost.
    @Test func aSlowServerDoesNotBlockEvaluation() async throws {
        let dir = try Self.tempDirectory("post-slow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let http = try TestReceiver("http", delay: 0.5)
        defer { http.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/alerts", dir: dir),
                                     rules: Self.postRule("post: {endpoint: ep}\n", log: log))
        let start = ContinuousClock.now
        for i in 0..<40 {
            let line = "cpu,host=a v=\(i % 2 == 0 ? 95 : 10) \(1764288000000000000 + i * 1_000_000_000)\n"
            try LoopbackClient.sendUDP([Array(line.utf8)], port: relay.udpPort)
        }
        let evaluated = await eventually(timeout: .seconds(10)) { Self.loggedAlerts(log).count == 40 }
        let evaluatedAfter = ContinuousClock.now - start
        let postedBy = http.requests.count
        let all = await eventually(timeout: .seconds(40)) { http.requests.count == 40 }
        #expect(relay.stop() == 0)
        print("slow server (500 ms per answer): 40 events evaluated in \(evaluatedAfter), \(postedBy) posted by then; all 40 posted: \(all)")
        #expect(evaluated && evaluatedAfter < .seconds(5))
        #expect(postedBy < 20)
        #expect(all && http.requests.map(\.body) == Self.loggedAlerts(log))
    }

    /// Posts spooled while the server is down survive a SIGKILL: the next start sends them.
    @Test func spooledPostsAreSentAfterARestart() async throws {
        let dir = try Self.tempDirectory("post-spool")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try freeLoopbackPort()
        let log = dir.appendingPathComponent("alerts.log")
        let config = Self.postConfig(endpoint: "http://127.0.0.1:\(port)/alerts", dir: dir, extra: "[spool]\n  dir = \"\(dir.path)/spool\"\n")
        let rules = Self.postRule("post: {endpoint: ep}\n", log: log)
        let first = try RelayProcess(config: config, rules: rules)
        try Self.sendThreeAlerts(first)
        #expect(await eventually(timeout: .seconds(10)) { Self.loggedAlerts(log).count == 3 })
        first.signal(SIGKILL)
        first.process.waitUntilExit()
        let http = try TestReceiver("http", port: port)
        defer { http.stop() }
        let second = try RelayProcess(config: config, rules: [:])
        let delivered = await eventually(timeout: .seconds(15)) { http.requests.count >= 3 }
        let secondLog = second.log
        #expect(second.stop() == 0)
        #expect(delivered, "\(secondLog)")
        #expect(secondLog.contains("unacknowledged=3"), "\(secondLog)")
        #expect(http.requests.map(\.body) == Self.loggedAlerts(log))
    }

    /// A TCP listener that comes up late still gets every alert line, in order (reconnect with back-off).
    @Test func tcpReconnectsUntilTheListenerIsUp() async throws {
        let dir = try Self.tempDirectory("tcp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try freeLoopbackPort()
        let log = dir.appendingPathComponent("alerts.log")
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:1/unused", dir: dir),
                                     rules: Self.postRule("tcp: {address: '127.0.0.1:\(port)'}\n", log: log))
        try Self.sendThreeAlerts(relay)
        #expect(await eventually(timeout: .seconds(10)) { Self.loggedAlerts(log).count == 3 })
        try await Task.sleep(for: .seconds(1))
        let tcp = try TestReceiver("tcp", port: port)
        defer { tcp.stop() }
        let expected = Self.loggedAlerts(log).flatMap { $0 + [UInt8(ascii: "\n")] }
        let delivered = await eventually(timeout: .seconds(15)) { tcp.bytes.count >= expected.count }
        #expect(relay.stop() == 0)
        #expect(delivered && tcp.bytes == expected)
    }
}
