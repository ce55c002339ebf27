import AlertRelayTestSupport
import Foundation
import Testing

/// Group mode's failover (issue 19, "Show"): a 12-partition input topic keyed by series, three
/// `alertrelay run` processes in one consumer group, one SIGKILLed mid-stream and started again
/// later. Beside them a fourth relay, alone in its own group, consumes the same topic: the
/// single relay whose alerts the three must raise — every one, in the same sequence per alert
/// ID (no missed recovery, no re-fired stateChangesOnly), duplicates only from the uncommitted
/// tail, counted.
@Suite(.serialized) struct GroupFailoverEndToEndTests {
    static let hosts = 48
    /// Seconds of points per phase; every host has a point each second.
    static let phases: [Range<Int>] = [0..<60, 60..<120, 120..<180, 180..<240]

    static func config(_ broker: TestBroker, group: String) -> String {
        """
        [[kafka]]
          enabled = true
          id = "k"
          brokers = ["\(broker.bootstrap)"]
          batch-timeout = "5ms"
          [kafka.librdkafka]
            "reconnect.backoff.max.ms" = "500"
        [[kafka-consumer]]
          cluster = "k"
          topics = ["metrics"]
          group-id = "\(group)"
          start = "earliest"
          precision = "s"
          [kafka-consumer.librdkafka]
            "session.timeout.ms" = "6000"
            "heartbeat.interval.ms" = "500"
            "fetch.wait.max.ms" = "20"
        [http]
          bind-address = "127.0.0.1:0"
        [relay]
          hostname = "relay-test"
          shutdown-timeout = "10s"
        """
    }

    /// stateChangesOnly levels (warning and critical, with recoveries), a window's mean, and
    /// levels published to a named topic whose handler sends only changes (`changed()`, the
    /// topic's previous level per alert ID).
    static func rules(topic: String) -> [String: String] {
        let out = "kafka: {topic: \(topic), template: '{{.ID}} {{.Level}} {{.Time.Unix}}'}\n"
        return [
            "level.yaml": """
                id: level
                measurement: cpu
                groupBy: [host]
                alertId: 'level:{{ .Group }}'
                stateChangesOnly: true
                warn: '"v" > 60'
                crit: '"v" > 85'
                \(out)
                """,
            "mean.yaml": """
                id: mean
                measurement: cpu
                groupBy: [host]
                alertId: 'mean:{{ .Group }}'
                window: {period: 10s, every: 5s}
                mean: v
                crit: '"mean" > 70'
                \(out)
                """,
            "changes.yaml": """
                id: changes
                measurement: cpu
                groupBy: [host]
                alertId: 'changes:{{ .Group }}'
                warn: '"v" > 60'
                crit: '"v" > 85'
                topic: cpu
                """,
        ]
    }

    /// The named topic's handler: only events whose level differs from the topic's previous one.
    static func handlers(topic: String) -> [String: String] {
        ["changes.yaml": """
            id: changes-only
            topic: cpu
            kind: kafka
            match: changed()
            options:
              cluster: k
              topic: \(topic)
              template: '{{.ID}} {{.Level}} {{.Time.Unix}}'
            """]
    }

    /// The alerts API's firing list (`/alertrelay/v1/alerts`), one line per alert: rule, ID,
    /// level, since, time, message and the last value.
    static func firing(_ relay: RelayProcess) -> [String] {
        guard let body = try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/alertrelay/v1/alerts?limit=10000").1,
              let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let alerts = json["alerts"] as? [[String: Any]] else { return ["unreadable"] }
        return alerts.map { a in
            ["rule", "id", "group", "level", "since", "time", "message"].map { "\(a[$0] ?? "-")" }.joined(separator: " ")
                + " \((a["fields"] as? [String: Any])?["v"] ?? "-")"
        }
    }

    /// Host `h`'s value at second `t`: a wave per host, crossing both levels about every 30 s.
    static func value(_ h: Int, _ t: Int) -> Int { 50 + Int((45 * sin(Double(t + h * 7) / 5)).rounded()) }

