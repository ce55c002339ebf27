import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// `.inhibit(category, tags...)`: Kapacitor 1.5.9's own inhibition test (server/server_test.go
/// TestServer_AlertInhibition) run from its four TICKscripts and batches, with the alert data its
/// topic handler expects; and what a group's recovery, a reload and a restart do to what it holds.
@Suite struct InhibitTests {
    static let tasks: [(String, String)] = [
        ("mem", """
            stream
            	|from()
            		.measurement('mem')
            		.groupBy(*)
            	|alert()
            		.category('system')
            		.topic('inhibition')
            		.message('mem')
            		.details('')
            		.crit(lambda: "v")
            """),
        ("cpu", """
            stream
            	|from()
            		.measurement('cpu')
            		.groupBy(*)
            	|alert()
            		.category('system')
            		.topic('inhibition')
            		.message('cpu')
            		.details('')
            		.crit(lambda: "v")
            """),
        ("host", """
            stream
            	|from()
            		.measurement('host')
            		.groupBy(*)
            	|alert()
            		.category('host_alert')
            		.topic('inhibition')
            		.message('host')
            		.details('')
            		.crit(lambda: "v")
            		.inhibit('system', 'region', 'host')
            """),
        ("region", """
            stream
            	|from()
            		.measurement('region')
            		.groupBy(*)
            	|alert()
            		.category('region_alert')
            		.topic('inhibition')
            		.message('region')
            		.details('')
            		.crit(lambda: "v")
            		.inhibit('host_alert', 'region')
            		.inhibit('system', 'region')
            """),
    ]

    /// The test's batches (precision s), each written after the one before was processed.
    static let batches = [
        // #0 every alert green
        """
        cpu,region=west,host=A,cpu=0 v=false 0
        cpu,region=west,host=A,cpu=1 v=false 0
        cpu,region=west,host=B,cpu=0 v=false 0
        cpu,region=west,host=B,cpu=1 v=false 0
        cpu,region=east,host=A,cpu=0 v=false 0
        cpu,region=east,host=A,cpu=1 v=false 0
        cpu,region=east,host=B,cpu=0 v=false 0
        cpu,region=east,host=B,cpu=1 v=false 0
        mem,region=west,host=A v=false 0
        mem,region=west,host=B v=false 0
        mem,region=east,host=A v=false 0
        mem,region=east,host=B v=false 0
        host,region=west,host=A v=false 0
        host,region=west,host=B v=false 0
        host,region=east,host=A v=false 0
        host,region=east,host=B v=false 0
        region,region=west v=false 0
        region,region=east v=false 0
        """,
        // #1 some mem and cpu alerts fire
        "cpu,region=west,host=B,cpu=0 v=true 1\ncpu,region=east,host=A,cpu=1 v=true 1\nmem,region=west,host=B v=true 1\nmem,region=east,host=A v=true 1",
        // #2 some host alerts fire
        "host,region=west,host=B v=true 2\nhost,region=east,host=B v=true 2",
        // #3 the same mem and cpu alerts
        "cpu,region=west,host=B,cpu=0 v=true 3\ncpu,region=east,host=A,cpu=1 v=true 3\nmem,region=west,host=B v=true 3\nmem,region=east,host=A v=true 3",
        // #4 the host alerts recover
        "host,region=west,host=B v=false 4\nhost,region=east,host=B v=false 4",
        // #5
        "cpu,region=west,host=B,cpu=0 v=true 5\ncpu,region=east,host=A,cpu=1 v=true 5\nmem,region=west,host=B v=true 5\nmem,region=east,host=A v=true 5",
        // #6 the region alert fires
        "region,region=east v=true 6",
        // #7 mem, cpu and host alerts
        "cpu,region=west,host=B,cpu=0 v=true 7\ncpu,region=east,host=A,cpu=1 v=true 7\nmem,region=west,host=B v=true 7\nmem,region=east,host=A v=true 7\nhost,region=west,host=A v=true 7\nhost,region=east,host=B v=true 7",
        // #8 the region alert recovers
        "region,region=east v=false 8",
        // #9
        "cpu,region=west,host=B,cpu=0 v=true 9\ncpu,region=east,host=A,cpu=1 v=true 9\nmem,region=west,host=B v=true 9\nmem,region=east,host=A v=true 9\nhost,region=west,host=A v=true 9\nhost,region=east,host=B v=true 9",
    ]

