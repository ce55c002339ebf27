import LineProtocol
import Testing
@testable import AlertRules

/// The default ID, message and details are written without the template engine; these must be
/// the same bytes the (Go-verified) template path gives.
@Suite struct DefaultTemplateTests {
    @Test func directDefaultsEqualTheTemplatePath() throws {
        let loader = RuleLoader(clusters: [])
        let direct = try loader.rules(text: "id: r\ngroupBy: '*'\ncrit: '\"v\" > 0.0 OR \"v\" <= 0.0'\n", file: "a")
        // Same templates, spelled differently so they are not recognised as the defaults.
        let templated = try loader.rules(text: """
            id: r
            groupBy: '*'
            crit: '"v" > 0.0 OR "v" <= 0.0'
            alertId: '{{.Name}}:{{.Group}}'
            message: '{{.ID}} is {{.Level}}'
            details: '{{json .}}'
            """, file: "b")
        #expect(direct[0].defaultTemplates == (true, true, true))
        #expect(templated[0].defaultTemplates == (false, false, false))
        let a = RuleEngine(rules: direct, hostname: "relay-1"), b = RuleEngine(rules: templated, hostname: "relay-1")
        let values: [FieldValue] = [.float(1.5), .float(1e21), .float(-0.000001), .integer(-3), .unsigned(18_446_744_073_709_551_615),
                                    .string("<a href=\"x\">&'+</a>\u{2028}\n\t\u{1}é"), .boolean(true)]
        var n = 0
        for (i, v) in values.enumerated() {
            let p = Point(measurement: "m<&>", tags: [Tag(key: "host", value: "a+b"), Tag(key: "zé", value: "\"q\"")],
                          fields: [Field(key: "v", value: .float(Double(i))), Field(key: "x\(i)", value: v), Field(key: "A", value: v)],
                          time: 1_764_288_010_123_456_789 + Int64(i))
            var ea: [AlertEvent] = [], eb: [AlertEvent] = []
            a.process(p) { ea.append($0) }
            b.process(p) { eb.append($0) }
            #expect(ea.count == 1 && eb.count == 1)
            #expect(ea.first?.id == eb.first?.id)
            #expect(ea.first?.message == eb.first?.message)
            #expect(ea.first?.details == eb.first?.details, "\(v)")
            n += 1
        }
        #expect(n == values.count)
    }
}