    /// Produces the phase's points, one message per point keyed by its host (kcat partitions by
    /// the key's crc32, so a host's points share a partition).
    static func produce(_ broker: TestBroker, _ seconds: Range<Int>) throws {
        var messages: [(key: String?, value: String)] = []
        for t in seconds {
            for h in 0..<hosts { messages.append(("h\(h)", "cpu,host=h\(h) v=\(value(h, t)) \(1_000_000 + t)")) }
        }
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "metrics", messages: messages)
    }

    /// Alert lines per alert ID, in topic order (messages are keyed by ID: one ID, one partition).
    static func alerts(_ broker: TestBroker, _ topic: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for m in (try? Kcat.consume(bootstrap: broker.bootstrap, topic: topic)) ?? [] {
            let parts = m.value.split(separator: " ")
            guard parts.count == 3 else { continue }
            out[String(parts[0]), default: []].append("\(parts[2]) \(parts[1])")
        }
        return out
    }

    static func count(_ a: [String: [String]]) -> Int { a.values.reduce(0) { $0 + $1.count } }

    /// Each ID's alerts with repeats removed (a replayed tail raises what was raised before).
    static func deduplicated(_ a: [String: [String]]) -> [String: [String]] {
        a.mapValues { list in
            var seen = Set<String>()
            return list.filter { seen.insert($0).inserted }
        }
    }

    /// Waits until the relay logged its `n`th assignment. A member joining a busy group waits for every other
    /// member to rejoin, twice with cooperative rebalancing; in the full suite, beside the other
    /// group tests' relays, that took over 20 s once, so the bound is generous: it only says when to give up.
    static func assigned(_ relay: RelayProcess, atLeast n: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout) { relay.log.components(separatedBy: "partitions assigned").count - 1 >= n }
    }

    /// Waits until the alert counts stop growing and `done` holds.
    static func settle(_ broker: TestBroker, _ topic: String, timeout: Duration = .seconds(30),
                       until done: ([String: [String]]) -> Bool = { _ in true }) async -> [String: [String]] {
        var last = -1
        var seen: [String: [String]] = [:]
        var stable = 0
        _ = await eventually(timeout: timeout) {
            seen = alerts(broker, topic)
            let n = count(seen)
            stable = n == last ? stable + 1 : 0
            last = n
            return stable >= 3 && done(seen)
        }
        return seen
    }

    @Test func aSigkilledRelaysPartitionsFailOverWithTheirAlertState() async throws {
        let started = ContinuousClock.now
        let broker = try TestBroker(topics: ["metrics:12", "g-state:12", "alerts:4", "ref-state:12", "ref-alerts:4"])
        defer { broker.stop() }
        let reference = try RelayProcess(config: Self.config(broker, group: "ref"), rules: Self.rules(topic: "ref-alerts"),
                                         handlers: Self.handlers(topic: "ref-alerts"))
        defer { reference.stop() }
        var relays = try (0..<3).map { _ in
            try RelayProcess(config: Self.config(broker, group: "g"), rules: Self.rules(topic: "alerts"), handlers: Self.handlers(topic: "alerts"))
        }
        defer { for r in relays { r.stop() } }
        for r in relays + [reference] { #expect(await Self.assigned(r)) }

        try Self.produce(broker, Self.phases[0])
        let firstPhase = await Self.settle(broker, "ref-alerts")
        _ = await Self.settle(broker, "alerts") { Self.count(Self.deduplicated($0)) >= Self.count(firstPhase) }
        // Mid-stream: the second phase is being evaluated when relay 1 dies.
        try Self.produce(broker, Self.phases[1])
        kill(relays[1].process.processIdentifier, SIGKILL)
        relays[1].process.waitUntilExit()
        // Its partitions move to the other two once the group notices (session timeout 6 s).
        let survivors = [relays[0], relays[2]]
        #expect(await eventually(timeout: .seconds(20)) {
            survivors.contains { $0.log.components(separatedBy: "alert state of the assigned partitions restored").count - 1 >= 2 }
        })
        try Self.produce(broker, Self.phases[2])
        let killed = relays[1]
        let restarted = try RelayProcess(config: Self.config(broker, group: "g"), rules: Self.rules(topic: "alerts"),
                                         handlers: Self.handlers(topic: "alerts"))
        relays[1] = restarted
        #expect(await Self.assigned(restarted))
        try Self.produce(broker, Self.phases[3])

        let expected = await Self.settle(broker, "ref-alerts")
        let got = await Self.settle(broker, "alerts", timeout: .seconds(40)) { Self.deduplicated($0) == expected }
        let unique = Self.deduplicated(got)
        let duplicates = Self.count(got) - Self.count(unique)
        let missing = expected.keys.filter { unique[$0] != expected[$0] }.sorted()
        print("group failover: \(Self.count(expected)) alerts expected over \(expected.count) alert IDs; received \(Self.count(got)),"
              + " \(duplicates) duplicates; \(missing.count) IDs differ; \(ContinuousClock.now - started)")
        #expect(Self.count(expected) > 500, "the input raises many alerts of both rules")
        #expect(expected.keys.contains { $0.hasPrefix("mean:") } && expected.values.joined().contains { $0.hasSuffix(" OK") })
        #expect(expected.keys.contains { $0.hasPrefix("changes:") })
        #expect(Set(unique.keys) == Set(expected.keys))
        for id in missing.prefix(5) {
            Issue.record("\(id): expected \(expected[id] ?? []) got \(got[id] ?? [])")
        }
        #expect(missing.isEmpty)
        if !missing.isEmpty, let dir = ProcessInfo.processInfo.environment["GROUP_FAILOVER_LOGS"] {
            for (i, r) in (relays + [killed, reference]).enumerated() { try? r.log.write(toFile: "\(dir)/relay-\(i).log", atomically: true, encoding: .utf8) }
        }
        let metrics = (try? LoopbackClient.http(port: relays[0].httpPort, method: "GET", path: "/metrics").1) ?? ""
        #expect(metrics.contains("alertrelay_state_changelog_records_total{result=\"failed\"} 0"), "\(metrics)")
        #expect(!metrics.contains("alertrelay_state_changelog_records_total{result=\"written\"} 0\n"))
        // Duplicates come only from the tail after the killed relay's last acknowledged flush.
        #expect(duplicates < Self.count(expected) / 4)
        // What fires, as the alerts API lists it: each alert on exactly one relay of the group
        // (its partition's owner, which restored it; those that let a partition go forgot it),
        // with the single relay's message, times and last value.
        // A partition whose last phase raised nothing new may still be between its old owner's
        // revocation and its new owner's restore when the alerts settle (cooperative rebalancing
        // takes two rounds), so the lists are compared once the group's assignment settled too.
        let single = Self.firing(reference)
        var union: [String] = []
        _ = await eventually(timeout: .seconds(30)) {
            union = relays.flatMap { Self.firing($0) }
            return union.sorted() == single.sorted()
        }
        print("group failover: \(single.count) alerts firing at the end, \(union.count) listed by the group's relays")
        #expect(single.count > 10)
        #expect(union.sorted() == single.sorted())
    }

    /// A deadman's counts follow its partition: twelve hosts (one per partition) send one burst
    /// and fall silent; the relay owning half of them is SIGKILLed after the check that saw the
    /// burst. Its successor judges those hosts at its first check after restoring them — the
    /// check at which a relay that never died would judge them too, had it checked then — not one
    /// interval later (a deadman counting from scratch).
    @Test func aDeadmanFiresOnTheNewOwnerAtItsFirstCheck() async throws {
        let interval = 5
        let broker = try TestBroker(topics: ["beats:12", "d-state:12", "d-alerts:4"])
        defer { broker.stop() }
        let rule = """
            id: dead
            measurement: beat
            groupBy: [host]
            alertId: 'dead:{{ .Group }}'
            stateChangesOnly: true
            deadman: {threshold: 0, interval: \(interval)s}
            kafka: {topic: d-alerts, template: '{{.ID}} {{.Level}} {{.Time.Unix}}'}
            """
        let config = Self.config(broker, group: "d").replacingOccurrences(of: "topics = [\"metrics\"]", with: "topics = [\"beats\"]")
        let relays = try (0..<2).map { _ in try RelayProcess(config: config, rules: ["dead.yaml": rule]) }
        defer { for r in relays { r.stop() } }
        for r in relays { #expect(await Self.assigned(r)) }
        // The group settled: six partitions each.
        #expect(await eventually(timeout: .seconds(30)) {
            relays.allSatisfy { r in
                let metrics = (try? LoopbackClient.http(port: r.httpPort, method: "GET", path: "/metrics").1) ?? ""
                return metrics.split(separator: "\n").contains { $0.hasPrefix("alertrelay_kafka_consumer_assigned_partitions{") && Double($0.split(separator: " ").last ?? "") == 6 }
            }
        })
        // Just after a check (every relay's checks are aligned to the interval on the wall clock).
        func now() -> Double { Date().timeIntervalSince1970 }
        func nextCheck(after t: Double) -> Int { (Int(t) / interval + 1) * interval }
        while now() - Double(Int(now()) / interval * interval) > 0.5 { try await Task.sleep(for: .milliseconds(50)) }
        let burst = Int(now())
        for h in 0..<12 { try Kcat.produce(bootstrap: broker.bootstrap, topic: "beats", messages: [("h\(h)", "beat,host=h\(h) n=1i")], partition: h) }
        // The next check sees the burst (alive); the one after would find each host dead. Relay 1
        // dies between the two, its last check's counts in the changelog.
        let seen = nextCheck(after: Double(burst))
        while now() < Double(seen) + 1.5 { try await Task.sleep(for: .milliseconds(50)) }
        kill(relays[1].process.processIdentifier, SIGKILL)
        relays[1].process.waitUntilExit()
        let restoredLine = "alert state of the assigned partitions restored"
        #expect(await eventually(timeout: .seconds(30)) { relays[0].log.components(separatedBy: restoredLine).count - 1 >= 2 })
        let line = relays[0].log.split(separator: "\n").filter { $0.contains(restoredLine) }.last ?? ""
        let stamp = line.split(separator: " ").first { $0.hasPrefix("ts=") }.map { String($0.dropFirst(3)) } ?? ""
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let restoredAt = try #require(parser.date(from: stamp), "\(line)").timeIntervalSince1970
        let firstCheck = nextCheck(after: restoredAt)
        var dead: [String: [String]] = [:]
        _ = await eventually(timeout: .seconds(Double(firstCheck - Int(now()) + 3 * interval))) {
            dead = Self.alerts(broker, "d-alerts").filter { $0.key != "dead:nil" }
            return dead.count == 12 && Int(now()) > firstCheck + interval
        }
        let times = dead.mapValues { $0.map { Int($0.split(separator: " ")[0]) ?? 0 } }
        let moved = times.filter { $0.value.first ?? 0 > seen + interval }
        print("deadman failover: burst at \(burst), checks at \(seen) and \(seen + interval); restored at \(restoredAt), first check then \(firstCheck);"
              + " \(moved.count) hosts moved: \(times.sorted { $0.key < $1.key })")
        #expect(dead.count == 12, "every silent host is found dead: \(dead)")
        #expect(dead.values.allSatisfy { $0.count == 1 && $0[0].hasSuffix(" CRITICAL") }, "once each (stateChangesOnly): \(dead)")
        #expect(!moved.isEmpty, "the killed relay's hosts are judged by the survivor")
        for (id, t) in moved { #expect(t == [firstCheck], "\(id) dead at the first check after the restore (\(firstCheck)), not later: \(t)") }
        for (id, t) in times where moved[id] == nil { #expect(t == [seen + interval], "\(id) judged by its owner at the second check") }
    }
}
