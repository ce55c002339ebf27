import LineProtocol
import Testing
@testable import AlertRules

/// The alert node's output properties (Kapacitor's alert.go `augmentTagsWithEventState` and
/// `augmentFieldsWithEventState`): what they add to the emitted points, with which types, and
/// that the alert data handlers receive stays as Kapacitor builds it, without them.
@Suite struct AlertOutputPropertiesTests {
    static let s: Int64 = 1_000_000_000

    static func point(_ seconds: Int64, _ value: Double, tags: [(String, String)] = [("host", "a")]) -> Point {
        Point(measurement: "cpu", tags: tags.map { Tag(key: $0.0, value: $0.1) }, fields: [Field(key: "value", value: .float(value))], time: seconds * s)
    }

    static func events(_ yaml: String, _ points: [Point]) throws -> [AlertEvent] {
        let engine = RuleEngine(rules: try RuleLoader(clusters: []).rules(text: yaml, file: "t.yaml"))
        var out: [AlertEvent] = []
        for p in points { engine.process(p) { out.append($0) } }
        return out
    }

    @Test func eachPropertyAddsItsTagOrFieldWithKapacitorsTypes() throws {
        let yaml = """
            id: t
            measurement: cpu
            groupBy: [host]
            crit: '"value" > 5'
            idTag: alertID
            levelTag: level
            idField: id
            levelField: levelName
            messageField: msg
            durationField: dur
            """
        let events = try Self.events(yaml, [Self.point(0, 9), Self.point(2, 9), Self.point(3, 1)])
        #expect(events.map(\.level) == [.critical, .critical, .ok])
        let second = try #require(events[1].emitted.first)
        #expect(Array(second.tags) == [Tag(key: "alertID", value: "cpu:host=a"), Tag(key: "host", value: "a"), Tag(key: "level", value: "CRITICAL")],
                "tags stay sorted by key")
        #expect(second.field("value") == .float(9))
        #expect(second.field("id") == .string("cpu:host=a"))
        #expect(second.field("levelName") == .string("CRITICAL"))
        #expect(second.field("msg") == .string("cpu:host=a is CRITICAL"))
        #expect(second.field("dur") == .integer(2 * Self.s), "the duration in nanoseconds, an integer")
        #expect(events[2].emitted.first?.tag("level") == "OK" && events[2].emitted.first?.field("dur") == .integer(3 * Self.s))
        // The alert data is built from the point before the properties are applied.
        let json = AlertRecord(event: events[1], previousLevel: .critical).json()
        #expect(json.contains(#""tags":{"host":"a"},"columns":["time","value"]"#), "\(json)")
    }

    @Test func aPropertyReplacesATagOrFieldOfItsNameAndTheLaterOneWins() {
        let p = Point(measurement: "cpu", tags: [Tag(key: "level", value: "mine")], fields: [Field(key: "msg", value: .float(1))], time: 0)
        let props = AlertOutputProperties(idTag: "level", levelTag: "level", idField: "msg", messageField: "msg")
        let out = props.apply(to: p, id: "the-id", level: .warning, message: "m", duration: 0)
        // Kapacitor sets the level tag, then the id tag; the message field, then the id field.
        #expect(Array(out.tags) == [Tag(key: "level", value: "the-id")])
        #expect(Array(out.fields) == [Field(key: "msg", value: .string("the-id"))])
        #expect(AlertOutputProperties().apply(to: p, id: "x", level: .ok, message: "", duration: 0) == p)
    }

    /// A batch (top, bottom, distinct) is emitted with each of its points given the properties.
    @Test func aBatchEmitsEveryPointWithTheProperties() throws {
        let yaml = "id: t\nmeasurement: cpu\nsteps:\n  - window: {period: 10s}\n  - top: {n: 2, field: value}\ncrit: '\"top\" > 8'\nlevelField: level\n"
        let events = try Self.events(yaml, [Self.point(0, 9), Self.point(1, 3), Self.point(10, 0)])
        #expect(events.count == 1)
        #expect(events[0].emitted.map { $0.field("level") } == [.string("CRITICAL"), .string("CRITICAL")])
        #expect(events[0].emitted.map { $0.field("top") } == [.float(9), .float(3)])
    }

    @Test func tickscriptAndYAMLNameThemAlike() throws {
        let yaml = try RuleLoader.convert(tick: """
            stream|from().measurement('cpu')
              |alert().crit(lambda: "value" > 5)
                .idField('id').idTag('id').levelField('level').levelTag('level').messageField('msg').durationField('d')
            """, file: "t.tick")
        #expect(yaml.contains("idField: 'id'\nidTag: 'id'\nlevelField: 'level'\nlevelTag: 'level'\nmessageField: 'msg'\ndurationField: 'd'\n"))
        let r = try #require(try RuleLoader(clusters: []).rules(tick: "stream|from()|alert().crit(lambda: TRUE).durationField('d')", file: "t.tick").first)
        #expect(r.output == AlertOutputProperties(durationField: "d"))
    }

    @Test(arguments: [
        ("idField: ''", "t.yaml:3:10: rule \"t\": idField must name a field"),
        ("levelTag: [a]", "t.yaml:3:11: levelTag must be a string"),
    ])
    func badValuesAreLoadErrors(_ line: String, _ message: String) {
        do {
            _ = try RuleLoader(clusters: []).rules(text: "id: t\ncrit: 'TRUE'\n\(line)\n", file: "t.yaml")
            Issue.record("loaded")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
