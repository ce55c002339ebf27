import AlertRelayTestSupport
import Foundation
import Testing

/// Reloads of `[[kafka-consumer]]` sections (issue 19): a SIGHUP that adds a section starts its
/// consumer with its changelog, one that changes it restarts the consumer (its partitions
/// released cleanly: state flushed, offsets committed, then restored by the new consumer), one
/// that removes it stops the consumer; added back, it resumes where its state ends. Beside it the
/// single relay of ``GroupFailoverEndToEndTests`` that never reloads: the reloaded relay raises the
/// same alerts, in the same sequence per ID, and not one twice.
@Suite(.serialized) struct ConsumerReloadEndToEndTests {
    typealias Group = GroupFailoverEndToEndTests

    /// The group's config without its `[[kafka-consumer]]` section.
    static func withoutConsumer(_ config: String) -> String {
        guard let start = config.range(of: "[[kafka-consumer]]"), let end = config.range(of: "[http]") else { return config }
        return String(config[..<start.lowerBound] + config[end.lowerBound...])
    }

    static func count(_ relay: RelayProcess, _ text: String) -> Int { relay.log.components(separatedBy: text).count - 1 }

    /// Writes `config`, sends SIGHUP and waits for the reload's log line.
    static func reload(_ relay: RelayProcess, _ config: String) async throws -> Bool {
        let before = count(relay, "msg=reloaded")
        try relay.writeConfig(config)
        relay.signal(SIGHUP)
        return await eventually(timeout: .seconds(30)) { count(relay, "msg=reloaded") > before }
    }

    @Test func aReloadStartsRestartsAndStopsAConsumerWithItsState() async throws {
        let started = ContinuousClock.now
        let broker = try TestBroker(topics: ["metrics:4", "a-state:4", "alerts:4", "ref-state:4", "ref-alerts:4"])
        defer { broker.stop() }
        let reference = try RelayProcess(config: Group.config(broker, group: "ref"), rules: Group.rules(topic: "ref-alerts"),
                                         handlers: Group.handlers(topic: "ref-alerts"))
        defer { reference.stop() }
        let grouped = Group.config(broker, group: "a")
        let relay = try RelayProcess(config: Self.withoutConsumer(grouped), rules: Group.rules(topic: "alerts"),
                                     handlers: Group.handlers(topic: "alerts"))
        defer { relay.stop() }
        #expect(await Group.assigned(reference))
        #expect(!relay.log.contains("kafka consumer started"))

        // Added: the consumer starts and joins; its changelog comes with it.
        #expect(try await Self.reload(relay, grouped))
        #expect(await Group.assigned(relay))
        try Group.produce(broker, Group.phases[0])
        let first = await Group.settle(broker, "ref-alerts")
        _ = await Group.settle(broker, "alerts") { Group.count(Group.deduplicated($0)) >= Group.count(first) }
        let written = Self.count(relay, "partitions released")

        // Changed: the old consumer leaves (its partitions released through the changelog), the
        // new one restores them.
        let restores = Self.count(relay, "alert state of the assigned partitions restored")
        let changed = grouped.replacingOccurrences(of: "  start = \"earliest\"\n", with: "  start = \"earliest\"\n  changelog-flush-interval = \"200ms\"\n")
        #expect(try await Self.reload(relay, changed))
        #expect(await eventually(timeout: .seconds(30)) { Self.count(relay, "alert state of the assigned partitions restored") > restores })
        #expect(Self.count(relay, "partitions released") > written)
        #expect(relay.log.contains("reason=revoked"))
        let restoredLine = relay.log.split(separator: "\n").last { $0.contains("alert state restored from the changelog") } ?? ""
        #expect(!restoredLine.contains("groups=0"), "\(restoredLine)")
        try Group.produce(broker, Group.phases[1])
        let second = await Group.settle(broker, "ref-alerts")
        _ = await Group.settle(broker, "alerts") { Group.count(Group.deduplicated($0)) >= Group.count(second) }

        // Removed: the consumer stops; what is produced meanwhile waits in the topic.
        #expect(try await Self.reload(relay, Self.withoutConsumer(grouped)))
        #expect(await eventually(timeout: .seconds(30)) { Self.count(relay, "kafka consumer stopped") >= 2 && Self.count(relay, "state changelog closed") >= 2 })
        let whileRemoved = Group.count(Group.alerts(broker, "alerts"))
        try Group.produce(broker, Group.phases[2])
        let third = await Group.settle(broker, "ref-alerts")
        #expect(Group.count(Group.alerts(broker, "alerts")) == whileRemoved, "no consumer, no alerts")

        // Added back: it resumes where its state ends.
        let again = Self.count(relay, "alert state of the assigned partitions restored")
        #expect(try await Self.reload(relay, grouped))
        #expect(await eventually(timeout: .seconds(30)) { Self.count(relay, "alert state of the assigned partitions restored") > again })
        _ = await Group.settle(broker, "alerts") { Group.count(Group.deduplicated($0)) >= Group.count(third) }
        try Group.produce(broker, Group.phases[3])

        let expected = await Group.settle(broker, "ref-alerts")
        let got = await Group.settle(broker, "alerts", timeout: .seconds(40)) { Group.deduplicated($0) == expected }
        let unique = Group.deduplicated(got)
        let duplicates = Group.count(got) - Group.count(unique)
        let differing = expected.keys.filter { unique[$0] != expected[$0] }.sorted()
        print("consumer reloads: \(Group.count(expected)) alerts expected over \(expected.count) IDs; received \(Group.count(got)),"
              + " \(duplicates) duplicates; \(differing.count) IDs differ; \(ContinuousClock.now - started)")
        #expect(Group.count(expected) > 500)
        for id in differing.prefix(5) { Issue.record("\(id): expected \(expected[id] ?? []) got \(got[id] ?? [])") }
        #expect(differing.isEmpty)
        #expect(duplicates == 0, "every release flushed and committed: nothing is evaluated twice")
        // The last reload's assignment may still be restoring when the alerts settle.
        let single = Group.firing(reference).sorted()
        #expect(await eventually(timeout: .seconds(30)) { Group.firing(relay).sorted() == single })
        #expect(!relay.log.contains("final offset commit failed"))
        let metrics = (try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/metrics").1) ?? ""
        #expect(metrics.contains("alertrelay_state_changelog_records_total{result=\"failed\"} 0"), "\(metrics)")
    }
}
