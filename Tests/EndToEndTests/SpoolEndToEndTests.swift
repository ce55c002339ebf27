import AlertRelayTestSupport
import Foundation
import Testing

/// The spool under the faults of issue 15: a disk that fills and frees, brokers down for longer
/// than `message-timeout`, `[spool] max-age`.
extension EndToEndTests {
    static func sequenceRule(_ topic: String) -> String {
        "id: \(topic)\nmeasurement: \(topic)\ngroupBy: [host]\ncrit: '\"seq\" >= 0'\nkafka: {topic: \(topic), template: '{{ index (index (index .Data.Series 0).Values 0) 1 }}'}\n"
    }

    static func metric(_ metrics: String, _ name: String) -> Int? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return nil
    }

    static func metrics(_ relay: RelayProcess) -> String {
        (try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/metrics").1) ?? ""
    }

    /// Per key (partition then offset order), how often a later sequence number came before an earlier one.
    static func outOfOrder(_ messages: [ConsumedMessage]) -> Int {
        var lastPerKey: [String: Int] = [:]
        var n = 0
        for m in messages {
            guard let key = m.key, let v = Int(m.value) else { continue }
            if let last = lastPerKey[key], last > v {
                n += 1
                print("out of order: key \(key) partition \(m.partition) offset \(m.offset): \(v) after \(last)")
            }
            lastPerKey[key] = v
        }
        return n
    }

    /// Brokers down for three message-timeouts while alerts keep coming: with a spool, every
    /// alert arrives afterwards, in order per key; none is a dead letter (before: the ones that
    /// timed out were dead letters, acknowledged in the spool and gone: 213 of 300).
    @Test func spooledAlertsOutliveThreeMessageTimeouts() async throws {
        let broker = try TestBroker(topics: ["r:4"])
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retry-\(UUID().uuidString)")
        // check and run refuse a dead-letter file whose directory does not exist.
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // RETRY_TIMEOUT=5 is the issue's case (message-timeout 5 s, brokers down 15 s).
        let timeout = Int(ProcessInfo.processInfo.environment["RETRY_TIMEOUT"] ?? "") ?? 2
        var config = Self.config(broker).replacingOccurrences(of: "  batch-timeout = \"10ms\"\n",
                                                              with: "  batch-timeout = \"10ms\"\n  message-timeout = \"\(timeout)s\"\n")
        config = config.replacingOccurrences(of: "[relay]\n", with: "[relay]\n  dead-letter-file = \"\(dir.path)/dead.jsonl\"\n")
        config += "\n[spool]\n  dir = \"\(dir.path)/spool\"\n"
        let relay = try RelayProcess(config: config, rules: ["r.yaml": Self.sequenceRule("r")])
        let perSecond = 25, seconds = 4 + 3 * timeout + 2
        var sent = 0
        let start = ContinuousClock.now
        for second in 0..<seconds {
            if second == 2 { broker.takeDown() }
            if second == 2 + 3 * timeout { broker.bringUp() }
            for tenth in 0..<10 {
                var datagrams: [[UInt8]] = []
                for _ in 0..<(perSecond / 10 + (tenth % 2 == 0 ? 1 : 0)) {
                    datagrams.append(Array("r,host=h\(sent % 10) seq=\(sent)i \(sent)\n".utf8))
                    sent += 1
                }
                try LoopbackClient.sendUDP(datagrams, port: relay.udpPort)
                try? await Task.sleep(until: start + .seconds(second) + .milliseconds(100 * (tenth + 1)))
            }
        }
        let messages = try await Self.consume(broker, "r", count: sent, timeout: .seconds(60))
        let metrics = Self.metrics(relay)
        let log = relay.log
        #expect(relay.stop() == 0)
        let values = messages.compactMap { Int($0.value) }
        let duplicates = values.count - Set(values).count
        print("brokers down \(3 * timeout) s, message-timeout \(timeout) s: \(Set(values).count) of \(sent) delivered, \(duplicates) duplicates, \(Self.outOfOrder(messages)) out of order per key, resent \(Self.metric(metrics, "alertrelay_spool_resent_total") ?? -1), dead letters \(Self.metric(metrics, "alertrelay_dead_letters_total") ?? -1)")
        if Self.outOfOrder(messages) > 0 {  // what the relay did, to tell why
            print(log.split(separator: "\n").filter { !$0.contains("alert triggered") }.joined(separator: "\n"))
        }
        #expect(Set(values) == Set(0..<sent), "\(Set(values).count) distinct of \(sent)")
        #expect(duplicates == 0)
        #expect(Self.outOfOrder(messages) == 0)
        #expect(Self.metric(metrics, "alertrelay_dead_letters_total") == 0, "\(metrics)")
        #expect((Self.metric(metrics, "alertrelay_spool_resent_total") ?? 0) > 0, "\(metrics)")
        #expect(log.contains("alert messages sent again after failed deliveries"))
    }

    /// `[spool] max-age`: a message not delivered within it becomes a dead letter (with its value
    /// and the reason) instead of being sent again forever.
    @Test func maxAgeTurnsLongUndeliveredAlertsIntoDeadLetters() async throws {
        let broker = try TestBroker(topics: ["a:1"])
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("maxage-\(UUID().uuidString)")
        // check and run refuse a dead-letter file whose directory does not exist.
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = Self.config(broker).replacingOccurrences(of: "  batch-timeout = \"10ms\"\n",
                                                              with: "  batch-timeout = \"10ms\"\n  message-timeout = \"2s\"\n")
        config = config.replacingOccurrences(of: "[relay]\n", with: "[relay]\n  dead-letter-file = \"\(dir.path)/dead.jsonl\"\n")
        config += "\n[spool]\n  dir = \"\(dir.path)/spool\"\n  max-age = \"5s\"\n"
        let relay = try RelayProcess(config: config, rules: ["a.yaml": Self.sequenceRule("a")])
        broker.takeDown()
        try LoopbackClient.sendUDP([Array("a,host=h0 seq=0i 0\na,host=h1 seq=1i 1\n".utf8)], port: relay.udpPort)
        var metrics = ""
        let expired = await eventually(timeout: .seconds(20)) {
            metrics = Self.metrics(relay)
            return Self.metric(metrics, "alertrelay_spool_expired_total") == 2
        }
        // With a spool the relay stays ready through the outage (alerts are kept on disk) and says
        // that Kafka is unreachable beside it.
        var body = ""
        #expect(await eventually(timeout: .seconds(20)) {
            let (status, text) = (try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/ready")) ?? (0, "")
            body = text
            return status == 200 && text.contains("\"infra-monitoring\":\"unreachable")
        }, "\(body)")
        broker.bringUp()
        // Once librdkafka has reconnected (its back-off grew during the outage), a new alert goes out.
        let reachable = await eventually(timeout: .seconds(30)) {
            Self.metric(Self.metrics(relay), "alertrelay_kafka_cluster_reachable{cluster=\"infra-monitoring\"}") == 1
        }
        #expect(reachable)
        try LoopbackClient.sendUDP([Array("a,host=h2 seq=2i 2\n".utf8)], port: relay.udpPort)
        let messages = try await Self.consume(broker, "a", count: 1)
        let log = relay.log.split(separator: "\n").filter { !$0.contains("alert triggered") }.joined(separator: "\n")
        #expect(relay.stop() == 0)
        #expect(expired, "\(metrics)")
        #expect(Self.metric(metrics, "alertrelay_dead_letters_total") == 2)
        let dead = (try? String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8)) ?? ""
        #expect(dead.split(separator: "\n").count == 2, "\(dead)\n\(log)")
        #expect(dead.contains("\"value\":\"0\"") && dead.contains("max-age 5.0 seconds"), "\(dead)")
        #expect(messages.map(\.value) == ["2"])
        #expect(log.contains("kafka cluster reachable again"))
    }

    /// The issue's disk-full case on a 2 MB tmpfs, brokers down: alerts the full disk refused are
    /// sent unspooled and counted by reason (logged once, not per alert); once the disk frees, the
    /// next 200 are spooled, and after a SIGKILL every spooled alert is delivered (before: 0 of
    /// the 200, since a short write had left a partial record in the segment).
    @Test(.disabled(if: SmallTmpfs.unavailableReason != nil, Comment(rawValue: SmallTmpfs.unavailableReason ?? "")))
    func aDiskThatFillsAndFreesLosesNoSpooledAlert() async throws {
        let broker = try TestBroker(topics: ["s:4"])
        defer { broker.stop() }
        let disk = try SmallTmpfs(bytes: 2 << 20)
        defer { disk.unmount() }
        let config = Self.config(broker) + "\n[spool]\n  dir = \"\(disk.path)/spool\"\n"
        let rule = ["s.yaml": Self.sequenceRule("s")]
        let first = try RelayProcess(config: config, rules: rule)
        broker.takeDown()
        let filler = try disk.fill("filler", leaving: 64 << 10)
        func send(_ range: Range<Int>) throws {
            let fd = try LoopbackClient.connectTCP(port: first.tcpPort)
            defer { close(fd) }
            var text = ""
            for i in range { text += "s,host=h\(i % 100) seq=\(i)i \(i)\n" }
            try LoopbackClient.write(fd, Array(text.utf8))
        }
        try send(0..<2000)
        #expect(await Self.evaluated(first, 2000))
        let unspooled = Self.metric(Self.metrics(first), "alertrelay_spool_unspooled_total{reason=\"disk-full\"}") ?? 0
        try FileManager.default.removeItem(atPath: filler)
        try send(2000..<2200)
        #expect(await Self.evaluated(first, 2200))
        let log = first.log
        first.signal(SIGKILL)
        first.process.waitUntilExit()
        broker.bringUp()
        let second = try RelayProcess(config: config, rules: rule)
        let spooled = Set(0..<(2000 - unspooled)).union(2000..<2200)
        let messages = try await Self.consume(broker, "s", count: spooled.count, timeout: .seconds(60))
        #expect(second.stop() == 0)
        let values = Set(messages.compactMap { Int($0.value) })
        print("disk full: \(unspooled) of 2000 sent unspooled; after freeing and SIGKILL, \(values.intersection(2000..<2200).count) of 200 delivered, \(values.intersection(spooled).count) of \(spooled.count) spooled in all")
        #expect(unspooled > 0 && unspooled < 2000, "unspooled \(unspooled)")
        #expect(values == spooled, "\(values.intersection(spooled).count) of \(spooled.count) spooled alerts delivered")
        #expect(messages.count == spooled.count, "\(messages.count) messages for \(spooled.count) alerts")
        let lines = log.components(separatedBy: "cannot spool alert messages").count - 1
        #expect(lines >= 1 && lines <= 2, "\(lines) log lines for \(unspooled) unspooled alerts")
    }
}
