import AlertRelayTestSupport
import Foundation
import Testing

/// SIGTERM to a group-mode relay whose brokers are gone: the shutdown is bounded (the consumer's
/// revocation and close, the changelog's close and the outputs' flush each wait at most what is
/// left of `shutdown-timeout`), exits 0, and what was not durably held was not committed either.
extension EndToEndTests {
    /// At most this long from SIGTERM to exit with `shutdown-timeout = "5s"` and the brokers gone:
    /// the consumer and its changelog 5 s + 4 s (``GroupModeConsumer/stopMargin``), the outputs'
    /// flush 5 s, and 3 s of slack for a loaded machine.
    static let brokersGoneStopBound = Duration.seconds(17)

    /// SIGTERM, then the time until the process exited (nil: still running after `limit`, then SIGKILLed).
    static func terminate(_ relay: RelayProcess, limit: Duration) async -> Duration? {
        let started = ContinuousClock.now
        relay.signal(SIGTERM)
        let exited = await eventually(timeout: limit) { !relay.process.isRunning }
        guard exited else {
            relay.signal(SIGKILL)
            relay.process.waitUntilExit()
            return nil
        }
        return ContinuousClock.now - started
    }

    @Test func aGroupModeRelayStopsInBoundedTimeWhenItsBrokerWasKilled() async throws {
        let broker = try TestBroker(topics: ["telegraf:4", "e2e-kill-state:4", "flips:1"])
        defer { broker.stop() }
        let relay = try RelayProcess(config: Self.consumerConfig(input: broker, group: "e2e-kill"), rules: ["flip.yaml": Self.flipRule(cluster: "input")])
        defer { relay.stop() }
        let listener = "listener=\"kafka-consumer:e2e-kill@input\""
        #expect(await eventually(timeout: .seconds(60)) {
            Self.metricSum(Self.metrics(relay), "alertrelay_kafka_consumer_assigned_partitions", labels: listener) == 4
        })
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "telegraf", messages: Self.flipMessages(hosts: 4, perHost: 10))
        #expect(await Self.evaluated(relay, 40, timeout: .seconds(20)))
        broker.killProcess()
        let took = await Self.terminate(relay, limit: .seconds(60))
        print("SIGTERM with the broker killed: exited after \(took.map { "\($0)" } ?? "more than 60 s (killed)")")
        #expect(took != nil && took! <= Self.brokersGoneStopBound, "\(relay.log.suffix(3000))")
        #expect(relay.process.terminationStatus == 0)
    }

    /// The brokers go down (their data kept) right after the points were evaluated; SIGTERM then
    /// returns within the bound, and a relay started in the same group once the brokers are back
    /// raises every alert: whatever the first did not get acknowledged it had not committed.
    @Test func aGroupModeRelayStoppedWithItsBrokersDownLosesNothing() async throws {
        let broker = try TestBroker(topics: ["telegraf:4", "e2e-down-state:4", "flips:1"])
        defer { broker.stop() }
        let config = Self.consumerConfig(input: broker, group: "e2e-down")
        let rules = ["flip.yaml": Self.flipRule(cluster: "input")]
        let first = try RelayProcess(config: config, rules: rules)
        let listener = "listener=\"kafka-consumer:e2e-down@input\""
        #expect(await eventually(timeout: .seconds(60)) {
            Self.metricSum(Self.metrics(first), "alertrelay_kafka_consumer_assigned_partitions", labels: listener) == 4
        })
        let messages = Self.flipMessages(hosts: 8, perHost: 10)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "telegraf", messages: messages)
        #expect(await Self.evaluated(first, 80, timeout: .seconds(20)))
        broker.takeDown()
        let took = await Self.terminate(first, limit: .seconds(60))
        print("SIGTERM with the brokers down: exited after \(took.map { "\($0)" } ?? "more than 60 s (killed)")")
        #expect(took != nil && took! <= Self.brokersGoneStopBound, "\(first.log.suffix(3000))")
        #expect(first.process.terminationStatus == 0)
        broker.bringUp()

        let second = try RelayProcess(config: config, rules: rules)
        defer { second.stop() }
        let alerts = try await Self.consume(broker, "flips", count: 80, timeout: .seconds(60))
        let distinct = Set(alerts.map(\.value))
        print("after a bounded stop with the brokers down: \(alerts.count) alert messages, \(distinct.count) distinct of 80, \(alerts.count - distinct.count) duplicates")
        #expect(distinct.count == 80)

    }
}

/// The changelog topic's partition count is checked at each assignment.
extension EndToEndTests {
    /// A changelog with fewer partitions than its input: the relay refuses the partitions —
    /// `/ready` false naming the topic, both counts and the fix, an error logged, nothing read,
    /// evaluated or committed.
    @Test func aChangelogWithAnotherPartitionCountIsRefused() async throws {
        let broker = try TestBroker(topics: ["telegraf:4", "e2e-few-state:2", "flips:1"])
        defer { broker.stop() }
        let relay = try RelayProcess(config: Self.consumerConfig(input: broker, group: "e2e-few"), rules: ["flip.yaml": Self.flipRule(cluster: "input")])
        defer { relay.stop() }
        let reason = "the state changelog topic e2e-few-state has 2 partitions but its input has 4"
        var ready = (0, "")
        #expect(await eventually(timeout: .seconds(60)) {
            ready = (try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/ready")) ?? (0, "")
            return ready.1.contains(reason)
        })
        #expect(ready.0 == 503, "\(ready.1)")
        #expect(ready.1.contains("kafka-topics.sh --alter --topic e2e-few-state --partitions 4"), "\(ready.1)")
        #expect(relay.log.contains("refusing the assigned partitions"))
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "telegraf", messages: Self.flipMessages(hosts: 4, perHost: 10))
        // Two seconds for anything that would be read to show (a consumer here reads in milliseconds).
        try await Task.sleep(for: .seconds(2))
        let metrics = Self.metrics(relay)
        let listener = "listener=\"kafka-consumer:e2e-few@input\""
        #expect(Self.metricSum(metrics, "alertrelay_points_received_total", labels: listener) ?? 0 == 0, "\(relay.log.suffix(3000))")
        #expect(Self.metricSum(metrics, "alertrelay_kafka_consumer_committed_offset", labels: listener) == nil)
        #expect(metrics.contains("alertrelay_points_evaluated_total 0\n"), "\(relay.log.suffix(6000))")
    }
}
