import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// The state file's hand-written JSON reads back, with JSONDecoder, as what Foundation's
/// JSONEncoder wrote before (the format files already on disk have).
@Suite struct AlertStateJSONTests {
    /// Every field and shape a state file holds: step records of each kind, optional fields both
    /// present and absent, strings that need escaping, extreme numbers.
    static func sample(nonFinite: Bool) -> AlertStateSnapshot {
        var s = AlertStateSnapshot()
        s.takenAt = 1_764_000_000_123_456_789
        var window = StepStateRecord()
        window.times = [1, 2, Int64.max]
        window.values = [.init(.float(0.1)), .init(.integer(-5)), .init(.unsigned(UInt64.max)), .init(.string("a\"b\\c\n\u{1}é/")),
                         .init(.boolean(true))]
        window.nextEmit = 10_000_000_000
        window.name = "cpu"
        window.points = [.init(Point(measurement: "cpu", tags: [Tag(key: "host", value: "a,b")], fields: [Field(key: "v", value: .float(1e-7))], time: -1))]
        var transform = StepStateRecord()
        transform.previousTime = 5
        transform.previousValue = .init(.float(-0.0))
        transform.intSum = Int64.min
        transform.floatSum = 1.7976931348623157e308
        transform.ring = [1, 2.5, .leastNonzeroMagnitude]
        transform.position = 2
        transform.count = 3
        transform.start = 4
        transform.functions = [[1, 2, 3, nonFinite ? -.infinity : -1, nonFinite ? .infinity : 1, 6]]
        let grouped = AlertStateSnapshot.Group(levels: [0, 2, 3, 1], index: 2, flapping: true, changed: false, firstTriggered: 7,
                                               lastTriggered: 8, expired: true, functions: [[0, nonFinite ? .nan : 0, 0, 1, 2, 3]],
                                               lastSeen: 99, groupTags: [["host", "a"], ["cpu", "cpu-total"]], steps: [window, transform, StepStateRecord()])
        let bare = AlertStateSnapshot.Group(levels: [0, 0], index: 0, flapping: false, changed: true, firstTriggered: 0, lastTriggered: 0,
                                            expired: false, functions: nil, lastSeen: nil, groupTags: nil, steps: nil)
        s.rules["cpu \"alert\""] = .init(groupBy: "host,cpu", history: 4, functionSlots: 1, groups: ["host=a,cpu=cpu-total": grouped, "nil": bare],
                                        steps: ["window(period=10s)", "mean('v')"])
        s.rules["empty"] = .init(groupBy: "none", history: 21, functionSlots: 0, groups: [:], steps: nil)
        s.topics = ["main:cpu:alert2": ["cpu:host=a": 3, "x\ty": 1], "empty": [:]]
        return s
    }

    static func foundationEncoded(_ s: AlertStateSnapshot) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let n = AlertStateSnapshot.nonFinite
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: n.positiveInfinity, negativeInfinity: n.negativeInfinity, nan: n.nan)
        return try encoder.encode(s)
    }

    @Test func readsBackAsWhatFoundationWrote() throws {
        let s = Self.sample(nonFinite: false)
        let ours = try AlertStateSnapshot.decoded(s.encoded())
        #expect(ours == s)
        #expect(ours == (try AlertStateSnapshot.decoded(Self.foundationEncoded(s))))
    }

    @Test func infinitiesAndNaNRoundTrip() throws {
        let s = Self.sample(nonFinite: true)
        let bytes = s.encoded()
        let back = try AlertStateSnapshot.decoded(bytes)
        #expect(back.encoded() == bytes, "NaN compares unequal: compare the re-encoded bytes")
        let slot = try #require(back.rules["cpu \"alert\""]?.groups["host=a,cpu=cpu-total"]?.functions?[0])
        #expect(slot[1].isNaN)
        #expect(back.rules["cpu \"alert\""]?.groups["host=a,cpu=cpu-total"]?.steps?[1].functions?[0][3] == -.infinity)
    }

    @Test func theCopiedGroupsWriteTheSameFileAsTheAssembledSnapshot() throws {
        let rules = try RuleLoader(clusters: []).rules(text: "id: r\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"v\" > 1'\n", file: "r.yaml")
        let engine = RuleEngine(rules: rules)
        for i in 0..<50 {
            engine.process(Point(measurement: "cpu", tags: [Tag(key: "host", value: "h\(i)")], fields: [Field(key: "v", value: .float(Double(i)))], time: Int64(i))) { _ in }
        }
        var cursor = engine.beginSnapshot()
        while !cursor.step(budget: .milliseconds(5)) {}
        let copied = cursor.finish()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).json").path
        defer { unlink(path) }
        try copied.write(to: path)
        let file = try #require(FileManager.default.contents(atPath: path))
        #expect(file == copied.assemble().encoded())
        #expect(try AlertStateSnapshot.decoded(file).rules["r"]?.groups.count == 50)
    }
}
