import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Group mode: a group's state follows its input partition through changelog records. An engine
/// that restores a partition's records raises the same next alerts as the engine that wrote them.
@Suite struct StateChangelogTests {
    static let stateChanges = """
        id: level
        measurement: cpu
        groupBy: [host]
        stateChangesOnly: true
        warn: '"v" > 50'
        crit: '"v" > 90'

        """
    static let windowMean = """
        id: mean
        measurement: cpu
        groupBy: [host]
        window: {period: 4s, every: 2s}
        mean: v
        crit: '"mean" > 60'

        """
    static let a = StateOwner(topic: "metrics", partition: 0)
    static let b = StateOwner(topic: "metrics", partition: 1)

    static func rules(_ limits: String = "") throws -> [AlertRule] {
        try RuleLoader(clusters: []).rules(text: stateChanges + limits, file: "level.yaml")
            + RuleLoader(clusters: []).rules(text: windowMean, file: "mean.yaml")
    }

    /// Host `h`'s value at second `t`: rises into warning and critical and falls back, so both
    /// rules change level, recover and fire again.
    static func value(_ h: Int, _ t: Int64) -> Double { Double((t * 7 + Int64(h) * 13) % 100) }

    static func points(hosts: ClosedRange<Int>, _ times: ClosedRange<Int64>) -> [Point] {
        times.flatMap { t in
            hosts.map { h in
                Point(measurement: "cpu", tags: [Tag(key: "host", value: "h\(h)")], fields: [Field(key: "v", value: .float(value(h, t)))],
                      time: t * 1_000_000_000)
            }
        }
    }

    static func run(_ e: RuleEngine, _ owner: StateOwner?, _ pts: [Point]) -> [String] {
        e.select(owner: owner)
        var out: [String] = []
        e.process(pts) { ev in out.append("\(ev.ruleID) \(ev.id) \(ev.time / 1_000_000_000) \(ev.level)") }
        return out
    }

    @Test func keysRoundTrip() {
        for (topic, rule, group) in [("t", "r", "host=a"), ("metrics.v1", "cpu high", "host=a,dc=x y"), ("t", "r", "nil"), ("t", "r", "")] {
            let key = StateChangelogRecord.key(topic: topic, rule: rule, group: group)
            let parsed = StateChangelogRecord.parse(key: key)
            #expect(parsed?.topic == topic && parsed?.rule == rule && parsed?.group == group)
        }
        #expect(StateChangelogRecord.parse(key: Array("no separators".utf8)) == nil)
    }