    /// The test's `want`: ID, second, level, previous level, duration in seconds (message: the ID's
    /// task; every alert recoverable), sorted by time then ID as the test sorts what it got.
    static let want: [(String, Int64, String, String, Int64)] = [
        ("cpu:cpu=0,host=B,region=west", 1, "CRITICAL", "OK", 0),
        ("cpu:cpu=1,host=A,region=east", 1, "CRITICAL", "OK", 0),
        ("mem:host=A,region=east", 1, "CRITICAL", "OK", 0),
        ("mem:host=B,region=west", 1, "CRITICAL", "OK", 0),
        ("host:host=B,region=east", 2, "CRITICAL", "OK", 0),
        ("host:host=B,region=west", 2, "CRITICAL", "OK", 0),
        ("cpu:cpu=1,host=A,region=east", 3, "CRITICAL", "CRITICAL", 2),
        ("mem:host=A,region=east", 3, "CRITICAL", "CRITICAL", 2),
        ("host:host=B,region=east", 4, "OK", "CRITICAL", 2),
        ("host:host=B,region=west", 4, "OK", "CRITICAL", 2),
        ("cpu:cpu=0,host=B,region=west", 5, "CRITICAL", "CRITICAL", 4),
        ("cpu:cpu=1,host=A,region=east", 5, "CRITICAL", "CRITICAL", 4),
        ("mem:host=A,region=east", 5, "CRITICAL", "CRITICAL", 4),
        ("mem:host=B,region=west", 5, "CRITICAL", "CRITICAL", 4),
        ("region:region=east", 6, "CRITICAL", "OK", 0),
        ("cpu:cpu=0,host=B,region=west", 7, "CRITICAL", "CRITICAL", 6),
        ("host:host=A,region=west", 7, "CRITICAL", "OK", 0),
        ("mem:host=B,region=west", 7, "CRITICAL", "CRITICAL", 6),
        ("region:region=east", 8, "OK", "CRITICAL", 2),
        ("cpu:cpu=0,host=B,region=west", 9, "CRITICAL", "CRITICAL", 8),
        ("cpu:cpu=1,host=A,region=east", 9, "CRITICAL", "CRITICAL", 8),
        ("host:host=A,region=west", 9, "CRITICAL", "CRITICAL", 2),
        ("host:host=B,region=east", 9, "CRITICAL", "OK", 2),
        ("mem:host=A,region=east", 9, "CRITICAL", "CRITICAL", 8),
        ("mem:host=B,region=west", 9, "CRITICAL", "CRITICAL", 8),
    ]

    struct Record: Decodable {
        var id: String
        var message: String
        var time: String
        var duration: Int64
        var level: String
        var previousLevel: String
        var recoverable: Bool
    }

    static func rules() throws -> [AlertRule] {
        var rules: [AlertRule] = []
        for (name, tick) in tasks { rules += try RuleLoader(clusters: []).rules(tick: tick, file: name + ".tick") }
        return rules
    }

    /// Runs `batches` through `engine` and returns what the topic's handler received.
    static func run(_ engine: RuleEngine, _ router: AlertRouter, _ batches: [String]) throws -> [Record] {
        var got: [Record] = []
        let parser = LineProtocolParser(precision: .seconds)
        for b in batches {
            parser.parse(Array(b.utf8), defaultTime: 0) { record in
                guard case .point(let p, _) = record else { return }
                engine.process(p) { event in
                    for d in router.route(event) {
                        if case .log(_, _, let line) = d.output, let r = try? JSONDecoder().decode(Record.self, from: Data(line)) {
                            got.append(r)
                        }
                    }
                }
            }
        }
        return got
    }

    static func handler() -> AlertHandler {
        AlertHandler(id: "tcpHandler", topic: "inhibition", match: nil, action: .log(LogHandlerOptions(path: "/dev/null", mode: 0o600)),
                     location: SourceLocation(file: "h.yaml", line: 1, column: 1))
    }

    static func sorted(_ got: [Record]) -> [String] {
        got.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            .map { "\($0.id) \($0.time) \($0.level) prev=\($0.previousLevel) d=\($0.duration) \($0.message) \($0.recoverable)" }
    }

    static func expected(_ want: [(String, Int64, String, String, Int64)]) -> [String] {
        want.map { (id, t, level, prev, d) in
            let task = String(id.prefix { $0 != ":" })
            return "\(id) 1970-01-01T00:00:0\(t)Z \(level) prev=\(prev) d=\(d * 1_000_000_000) \(task) true"
        }
    }

    @Test func kapacitorsAlertInhibitionTest() throws {
        let rules = try Self.rules()
        let engine = RuleEngine(rules: rules)
        let got = try Self.run(engine, AlertRouter(rules: rules, handlers: [Self.handler()]), Self.batches)
        #expect(Self.sorted(got) == Self.expected(Self.want))
        // #3: the cpu and mem alerts of host B west; #7: those of region east and its host alert.
        #expect(engine.statistics["cpu"]?.inhibited == 2 && engine.statistics["mem"]?.inhibited == 2)
        #expect(engine.statistics["host"]?.inhibited == 1)
    }

