import AlertRelayTestSupport
import Foundation
import Testing

/// `[[kafka-consumer]]` with `alertrelay run` processes: line protocol read from `kafka-test-broker`
/// in a consumer group, alerts produced back to Kafka, offsets committed only once alerts are held.
extension EndToEndTests {
    static func consumerConfig(input: TestBroker, output: TestBroker? = nil, group: String, topic: String = "telegraf") -> String {
        """
        [[kafka]]
          enabled = true
          id = "input"
          brokers = ["\(input.bootstrap)"]
          batch-timeout = "10ms"
        \(output.map { "[[kafka]]\n  enabled = true\n  id = \"output\"\n  brokers = [\"\($0.bootstrap)\"]\n  batch-timeout = \"10ms\"\n  [kafka.librdkafka]\n    \"reconnect.backoff.max.ms\" = 500\n" } ?? "")
        [[kafka-consumer]]
          cluster = "input"
          topics = ["\(topic)"]
          group-id = "\(group)"
          precision = "s"
          start = "earliest"
          [kafka-consumer.librdkafka]
            "session.timeout.ms" = 6000
            "heartbeat.interval.ms" = 300
            "fetch.wait.max.ms" = 20
        [http]
          bind-address = "127.0.0.1:0"
        [relay]
          hostname = "relay-test"
          shutdown-timeout = "5s"
        """
    }

    /// A rule raising an event for every point (the values alternate between critical and OK).
    static func flipRule(cluster: String) -> String {
        "id: flip\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"v\" > 50'\nkafka: {cluster: \(cluster), topic: flips, template: '{{ .ID }} {{ .Level }} {{ index (index (index .Data.Series 0).Values 0) 1 }}'}\n"
    }

    /// `hosts` × `perHost` points, the value alternating 90, 10, ...; one message per 5 points of a
    /// host (keyed by host, so one host's points share a partition), each with one bad line.
    static func flipMessages(hosts: Int, perHost: Int, first: Int = 0) -> [(key: String?, value: String)] {
        var out: [(key: String?, value: String)] = []
        for h in 0..<hosts {
            var lines: [String] = []
            for i in first..<(first + perHost) {
                lines.append("cpu,host=h\(h) v=\(i % 2 == 0 ? 90 : 10),n=\(i)i \(1_700_000_000 + i)")
                if lines.count == 5 || i == first + perHost - 1 {
                    out.append(("h\(h)", (lines + ["cpu,host=h\(h) this is not line protocol"]).joined(separator: "\n")))
                    lines = []
                }
            }
        }
        return out
    }

