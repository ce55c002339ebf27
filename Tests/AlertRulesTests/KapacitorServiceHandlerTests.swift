import AlertRelayTestSupport
import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Kapacitor 1.5.9's service-handler alert tests (`integrations/streamer_test.go`: Slack, Sensu,
/// PagerDuty, VictorOps, ...) run from their TICKscripts with each service handler replaced by
/// `.post()`: the alert records posted, one per handler and event, in order, must carry the
/// message each request the fake service expected carries.
/// Fixture: Tools/kapacitor-streamer/make-service-fixtures.py.
@Suite struct KapacitorServiceHandlerTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var tick: String
        var points: [String]
        /// Per expected request, every string in it.
        var requests: [[String]]
        var testDescription: String { name }
    }

    struct Record: Decodable {
        var id: String
        var message: String
        var level: String
    }

    static let cases: [Case] = (try? oracleFixture("kapacitor-streamer-services.jsonl")) ?? []

    @Test(arguments: cases)
    func kapacitorServiceTestPassesWithPost(_ c: Case) throws {
        let rules = try RuleLoader(clusters: []).rules(tick: c.tick, file: c.name + ".tick")
        let engine = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: [])
        var posted: [Record] = []
        let parser = LineProtocolParser(precision: .nanoseconds)
        parser.parse(Array(c.points.joined(separator: "\n").utf8), defaultTime: 0) { record in
            guard case .point(let p, _) = record else { return }
            engine.process(p) { event in
                for d in router.route(event) {
                    guard case .post(_, let url, _, let body, let json, _) = d.output else { continue }
                    #expect(url == "http://127.0.0.1:9/" && json)
                    if let r = try? JSONDecoder().decode(Record.self, from: Data(body)) { posted.append(r) }
                }
            }
        }
        #expect(posted.count == c.requests.count, "\(posted.map { "\($0.id) \($0.level)" })")
        for (i, (record, strings)) in zip(posted, c.requests).enumerated() {
            #expect(strings.contains(record.message), "request \(i + 1): \(record.message) not in \(strings)")
        }
    }

    @Test func everyServiceTestIsHere() {
        #expect(Self.cases.count == 18)
    }
}
