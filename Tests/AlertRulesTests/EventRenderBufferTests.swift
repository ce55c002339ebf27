import AlertRelayTestSupport
import GoTemplate
import LineProtocol
import Testing
@testable import AlertRules

/// The engine and the router write every event's texts in buffers they keep (``EventRenderBuffer``):
/// consecutive different events must come out exactly as each alone does — nothing of one event
/// (a longer text, more tags or fields, another second's clock) may reach the next.
@Suite struct EventRenderBufferTests {
    /// Go's alert JSON for 300+ recorded events, written one after another through one buffer, in
    /// the fixture's order and reversed (long after short and short after long).
    @Test func consecutiveAlertJSONThroughOneBufferIsGoByteForByte() throws {
        let cases = try AlertJSONOracleTests.cases()
        #expect(cases.count >= 300)
        var buffer = EventRenderBuffer(capacity: 0)
        var written = 0
        for c in cases + cases.reversed() {
            let bytes = AlertJSONOracleTests.record(c.case).jsonBytes(using: &buffer)
            #expect(String(decoding: bytes, as: UTF8.self) == c.json, "case \(c.case.id)")
            written += 1
        }
        #expect(written == 2 * cases.count)
    }

    struct Recorded: Decodable {
        /// A line of protocol.
        var line: String
        /// The Kafka body main's `alertrelay test` printed for it (trailing newline dropped).
        var body: String
    }

    /// Points of every shape (tags or none, a 800-byte measurement, tag and string field, escapes,
    /// a repeated field key, fields out of order, one second and the next, before 1970), one after
    /// another through one engine (default templates, hostname relay-1) and one router: each Kafka
    /// body is the one main wrote before the buffers were kept (Fixtures/consecutive-events.jsonl,
    /// recorded with main's `alertrelay test` at e2e6063), in order and reversed; the details equal
    /// the template path's (pinned to Go by the GoTemplate oracles).
    @Test func consecutiveEventsThroughOneEngineAndRouterAreMainsBytes() throws {
        let recorded: [Recorded] = try oracleFixture("consecutive-events.jsonl")
        #expect(recorded.count == 7)
        let loader = RuleLoader(clusters: ["c"])
        let crit = "crit: '\"v\" > 0.0 OR \"v\" <= 0.0'\nkafka: {cluster: c, topic: t}\n"
        let direct = try loader.rules(text: "id: r\ngroupBy: '*'\n" + crit, file: "a")
        let templated = try loader.rules(text: "id: r\ngroupBy: '*'\nalertId: '{{.Name}}:{{.Group}}'\nmessage: '{{.ID}} is {{.Level}}'\n"
                                             + "details: '{{json .}}'\n" + crit, file: "b")
        let parser = LineProtocolParser(precision: .nanoseconds)
        for order in [recorded, recorded.reversed()] {
            // New engines and router per pass, so every event is the first of its alert ID (previousLevel OK).
            let engine = RuleEngine(rules: direct, hostname: "relay-1"), reference = RuleEngine(rules: templated, hostname: "relay-1")
            let router = AlertRouter(rules: direct, handlers: [])
            var checked = 0
            for r in order {
                let records = parser.records(Array(r.line.utf8), defaultTime: 0)
                guard records.count == 1, case .point(let p, _) = records[0] else {
                    Issue.record("not one point: \(r.line)")
                    continue
                }
                var events: [AlertEvent] = [], expected: [AlertEvent] = []
                engine.process(p) { events.append($0) }
                reference.process(p) { expected.append($0) }
                try #require(events.count == 1 && expected.count == 1)
                let (e, want) = (events[0], expected[0])
                #expect(e.id == want.id)
                #expect(e.message == want.message)
                #expect(e.details == want.details, "\(r.line)")
                let deliveries = router.route(e)
                guard case .kafka(_, _, let key, let body, _)? = deliveries.first?.output else {
                    Issue.record("no kafka delivery for \(r.line)")
                    continue
                }
                #expect(key == e.id)
                #expect(String(decoding: body, as: UTF8.self) == r.body + "\n", "\(r.line)")
                #expect(body == AlertRecord(event: e, previousLevel: .ok).jsonBytes())
                var alone = EventRenderBuffer()
                alone.sortFields(of: p)
                #expect(alone.fields.map(\.0) == AlertRecord.sortedFields(of: p).map(\.0))
                #expect(alone.fields.map(\.1) == AlertRecord.sortedFields(of: p).map(\.1))
                checked += 1
            }
            #expect(checked == recorded.count)
        }
    }
}
