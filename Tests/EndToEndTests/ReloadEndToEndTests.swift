import AlertRelayTestSupport
import Foundation
import Testing

/// Reloads under load: the race of issue 14, where a second SIGHUP built its outputs from what
/// the (blocked) engine still used and re-installed the producers the first reload then closed.
extension EndToEndTests {
    /// Brokers down, the spool full and the engine waiting for room; SIGHUP 1 changes `[[kafka]]`,
    /// SIGHUP 2 (within a second) only `[relay] hostname`. Once the brokers are back every alert
    /// arrives, those raised before and the 100 raised after the reloads; none is a dead letter
    /// (before: 0 of the next 100 delivered, 2,189 dead letters, "the producer is closed").
    @Test func twoQuickReloadsDuringAnOutageLoseNoAlert() async throws {
        let broker = try TestBroker(topics: ["r:1"])
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let padding = String(repeating: "x", count: 4000)
        let rule = "id: r\nmeasurement: r\ngroupBy: [host]\ncrit: '\"seq\" >= 0'\n"
            + "kafka: {topic: r, template: '{{ index (index (index .Data.Series 0).Values 0) 1 }} \(padding)'}\n"
        var config = Self.config(broker).replacingOccurrences(of: "[relay]\n", with: "[relay]\n  dead-letter-file = \"\(dir.path)/dead.jsonl\"\n")
        config += "\n[spool]\n  dir = \"\(dir.path)/spool\"\n  max-size = 1048576\n"
        let relay = try RelayProcess(config: config, rules: ["r.yaml": rule])
        func send(_ range: Range<Int>) throws {
            try LoopbackClient.sendUDP(range.map { Array("r,host=h\($0 % 10) seq=\($0)i \($0)\n".utf8) }, port: relay.udpPort)
        }
        broker.takeDown()
        // 1 MiB of spool holds about 250 of these: the engine ends up waiting for room.
        for start in stride(from: 0, to: 400, by: 20) {
            try send(start..<start + 20)
            try? await Task.sleep(for: .milliseconds(20))
        }
        #expect(await eventually(timeout: .seconds(20)) { (Self.metric(Self.metrics(relay), "alertrelay_spool_blocked_total") ?? 0) > 0 },
                "the spool filled and the engine waits")
        try relay.writeConfig(config.replacingOccurrences(of: "  batch-timeout = \"10ms\"\n", with: "  batch-timeout = \"20ms\"\n"))
        relay.signal(SIGHUP)
        try? await Task.sleep(for: .milliseconds(300))
        try relay.writeConfig(config.replacingOccurrences(of: "  batch-timeout = \"10ms\"\n", with: "  batch-timeout = \"20ms\"\n")
            .replacingOccurrences(of: "hostname = \"relay-test\"", with: "hostname = \"relay-test-2\""))
        relay.signal(SIGHUP)
        try? await Task.sleep(for: .milliseconds(500))
        broker.bringUp()
        #expect(await eventually(timeout: .seconds(30)) {
            Self.metric(Self.metrics(relay), "alertrelay_config_reloads_total{result=\"ok\"}") == 2
        }, "both reloads applied once the engine could take them")
        try send(400..<500)
        let messages = try await Self.consume(broker, "r", count: 500, timeout: .seconds(60))
        let metrics = Self.metrics(relay)
        let log = relay.log
        #expect(relay.stop() == 0)
        let values = Set(messages.compactMap { m in m.value.split(separator: " ").first.flatMap { Int($0) } })
        print("two reloads during an outage: \(values.count) of 500 delivered, \(values.filter { $0 >= 400 }.count) of the 100 after the reloads, dead letters \(Self.metric(metrics, "alertrelay_dead_letters_total") ?? -1)")
        if values.count < 500 { print(log.split(separator: "\n").filter { !$0.contains("alert triggered") }.suffix(40).joined(separator: "\n")) }
        #expect(values == Set(0..<500), "missing: \(Set(0..<500).subtracting(values).sorted().prefix(20))")
        #expect(Self.metric(metrics, "alertrelay_dead_letters_total") == 0, "\(metrics)")
        #expect(!log.contains("the producer is closed"))
        #expect(log.contains("previous Kafka producers closed"))
    }
}
