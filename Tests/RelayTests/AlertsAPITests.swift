import AlertRules
import Foundation
import Ingest
import LineProtocol
import Testing
@testable import Relay

/// The alerts API's parts without a process: Go's `path.Match` (Kapacitor's `?pattern=`), the
/// JSON layout of `httpd.MarshalJSON(v, true)`, the board the engine publishes (bounds, and how
/// long a write can take right after a reader's snapshot at 100k alerts), the topic names.
@Suite struct AlertsAPITests {
    /// Go 1.19's `path/match_test.go` table: pattern, name, match, whether the pattern is malformed.
    static let goMatchCases: [(String, String, Bool, Bool)] = [
        ("abc", "abc", true, false), ("*", "abc", true, false), ("*c", "abc", true, false), ("a*", "a", true, false),
        ("a*", "abc", true, false), ("a*", "ab/c", false, false), ("a*/b", "abc/b", true, false), ("a*/b", "a/c/b", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", true, false), ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false), ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true, false), ("a*b?c*x", "abxbbxdbxebxczzy", false, false),
        ("ab[c]", "abc", true, false), ("ab[b-d]", "abc", true, false), ("ab[e-g]", "abc", false, false),
        ("ab[^c]", "abc", false, false), ("ab[^b-d]", "abc", false, false), ("ab[^e-g]", "abc", true, false),
        ("a\\*b", "a*b", true, false), ("a\\*b", "ab", false, false), ("a?b", "a☺b", true, false), ("a[^a]b", "a☺b", true, false),
        ("a???b", "a☺b", false, false), ("a[^a][^a][^a]b", "a☺b", false, false), ("[a-ζ]*", "α", true, false),
        ("*[a-ζ]", "A", false, false), ("a?b", "a/b", false, false), ("a*b", "a/b", false, false), ("[\\]a]", "]", true, false),
        ("[\\-]", "-", true, false), ("[x\\-]", "x", true, false), ("[x\\-]", "-", true, false), ("[x\\-]", "z", false, false),
        ("[\\-x]", "x", true, false), ("[\\-x]", "-", true, false), ("[\\-x]", "a", false, false),
        ("[]a]", "]", false, true), ("[-]", "-", false, true), ("[x-]", "x", false, true), ("[x-]", "-", false, true),
        ("[x-]", "z", false, true), ("[-x]", "x", false, true), ("[-x]", "-", false, true), ("[-x]", "a", false, true),
        ("\\", "a", false, true), ("[a-b-c]", "a", false, true), ("[", "a", false, true), ("[^", "a", false, true),
        ("[^bc", "a", false, true), ("a[", "a", false, true), ("a[", "ab", false, true), ("a[", "x", false, true),
        ("a/b[", "x", false, true), ("*x", "xxx", true, false),
        // Kapacitor's use: the empty pattern matches every topic.
        ("", "main:cpu:alert2", true, false), ("main:*", "main:cpu:alert2", true, false),
    ]

    @Test(arguments: goMatchCases.indices)
    func goPathMatch(_ i: Int) {
        let (pattern, name, matches, malformed) = Self.goMatchCases[i]
        do {
            let p = try GlobPattern(pattern)
            #expect(!malformed, "\(pattern) should be refused")
            #expect(p.matches(name) == matches, "\(pattern) ~ \(name)")
        } catch {
            #expect(malformed, "\(pattern): \(error)")
            #expect(error.description == "syntax error in pattern")
        }
    }

    @Test func jsonAsGoMarshalIndentWritesIt() {
        let doc = APIJSON.object([
            ("link", .link("self", "/kapacitor/v1/alerts/topics?pattern=a&b")),
            ("topics", .array([])), ("options", .object([])), ("n", .int(-3)), ("u", .uint(18_446_744_073_709_551_615)),
            ("f", .double(0.5)), ("list", .array([.bool(true), .null, .string("<x>")])),
        ])
        #expect(doc.text == """
            {
                "link": {
                    "rel": "self",
                    "href": "/kapacitor/v1/alerts/topics?pattern=a\\u0026b"
                },
                "topics": [],
                "options": {},
                "n": -3,
                "u": 18446744073709551615,
                "f": 0.5,
                "list": [
                    true,
                    null,
                    "\\u003cx\\u003e"
                ]
            }
            """)
    }

    static func record(_ s: inout AlertBoardState, rule: String = "r", id: String, _ level: AlertLevel, time: Int64 = 0) {
        s.record(rule: rule, group: "nil",
                 event: LastAlertEvent(id: id, level: level, message: "\(id) is \(level)", details: "", time: time, duration: 0,
                                       point: Point(measurement: "m", fields: [Field(key: "v", value: .float(1))], time: time)))
    }

    @Test func boardCountsLevelsAndKeepsTheLatestEventPerID() {
        var s = AlertBoardState(maxFiring: 3)
        Self.record(&s, id: "a", .warning)
        Self.record(&s, id: "a", .critical, time: 1)
        Self.record(&s, id: "b", .info)
        Self.record(&s, rule: "q", id: "a", .critical)
        #expect(s.levels["r"] == [0, 1, 0, 1])
        #expect(s.levels["q"] == [0, 0, 0, 1])
        #expect(s.entry(rule: "r", id: "a")?.event.level == .critical)
        #expect(s.collected["r"] == 3)
        // A fourth firing ID is over maxFiring: counted, not kept; a known one still updates.
        Self.record(&s, id: "c", .critical)
        #expect(s.entry(rule: "r", id: "c") == nil)
        #expect(s.refused == 1)
        Self.record(&s, id: "a", .ok, time: 2)
        #expect(s.levels["r"] == [1, 1, 0, 0])
        #expect(s.entry(rule: "r", id: "a")?.event.level == .ok, "recoveries are kept, as Kapacitor keeps OK events")
        Self.record(&s, id: "c", .critical)
        #expect(s.entry(rule: "r", id: "c")?.event.level == .critical, "room again after a recovery")
        #expect(s.recent.map(\.id) == ["c", "a", "c", "a", "b", "a", "a"], "newest first, refused events included")
        #expect(s.recent[1].previousLevel == .critical)
        s.retain(rules: ["q"])
        #expect(s.levels.keys.sorted() == ["q"])
        #expect(s.entries.map(\.rule) == ["q"])
        #expect(s.recent.map(\.rule) == ["q"])
        #expect(s.firing == 1)
    }

    /// Group mode: a partition's firing alerts are put back with their last event (not counted as
    /// events) and forgotten when the partition moves away.
    @Test func boardPutsBackAndForgetsAPartitionsFiringAlerts() {
        var s = AlertBoardState(maxFiring: 2)
        Self.record(&s, id: "a", .warning)
        let point = Point(measurement: "m", tags: [Tag(key: "host", value: "x")], fields: [Field(key: "v", value: .float(97))], time: 9)
        s.put(rule: "r", group: "host=x", event: LastAlertEvent(id: "b", level: .critical, message: "b is CRITICAL", details: "{}", time: 9, duration: 4, point: point))
        s.put(rule: "r", group: "host=y", event: LastAlertEvent(id: "a", level: .critical, message: "a is CRITICAL", details: "", time: 8, duration: 0, point: point))
        #expect(s.entry(rule: "r", id: "b")?.event.message == "b is CRITICAL" && s.entry(rule: "r", id: "b")?.event.point == point)
        #expect(s.entry(rule: "r", id: "b")?.since == 5)
        #expect(s.levels["r"] == [0, 0, 0, 2] && s.firing == 2 && s.collected["r"] == 1 && s.recent.count == 1)
        s.put(rule: "r", group: "", event: LastAlertEvent(id: "c", level: .critical, message: "", details: "", time: 0, duration: 0, point: point))
        #expect(s.entry(rule: "r", id: "c") == nil && s.refused == 1, "within max-groups")
        s.forget(rule: "r", id: "b")
        s.forget(rule: "r", id: "never")
        #expect(s.entry(rule: "r", id: "b") == nil && s.levels["r"] == [0, 0, 0, 1] && s.firing == 1)
    }

    @Test func boardForgetsTheOldestRecoveriesFirst() {
        var s = AlertBoardState(maxFiring: .max)
        let n = AlertBoardState.recoveredKept + 10
        for i in 0..<n {
            Self.record(&s, id: "id\(i)", .critical)
            Self.record(&s, id: "id\(i)", .ok)
        }
        #expect(s.levels["r"]?[0] == AlertBoardState.recoveredKept)
        #expect(s.entry(rule: "r", id: "id0") == nil)
        #expect(s.entry(rule: "r", id: "id9") == nil)
        #expect(s.entry(rule: "r", id: "id10")?.event.level == .ok)
        // Firing again takes an entry out of the recoveries; its old ring slot no longer removes it.
        Self.record(&s, id: "id10", .warning)
        for i in 0..<AlertBoardState.recoveredKept { Self.record(&s, id: "x\(i)", .critical); Self.record(&s, id: "x\(i)", .ok) }
        #expect(s.entry(rule: "r", id: "id10")?.event.level == .warning)
        #expect(s.recent.count == AlertBoardState.recentKept)
    }

    /// The engine's cost of a reader: after a snapshot of 100k firing alerts, a write copies the
    /// shard it lands in (1/``AlertBoardState/shardCount`` of the table) the first time only.
    /// Medians over rounds (single timings on a shared machine catch the scheduler); prints the
    /// figures.
    @Test func aSnapshotAt100kAlertsStallsTheEngineLessThanAFewMilliseconds() {
        let board = AlertBoard(maxFiring: .max)
        let point = Point(measurement: "m", fields: [Field(key: "v", value: .float(1))], time: 0)
        let clock = ContinuousClock()
        func write(_ id: String, _ level: AlertLevel) {
            board.record(rule: "r", group: "nil", event: LastAlertEvent(id: id, level: level, message: "", details: "", time: 0, duration: 0, point: point))
        }
        for i in 0..<100_000 { write("host=h\(i)", .critical) }
        var snapshots: [Duration] = [], firstWrites: [Duration] = [], laterWrites: [Duration] = []
        // One snapshot held at a time (as a request holds one): the table is copied only shard by
        // shard, so the test holds little more than one table (other suites measure the
        // process's memory beside it).
        var held: AlertBoardState?
        for round in 0..<21 {
            held = nil
            snapshots.append(clock.measure { held = board.snapshot() })
            // The first write after the snapshot pays for its shard's copy; the next ones to the
            // same shard do not.
            let id = "host=h\(round * 4099 % 100_000)"
            firstWrites.append(clock.measure { write(id, .warning) })
            laterWrites.append(clock.measure { write(id, .critical) })
        }
        func median(_ d: [Duration]) -> Duration { d.sorted()[d.count / 2] }
        print("alert board at 100k alerts (this build): snapshot \(median(snapshots)), first write after it \(median(firstWrites)) "
              + "(its shard copied), next write \(median(laterWrites)); medians of 21")
        #expect(held?.firing == 100_000)
        #expect(median(snapshots) < .milliseconds(2))
        #expect(median(firstWrites) < .milliseconds(5))
    }

    @Test func anonymousTopicsAreNamedAsKapacitorNamesThem() throws {
        let loader = RuleLoader(clusters: ["c"])
        func topic(_ yaml: String) throws -> String {
            AlertTopics.anonymousTopic(of: try #require(try loader.rules(text: "id: t\nmeasurement: cpu\ncrit: '\"v\" > 0'\n" + yaml, file: "t.yaml").first))
        }
        // stream0 | from1 | alert2
        #expect(try topic("kafka: {topic: x}\n") == "main:t:alert2")
        // stream0 | from1 | window2 | mean3 | alert4
        #expect(try topic("window: {period: 1m}\nmean: v\nkafka: {topic: x}\n") == "main:t:alert4")
        // ... | derivative4 | eval5 | alert6
        #expect(try topic("steps:\n  - window: {period: 10s}\n  - sum: v\n  - derivative: {field: sum}\n  - eval: {lambdas: ['\"derivative\" * 2.0'], as: [d]}\nkafka: {topic: x}\n")
            == "main:t:alert6")
        let rules = try loader.rules(text: "id: t\nmeasurement: cpu\ncrit: '\"v\" > 0'\nkafka: {topic: x}\ntopic: named\n", file: "t.yaml")
        let topics = AlertTopics(rules: rules, handlers: [])
        #expect(topics.topicsOfRule["t"] == ["main:t:alert2", "named"])
        #expect(topics.topics["main:t:alert2"]?.handlers.isEmpty == true, "inline handlers are not listed")
    }

    /// After a restart the state file's firing IDs are on the board at their level, attributed
    /// to their rule (a named topic only when one rule feeds it), until their next event.
    @Test func boardRestoresFiringAlertsFromTheStateFile() throws {
        let loader = RuleLoader(clusters: ["c"])
        let rules = try ["a", "b", "c"].flatMap { id in
            try loader.rules(text: "id: \(id)\nmeasurement: cpu\ncrit: '\"v\" > 0'\n" + (id == "a" ? "kafka: {topic: x}\n" : "topic: \(id == "b" ? "solo" : "shared")\n"),
                             file: "\(id).yaml")
        } + loader.rules(text: "id: d\nmeasurement: cpu\ncrit: '\"v\" > 0'\ntopic: shared\n", file: "d.yaml")
        let board = AlertBoard(maxFiring: .max)
        board.restore(topicLevels: ["rule:a": ["cpu:nil": 3], "topic:solo": ["cpu:host=x": 2, "cpu:host=y": 0], "topic:shared": ["cpu:z": 3]],
                      rules: rules, savedAt: 1_764_288_000_000_000_000)
        let s = board.snapshot()
        #expect(s.entry(rule: "a", id: "cpu:nil")?.event.level == .critical)
        #expect(s.entry(rule: "a", id: "cpu:nil")?.event.time == 1_764_288_000_000_000_000)
        #expect(s.entry(rule: "b", id: "cpu:host=x")?.event.level == .warning)
        #expect(s.entry(rule: "b", id: "cpu:host=y") == nil, "OK is not firing")
        #expect(s.levels["c"] == nil && s.levels["d"] == nil, "a topic fed by two rules does not say which")
        #expect(s.collected.isEmpty && s.recent.isEmpty, "not events")
    }

    @Test func processStatisticsFromProcSelfStat() throws {
        // A command with a space and a parenthesis, as proc(5) allows.
        let stat = "4242 (alert relay) x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 7 0 9000 123456789 5000 18446744073709551615"
        let p = try #require(ProcessStatistics.parse(stat: stat, bootTime: 1_700_000_000, ticksPerSecond: 100, pageSize: 4096,
                                                     openDescriptors: 12, maxDescriptors: 1024))
        #expect(p.cpuSeconds == 3)
        #expect(p.threads == 7)
        #expect(p.startTime == 1_700_000_090)
        #expect(p.residentBytes == 5000 * 4096)
        let live = try #require(ProcessStatistics.current())
        #expect(live.threads >= 1 && live.residentBytes > 0 && live.openDescriptors >= 3)
        #expect(ProcessStatistics.bootTime("cpu 1 2 3\nbtime 1764288000\nprocesses 5\n") == 1_764_288_000)
    }

    @Test func kapacitorLevelsAndLimits() throws {
        #expect(try KapacitorAlertsAPI.level(nil).get() == .ok)
        #expect(try KapacitorAlertsAPI.level("warning").get() == .warning)
        #expect(try KapacitorAlertsAPI.level("WARN").get() == .warning, "Kapacitor's ParseLevel finds the text in OKINFOWARNINGCRITICAL")
        #expect(try KapacitorAlertsAPI.level("infowarning").get() == .info)
        #expect(throws: APIResponse.self) { try KapacitorAlertsAPI.level("K").get() }
        #expect(throws: APIResponse.self) { try KapacitorAlertsAPI.level("ARNING").get() }
        #expect(try APIResponse.limit("50000", default: 1000, max: 10_000).get() == 10_000)
        #expect(throws: APIResponse.self) { try APIResponse.limit("-1", default: 1000, max: 10_000).get() }
        #expect(APIResponse.pathEscaped("cpu:host=a,cpu=cpu 0/x") == "cpu:host=a,cpu=cpu%200%2Fx")
        #expect(RelayController.percentDecoded("main%3Acpu%3Aalert2+x") == "main:cpu:alert2+x")
    }
}