    /// A reload keeps what non-OK groups hold; a restart restores it from the state file (as
    /// Kapacitor's restored alert state triggers).
    @Test func reloadAndRestartKeepWhatIsHeld() throws {
        let rules = try Self.rules()
        let first = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: [Self.handler()])
        _ = try Self.run(first, router, Array(Self.batches[0...2]))
        let reloaded = RuleEngine(rules: try Self.rules())
        reloaded.adoptState(from: first)
        let afterReload = try Self.run(reloaded, router, [Self.batches[3]])
        #expect(Self.sorted(afterReload).map { $0.prefix { $0 != " " } } == ["cpu:cpu=1,host=A,region=east", "mem:host=A,region=east"])
        let restarted = RuleEngine(rules: try Self.rules())
        let data = try JSONEncoder().encode(first.snapshot())
        restarted.restore(try JSONDecoder().decode(AlertStateSnapshot.self, from: data))
        let afterRestart = try Self.run(restarted, AlertRouter(rules: rules, handlers: [Self.handler()]), [Self.batches[3]])
        #expect(Self.sorted(afterRestart).map { $0.prefix { $0 != " " } } == ["cpu:cpu=1,host=A,region=east", "mem:host=A,region=east"])
    }

    @Test func yamlAndTICKscriptNameThemAlike() throws {
        let yaml = try RuleLoader.convert(tick: "stream|from()|alert().crit(lambda: TRUE).inhibit('system', 'region', 'host').inhibit('other')", file: "t.tick")
        #expect(yaml.hasSuffix("inhibit:\n  - {category: 'system', tags: ['region', 'host']}\n  - {category: 'other', tags: []}\n"))
        let r = try #require(try RuleLoader(clusters: []).rules(text: yaml, file: "t.yaml").first)
        #expect(r.inhibitors == [AlertInhibitor(category: "system", equalTags: ["region", "host"]), AlertInhibitor(category: "other", equalTags: [])])
    }

    /// alert/inhibit_test.go TestInhibitor_IsInhibited: category and tags must match; extra tags
    /// of the alert do not matter; an inactive inhibitor holds nothing.
    @Test(arguments: [
        ("exact match", true, "alert", [("a", "x")], true),
        ("not inhibited", false, "alert", [("a", "x")], false),
        ("not category match", true, "foo", [("a", "x")], false),
        ("not tag match", true, "alert", [("a", "y")], false),
        ("match with extra tags", true, "alert", [("a", "x"), ("b", "y")], true),
    ])
    func inhibitorMatching(_ name: String, _ active: Bool, _ category: String, _ tags: [(String, String)], _ want: Bool) {
        var table = InhibitionTable()
        if active { table.add(category: "alert", tags: [Tag(key: "a", value: "x")]) }
        let p = Point(measurement: "m", tags: tags.map { Tag(key: $0.0, value: $0.1) }, fields: [Field(key: "v", value: .boolean(true))], time: 0)
        #expect(table.isInhibited(category: category, tags: p.tags) == want, "\(name)")
    }

    /// alert/inhibit_test.go TestInhibitorLookup_IsInhibited: adding and removing inhibitors.
    @Test func inhibitorLookup() {
        func tags(_ host: String) -> [Tag] { [Tag(key: "host", value: host)] }
        func point(_ host: String) -> Point { Point(measurement: "m", tags: tags(host), fields: [Field(key: "v", value: .boolean(true))], time: 0) }
        var t = InhibitionTable()
        t.add(category: "foo", tags: tags("A"))
        t.add(category: "bar", tags: tags("A"))
        t.add(category: "bar", tags: tags("B"))
        #expect(t.isInhibited(category: "foo", tags: point("A").tags))
        #expect(!t.isInhibited(category: "foo", tags: point("B").tags))
        #expect(t.isInhibited(category: "bar", tags: point("B").tags))
        t.add(category: "foo", tags: tags("B"))
        #expect(t.isInhibited(category: "foo", tags: point("A").tags) && t.isInhibited(category: "foo", tags: point("B").tags))
        t.remove(category: "bar", tags: tags("B"))
        #expect(t.isInhibited(category: "foo", tags: point("B").tags) && t.isInhibited(category: "foo", tags: point("A").tags))
        #expect(!t.isInhibited(category: "bar", tags: point("B").tags))
    }
}