    /// The value of `name{labels...}` (a prefix of the labels is enough), summed over its series.
    static func metricSum(_ metrics: String, _ name: String, labels: String = "") -> Int? {
        var total: Int?
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + "{" + labels) || (labels.isEmpty && line.hasPrefix(name + " ")) {
            total = (total ?? 0) + Int(Double(line.split(separator: " ").last ?? "") ?? 0)
        }
        return total
    }

    @Test func aRelayConsumingATopicRaisesTheAlertsAndCountsBadLines() async throws {
        let broker = try TestBroker(topics: ["telegraf:4", "flips:1"])
        defer { broker.stop() }
        let relay = try RelayProcess(config: Self.consumerConfig(input: broker, group: "e2e-one"), rules: ["flip.yaml": Self.flipRule(cluster: "input")])
        defer { relay.stop() }
        let messages = Self.flipMessages(hosts: 6, perHost: 10)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "telegraf", messages: messages)
        let alerts = try await Self.consume(broker, "flips", count: 60, timeout: .seconds(30))
        #expect(alerts.count == 60)
        // Per alert ID, in order: CRITICAL, OK, CRITICAL, ... with n = 0, 1, 2, ...
        var byID: [String: [String]] = [:]
        for a in alerts {
            let parts = a.value.split(separator: " ")
            byID[String(parts[0]), default: []].append(parts.dropFirst().joined(separator: " "))
        }
        #expect(byID.count == 6)
        for (_, events) in byID { #expect(events == (0..<10).map { "\($0 % 2 == 0 ? "CRITICAL" : "OK") \($0)" }) }
        let listener = "listener=\"kafka-consumer:e2e-one@input\""
        var metrics = ""
        #expect(await eventually(timeout: .seconds(10)) {
            metrics = Self.metrics(relay)
            return Self.metricSum(metrics, "alertrelay_kafka_consumer_committed_offset", labels: listener) == messages.count
        })
        #expect(Self.metricSum(metrics, "alertrelay_lines_rejected_total", labels: listener) == messages.count)
        #expect(Self.metricSum(metrics, "alertrelay_points_received_total", labels: listener) == 60)
        #expect(Self.metricSum(metrics, "alertrelay_listener_messages_total", labels: listener) == messages.count)
        #expect(Self.metricSum(metrics, "alertrelay_kafka_consumer_assigned_partitions", labels: listener) == 4)
        #expect(Self.metricSum(metrics, "alertrelay_kafka_consumer_lag_messages", labels: listener) == 0)
        let ready = try LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/ready")
        #expect(ready.0 == 200, "\(ready.1)")
        let status = try HTTPExchange(port: relay.httpPort, method: "GET", path: "/alertrelay/v1/status").json
        let consumers = status?["consumers"] as? [[String: Any]]
        #expect((consumers?.first?["partitions"] as? [Any])?.count == 4)
    }

    /// The output broker is down while the points are evaluated: their alerts are not held, so no
    /// offset is committed; after a SIGKILL (the alerts in librdkafka's memory are lost) a relay
    /// started again in the same group reads the uncommitted tail again and every alert arrives.
    @Test func offsetsWaitForHeldAlertsAndARestartedRelayReplaysTheTail() async throws {
        // The changelog made with the input's count: the mock cluster cannot create topics through
        // the admin API, and its auto-creation's 4 would be refused (ChangelogTopicCheck).
        let input = try TestBroker(topics: ["telegraf:2", "e2e-replay-state:2"])
        defer { input.stop() }
        let output = try TestBroker(topics: ["flips:1"])
        defer { output.stop() }
        let config = Self.consumerConfig(input: input, output: output, group: "e2e-replay")
        let rules = ["flip.yaml": Self.flipRule(cluster: "output")]
        let first = try RelayProcess(config: config, rules: rules)
        let listener = "listener=\"kafka-consumer:e2e-replay@input\""
        #expect(await eventually(timeout: .seconds(20)) {
            Self.metricSum(Self.metrics(first), "alertrelay_kafka_consumer_assigned_partitions", labels: listener) == 2
        })
        output.takeDown()
        let messages = Self.flipMessages(hosts: 4, perHost: 10)
        try Kcat.produce(bootstrap: input.bootstrap, topic: "telegraf", messages: messages)
        #expect(await Self.evaluated(first, 40, timeout: .seconds(20)))
        try? await Task.sleep(for: .milliseconds(500))
        let held = Self.metrics(first)
        #expect(Self.metricSum(held, "alertrelay_kafka_consumer_committed_offset", labels: listener) == nil)
        #expect(Self.metricSum(held, "alertrelay_kafka_consumer_uncommitted_messages", labels: listener) == nil)
        first.signal(SIGKILL)
        first.process.waitUntilExit()
        output.bringUp()

        let second = try RelayProcess(config: config, rules: rules)
        defer { second.stop() }
        let alerts = try await Self.consume(output, "flips", count: 40, timeout: .seconds(40))
        let distinct = Set(alerts.map(\.value))
        print("replay after SIGKILL: \(alerts.count) alert messages, \(distinct.count) distinct of 40, \(alerts.count - distinct.count) duplicates")
        #expect(distinct.count == 40)
        #expect(await eventually(timeout: .seconds(10)) {
            Self.metricSum(Self.metrics(second), "alertrelay_kafka_consumer_committed_offset", labels: listener) == messages.count
        })
    }

    /// Two relays in one group share the partitions (cooperative-sticky: 2 + 2 of 4) and between
    /// them evaluate every point once.
    @Test func twoRelaysInOneGroupSplitThePartitions() async throws {
        let broker = try TestBroker(topics: ["telegraf:4", "flips:1"])
        defer { broker.stop() }
        let config = Self.consumerConfig(input: broker, group: "e2e-two")
        let rules = ["flip.yaml": Self.flipRule(cluster: "input")]
        let a = try RelayProcess(config: config, rules: rules)
        defer { a.stop() }
        let listener = "listener=\"kafka-consumer:e2e-two@input\""
        func assigned(_ r: RelayProcess) -> Int? { Self.metricSum(Self.metrics(r), "alertrelay_kafka_consumer_assigned_partitions", labels: listener) }
        #expect(await eventually(timeout: .seconds(20)) { assigned(a) == 4 })
        let b = try RelayProcess(config: config, rules: rules)
        defer { b.stop() }
        #expect(await eventually(timeout: .seconds(30)) { assigned(a) == 2 && assigned(b) == 2 })
        let messages = Self.flipMessages(hosts: 40, perHost: 5)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "telegraf", messages: messages)
        let alerts = try await Self.consume(broker, "flips", count: 200, timeout: .seconds(30))
        #expect(alerts.count == 200)
        func points(_ r: RelayProcess) -> Int { Self.metricSum(Self.metrics(r), "alertrelay_points_received_total", labels: listener) ?? 0 }
        print("two relays: \(points(a)) + \(points(b)) points of 200")
        #expect(points(a) + points(b) == 200)
        #expect(points(a) > 0 && points(b) > 0)
    }
}