    @Test func changesAreTakenPerOwnerOncePerChange() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...2, 0...3))
        _ = Self.run(e, Self.b, Self.points(hosts: 3...4, 0...3))
        #expect(e.pendingChanges == 10, "5 groups of 2 rules, each once however many points")
        let changes = e.takeChanges()
        #expect(Set(changes.owners) == [Self.a, Self.b])
        #expect(changes.records(for: Self.a).count == 6)
        #expect(changes.records(for: Self.b).count == 4)
        #expect(changes.records(for: Self.a).allSatisfy { $0.value != nil })
        #expect(e.takeChanges().isEmpty, "nothing changed since")
        // A later point of h3 from another partition changes h3's groups, which stay b's (at
        // second 8 h3 turns critical: its level group changes too, not only the window).
        _ = Self.run(e, Self.a, Self.points(hosts: 3...3, 8...8))
        let again = e.takeChanges()
        #expect(again.owners == [Self.b])
        #expect(again.records(for: Self.b).map { StateChangelogRecord.parse(key: $0.key)!.group } == ["host=h3", "host=h3"])
    }

    /// A point that leaves what a restore needs as it was (the same level again, no event) does
    /// not write its group again; one that moves the level does. With flapping (which reads the
    /// whole history) every point does.
    @Test func pointsThatLeaveTheLevelAsItWasAreNotWrittenAgain() throws {
        func ok(_ host: String, _ t: Int64, _ v: Double = 10) -> Point {
            Point(measurement: "cpu", tags: [Tag(key: "host", value: host)], fields: [Field(key: "v", value: .float(v))], time: t * 1_000_000_000)
        }
        let e = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: Self.stateChanges, file: "l.yaml"))
        e.trackChanges()
        _ = Self.run(e, Self.a, [ok("h0", 0), ok("h1", 0)])
        #expect(e.takeChanges().records(for: Self.a).count == 2, "new groups are written")
        _ = Self.run(e, Self.a, (1...30).map { ok("h0", $0) } + [ok("h1", 1)])
        #expect(e.pendingChanges == 0, "OK again and again: nothing a restore needs changed")
        #expect(Self.run(e, Self.a, [ok("h0", 31, 60)]) == ["level cpu:host=h0 31 WARNING"])
        #expect(e.takeChanges().records(for: Self.a).map { StateChangelogRecord.parse(key: $0.key)!.group } == ["host=h0"])
        // The point after the warning is one too (the previous level moved), then it is quiet again.
        _ = Self.run(e, Self.a, [ok("h0", 32, 60)])
        #expect(e.pendingChanges == 1)
        _ = e.takeChanges()
        _ = Self.run(e, Self.a, [ok("h0", 33, 60), ok("h0", 34, 60)])
        #expect(e.pendingChanges == 0)

        let flapping = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: Self.stateChanges + "flapping: {low: 0.25, high: 0.5}\n", file: "f.yaml"))
        flapping.trackChanges()
        _ = Self.run(flapping, Self.a, [ok("h0", 0)])
        _ = flapping.takeChanges()
        _ = Self.run(flapping, Self.a, [ok("h0", 1)])
        #expect(flapping.pendingChanges == 1, "flapping reads the whole history: every point is written")
    }

    @Test func sidecarBatchesTrackNothing() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, nil, Self.points(hosts: 0...2, 0...3))
        #expect(e.pendingChanges == 0)
        let untracked = RuleEngine(rules: try Self.rules())
        _ = Self.run(untracked, Self.a, Self.points(hosts: 0...2, 0...3))
        #expect(untracked.pendingChanges == 0, "sidecar mode: no tracking at all")
    }

    /// The original runs through; at second 20 partition a moves: its changes so far (taken at
    /// several points, as the relay flushes) restore into a fresh engine, which goes on with a's
    /// points and raises exactly the alerts the original raises from then on — levels,
    /// stateChangesOnly suppression, recoveries and the window's mean included.
    @Test func aRestoredPartitionRaisesTheSameNextAlerts() throws {
        let rules = try Self.rules()
        let original = RuleEngine(rules: rules)
        original.trackChanges()
        var log: [StateChangelogRecord] = []
        for chunk in stride(from: Int64(0), through: 19, by: 5) {
            _ = Self.run(original, Self.a, Self.points(hosts: 0...3, chunk...(chunk + 4)))
            _ = Self.run(original, Self.b, Self.points(hosts: 4...5, chunk...(chunk + 4)))
            let changes = original.takeChanges()
            log += changes.records(for: Self.a)
        }
        let restoredState = StateChangelogRecord.restored(log, topic: Self.a.topic, rules: original.changelogHeaders)
        #expect(restoredState.groups == 8 && restoredState.skipped == 0 && restoredState.undecodable == 0)
        let successor = RuleEngine(rules: rules)
        successor.trackChanges()
        #expect(successor.restore(restoredState, owner: Self.a) == 8)
        let next = Self.points(hosts: 0...3, 20...60)
        let expected = Self.run(original, Self.a, next)
        let got = Self.run(successor, Self.a, next)
        #expect(expected.count > 40, "the input changes levels often: \(expected.count) alerts")
        #expect(expected.contains { $0.hasPrefix("mean ") } && expected.contains { $0.hasSuffix(" OK") })
        #expect(got == expected)
        // A fresh engine without the state differs (what the changelog is for).
        #expect(Self.run(RuleEngine(rules: rules), Self.a, next) != expected)
    }

    @Test func droppedPartitionsLeaveTheirGroupsBehindNoTombstones() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...2, 0...3))
        _ = Self.run(e, Self.b, Self.points(hosts: 3...4, 0...3))
        _ = e.takeChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...0, 4...4))
        #expect(e.dropGroups(of: Self.a) == 6)
        #expect(e.totalGroups == 4)
        #expect(e.state(rule: "level", group: "host=h0") == nil && e.state(rule: "level", group: "host=h3") != nil)
        #expect(e.takeChanges().isEmpty, "a's pending change went with it; no tombstones")
        #expect(e.dropGroups(of: StateOwner(topic: "other", partition: 0)) == 0)
    }

    @Test func expiredGroupsBecomeTombstones() throws {
        let rules = try Self.rules()
        // One group per rule: the next host's first point sweeps the idle one out.
        let limits = GroupLimits(maxGroups: 100, maxGroupsPerRule: 1, expiry: 10_000_000_000)
        let e = RuleEngine(rules: rules, limits: limits)
        e.trackChanges()
        // One OK point of host idle, written to the changelog.
        e.select(owner: Self.a)
        let ok = Point(measurement: "cpu", tags: [Tag(key: "host", value: "idle")], fields: [Field(key: "v", value: .float(1))], time: 0)
        e.process([ok]) { _ in }
        var log = e.takeChanges().records(for: Self.a)
        // Much later points of another host: the idle group expires in a sweep.
        for t in Int64(30)...Int64(60) {
            let p = Point(measurement: "cpu", tags: [Tag(key: "host", value: "busy")], fields: [Field(key: "v", value: .float(1))], time: t * 1_000_000_000)
            e.process([p]) { _ in }
        }
        #expect(e.state(rule: "level", group: "host=idle") == nil)
        let changes = e.takeChanges().records(for: Self.a)
        let tombstones = changes.filter { $0.value == nil }.map { StateChangelogRecord.parse(key: $0.key)!.group }
        #expect(tombstones.contains("host=idle"))
        log += changes
        let restored = StateChangelogRecord.restored(log, topic: Self.a.topic, rules: e.changelogHeaders)
        #expect(restored.snapshot.rules["level"]?.groups["host=idle"] == nil)
        #expect(restored.snapshot.rules["level"]?.groups["host=busy"] != nil)
    }

    @Test func recordsOfChangedRulesOrOtherTopicsAreLeftOut() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...1, 0...5))
        var log = e.takeChanges().records(for: Self.a)
        log.append(StateChangelogRecord(key: StateChangelogRecord.key(topic: "metrics", rule: "level", group: "host=bad"), value: Array("{not json".utf8)))
        log.append(StateChangelogRecord(key: StateChangelogRecord.key(topic: "elsewhere", rule: "level", group: "host=x"), value: nil))
        let changedWindow = try RuleLoader(clusters: []).rules(text: Self.windowMean.replacingOccurrences(of: "period: 4s", with: "period: 8s"), file: "m.yaml")
        let other = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: Self.stateChanges, file: "l.yaml") + changedWindow)
        let restored = StateChangelogRecord.restored(log, topic: "metrics", rules: other.changelogHeaders)
        #expect(restored.groups == 2 && restored.skipped == 2 && restored.undecodable == 1 && restored.otherTopics == 1)
        #expect(other.restore(restored, owner: Self.a) == 2)
    }

    @Test func restoreStaysWithinTheGroupLimits() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...9, 0...1))
        let restored = StateChangelogRecord.restored(e.takeChanges().records(for: Self.a), topic: "metrics", rules: e.changelogHeaders)
        let small = RuleEngine(rules: try Self.rules(), limits: GroupLimits(maxGroups: 5, maxGroupsPerRule: 100, expiry: 0))
        #expect(small.restore(restored, owner: Self.a) == 5)
        #expect(small.totalGroups == 5)
        #expect(small.statistics.values.reduce(0) { $0 + $1.groupsRefused } == 15)
    }

    @Test func aReloadKeepsOwnersAndRewritesKeptGroups() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...1, 0...3))
        _ = e.takeChanges()
        let onlyLevel = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: Self.stateChanges, file: "l.yaml"))
        onlyLevel.adoptState(from: e)
        #expect(onlyLevel.isTrackingChanges)
        let records = onlyLevel.takeChanges().records(for: Self.a)
        #expect(records.filter { $0.value == nil }.count == 2, "the mean rule's groups are gone")
        #expect(records.filter { $0.value != nil }.count == 2)
        _ = Self.run(onlyLevel, Self.b, Self.points(hosts: 0...0, 8...8))  // h0 turns warning: a change
        #expect(onlyLevel.takeChanges().owners == [Self.a], "h0 stays a's after the reload")
    }

    /// A deadman's counts are in the record: a partition's next owner judges a silent group at
    /// its first check instead of counting from scratch for one interval.
    @Test func aRestoredDeadmanJudgesAtItsNextCheck() throws {
        let s: Int64 = 1_000_000_000
        let rules = try RuleLoader(clusters: []).rules(text: "id: dead\nmeasurement: cpu\ngroupBy: [host]\ndeadman: {threshold: 0, interval: 10s}\n",
                                                         file: "d.yaml")
        let original = RuleEngine(rules: rules)
        original.trackChanges()
        original.select(owner: Self.a)
        var events: [String] = []
        let emit: (AlertEvent) -> Void = { events.append("\($0.time / s) \($0.level)") }
        original.advanceClock(to: 0, emit: emit)
        for t in Int64(0)..<15 {
            original.advanceClock(to: t * s, emit: emit)
            original.process(Point(measurement: "cpu", tags: [Tag(key: "host", value: "x")], fields: [Field(key: "v", value: .float(1))], time: t * s),
                             emit: emit)
        }
        var log = original.takeChanges().records(for: Self.a)
        // Host x falls silent at 15 s; the check at 20 s still sees points since the one at 10 s
        // (and changes the group: its last check's counts).
        original.advanceClock(to: 20 * s, emit: emit)
        #expect(events.isEmpty)
        log += original.takeChanges().records(for: Self.a)
        let restored = StateChangelogRecord.restored(log, topic: Self.a.topic, rules: original.changelogHeaders)
        let successor = RuleEngine(rules: rules)
        successor.trackChanges()
        #expect(successor.restore(restored, owner: Self.a) == 1)
        var next: [String] = []
        successor.advanceClock(to: 21 * s) { _ in }  // its clock starts, aligned: first check at 30 s
        successor.advanceClock(to: 30 * s) { next.append("\($0.time / s) \($0.level)") }
        #expect(next == ["30 CRITICAL"], "dead at the first check, as the original would be")
        // Without the counts the first check only starts counting.
        let fresh = RuleEngine(rules: rules)
        var old = restored
        old.snapshot.rules["dead"]?.groups["host=x"]?.deadman = nil
        #expect(fresh.restore(old, owner: Self.a) == 1)
        var late: [String] = []
        fresh.advanceClock(to: 21 * s) { _ in }
        fresh.advanceClock(to: 30 * s) { late.append("\($0.time / s) \($0.level)") }
        #expect(late.isEmpty)
    }

    /// A firing group's last event rides in its record (the topic levels and the firing list
    /// follow it); a recovery clears it.
    @Test func aFiringGroupsLastEventFollowsIt() throws {
        let rules = try Self.rules()
        let e = RuleEngine(rules: rules)
        e.trackChanges()
        e.select(owner: Self.a)
        let hot = Point(measurement: "cpu", tags: [Tag(key: "host", value: "h1")], fields: [Field(key: "v", value: .float(95))], time: 5_000_000_000)
        e.process([hot]) { _ in }
        let firing = e.lastEvents(of: Self.a)
        #expect(firing.map(\.rule) == ["level"] && firing.first?.event.level == .critical && firing.first?.event.id == "cpu:host=h1")
        #expect(firing.first?.event.point == hot)
        let records = e.takeChanges().records(for: Self.a)
        let restored = StateChangelogRecord.restored(records, topic: Self.a.topic, rules: e.changelogHeaders)
        let successor = RuleEngine(rules: rules)
        successor.trackChanges()
        #expect(successor.restore(restored, owner: Self.a) == 2)
        let moved = successor.lastEvents(of: Self.a)
        #expect(moved.count == 1 && moved.first?.event == firing.first?.event && moved.first?.group == "host=h1")
        let cool = Point(measurement: "cpu", tags: [Tag(key: "host", value: "h1")], fields: [Field(key: "v", value: .float(1))], time: 6_000_000_000)
        var recovered: [AlertLevel] = []
        successor.process([cool]) { recovered.append($0.level) }
        #expect(recovered == [.ok])
        #expect(successor.lastEvents(of: Self.a).isEmpty)
        // Sidecar mode keeps nothing of the kind.
        let sidecar = RuleEngine(rules: rules)
        sidecar.process([hot]) { _ in }
        #expect(sidecar.state(rule: "level", group: "host=h1")?.lastEvent == nil)
    }

    /// Records carry a version: version 1 (before the deadman counts and last events) still
    /// restores, a newer one is left out rather than half read.
    @Test func recordsOfOtherVersions() throws {
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...0, 0...3))
        let records = e.takeChanges().records(for: Self.a)
        let text = records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
        #expect(text.allSatisfy { $0.hasSuffix("\"version\":2}") }, "\(text)")
        func with(version: String) -> [StateChangelogRecord] {
            records.map { StateChangelogRecord(key: $0.key, value: $0.value.map { Array(String(decoding: $0, as: UTF8.self)
                .replacingOccurrences(of: "\"version\":2}", with: "\"version\":\(version)}").utf8) }) }
        }
        let v1 = StateChangelogRecord.restored(with(version: "1"), topic: Self.a.topic, rules: e.changelogHeaders)
        #expect(v1.groups == 2 && v1.undecodable == 0)
        let v3 = StateChangelogRecord.restored(with(version: "3"), topic: Self.a.topic, rules: e.changelogHeaders)
        #expect(v3.groups == 0 && v3.undecodable == 2)
    }

    /// Each changelog takes its own partitions' changes at its own interval; the others stay.
    @Test func changesAreTakenPerChangelog() throws {
        let other = StateOwner(topic: "apps", partition: 0)
        let e = RuleEngine(rules: try Self.rules())
        e.trackChanges()
        _ = Self.run(e, Self.a, Self.points(hosts: 0...1, 0...3))
        _ = Self.run(e, other, Self.points(hosts: 2...2, 0...3))
        let metrics = e.takeChanges { $0.topic == "metrics" }
        #expect(metrics.owners == [Self.a] && metrics.count == 4)
        #expect(e.pendingChanges == 2)
        let apps = e.takeChanges { $0.topic == "apps" }
        #expect(apps.owners == [other] && apps.count == 2)
        #expect(e.pendingChanges == 0 && e.takeChanges().isEmpty)
    }
}
