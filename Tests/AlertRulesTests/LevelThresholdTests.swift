import LineProtocol
import Testing
@testable import AlertRules

/// ``LevelThreshold`` decides what the compiled level expression decides, and leaves the rest to it.
@Suite struct LevelThresholdTests {
    static let points: [Point] = [
        Point(measurement: "cpu", tags: [Tag(key: "host", value: "a")],
              fields: [Field(key: "v", value: .float(5.5)), Field(key: "n", value: .integer(7)), Field(key: "u", value: .unsigned(42)),
                       Field(key: "huge", value: .unsigned(UInt64.max)), Field(key: "s", value: .string("x")), Field(key: "b", value: .boolean(true))],
              time: 1),
        // A repeated key: the last one counts. A tag named as a field: the expression's error.
        Point(measurement: "cpu", tags: [Tag(key: "v", value: "tag")],
              fields: [Field(key: "n", value: .integer(1)), Field(key: "n", value: .integer(9)), Field(key: "v", value: .float(1))], time: 2),
        // No such field.
        Point(measurement: "cpu", tags: [], fields: [Field(key: "other", value: .float(1))], time: 3),
        // Below zero, on both sides of the negative thresholds.
        Point(measurement: "cpu", tags: [], fields: [Field(key: "v", value: .float(-6)), Field(key: "n", value: .integer(-7)),
                                                     Field(key: "u", value: .unsigned(0))], time: 4),
    ]

    @Test(arguments: [
        "\"v\" > 5", "\"v\" > 5.5", "\"v\" >= 5.5", "\"v\" < 6", "\"v\" == 5.5", "\"v\" != 5.5", "\"v\" <= 5",
        "\"n\" > 6.5", "\"n\" == 7", "\"n\" == 9", "\"n\" < 8", "\"u\" >= 42", "\"u\" > 41.5",
        "\"huge\" > 1", "\"huge\" > 10000000000000000000.0", "\"s\" > 1", "\"b\" == 1", "\"missing\" > 1",
        // Negative thresholds: a literal under a unary minus.
        "\"v\" > -5", "\"v\" < -5.5", "\"v\" >= -0.0", "\"n\" > -8", "\"n\" == -7", "\"u\" > -1", "\"u\" < -1.5", "\"huge\" > -1",
        "\"s\" < -1", "\"missing\" < -2",
    ])
    func agreesWithTheCompiledExpression(_ text: String) throws {
        let expression = try LambdaExpression(text)
        let threshold = try #require(LevelThreshold(expression.node) { _ in 0 }, "\(text) is a threshold")
        for p in Self.points {
            withUnsafePointer(to: p) { q in
                let fast = threshold.evaluate(q)
                let full: Bool?
                do { full = try LambdaExpression.bool(try expression.evaluate(LambdaContext(point: p, state: nil))) } catch { full = nil }
                if let fast {
                    #expect(fast == full, "\(text) on point \(p.time)")
                } else {
                    // Left to the expression: a string, boolean or missing field, or a tag of the name.
                    #expect(p.field(threshold.field) == nil || p.tag(threshold.field) != nil
                            || [.string("x"), .boolean(true)].contains(p.field(threshold.field)!), "\(text) on point \(p.time)")
                }
            }
        }
    }

    @Test(arguments: ["\"v\" > 'a'", "\"v\" + 1 > 2", "\"time\" > 1", "\"v\" =~ /a/", "1 < \"v\"", "\"v\" > 1 AND \"n\" > 1",
                     "\"v\" > -\"n\""])
    func otherExpressionsAreNotThresholds(_ text: String) throws {
        #expect(LevelThreshold(try LambdaExpression(text).node) { _ in 0 } == nil)
    }
}
