import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// GoJSON against Go's encoding/json: Fixtures/json.jsonl was recorded by Tools/template-oracle.
@Suite struct GoJSONTests {
    struct Case: Decodable {
        var name: String
        var data: String
        var out: String
    }

    @Test func matchesEncodingJSON() throws {
        let cases: [Case] = try oracleFixture("json.jsonl")
        #expect(cases.count > 30)
        var failures: [String] = []
        for c in cases {
            let got = GoJSON.encode(try TemplateValue(json: c.data))
            if got != c.out { failures.append("\(c.name) \(c.data):\n  got  \(got)\n  want \(c.out)") }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
