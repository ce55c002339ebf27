import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// Kapacitor lambda expressions: operators, types, functions, errors.
@Suite struct LambdaTests {
    static let point = Point(measurement: "cpu", tags: [Tag(key: "host", value: "web-1"), Tag(key: "region", value: "eu")],
                             fields: [Field(key: "usage_idle", value: .float(5.5)), Field(key: "count", value: .integer(7)),
                                      Field(key: "up", value: .boolean(true)), Field(key: "state", value: .string("degraded")),
                                      Field(key: "big", value: .unsigned(42))],
                             time: 1_764_288_010_000_000_000)

    static func eval(_ text: String, _ p: Point = point, state: LambdaState? = nil) throws -> LambdaValue {
        var slots = 0
        let e = try LambdaExpression(text, slots: &slots)
        return try e.evaluate(LambdaContext(point: p, state: state ?? LambdaState(slots: slots)))
    }

    @Test(arguments: [
        // Comparisons, numbers mixed only in comparisons.
        ("\"usage_idle\" < 10", LambdaValue.bool(true)),
        ("\"usage_idle\" < 5", .bool(false)),
        ("\"usage_idle\" <= 5.5", .bool(true)),
        ("\"count\" > 6.5", .bool(true)),
        ("\"count\" == 7", .bool(true)),
        ("\"count\" != 7.0", .bool(false)),
        ("\"big\" >= 42", .bool(true)),
        ("\"host\" == 'web-1'", .bool(true)),
        ("\"host\" < 'web-2'", .bool(true)),
        ("\"up\" == TRUE", .bool(true)),
        ("\"up\" != FALSE", .bool(true)),
        ("\"host\" =~ /^web-\\d+$/", .bool(true)),
        ("\"host\" !~ /db/", .bool(true)),
        ("\"state\" =~ /(?i)DEGRADED/", .bool(true)),
        // Logic, precedence, unary.
        ("\"usage_idle\" < 10 AND \"host\" == 'web-1'", .bool(true)),
        ("\"usage_idle\" > 10 OR \"count\" == 7", .bool(true)),
        ("TRUE OR FALSE AND FALSE", .bool(true)),
        ("!(\"usage_idle\" < 10)", .bool(false)),
        ("NOT \"up\"", .bool(false)),
        ("!\"up\" OR \"up\"", .bool(true)),
        ("1 + 2 * 3", .int(7)),
        ("(1 + 2) * 3", .int(9)),
        ("10 - 2 - 3", .int(5)),
        ("7 % 3", .int(1)),
        ("-\"count\" + 10", .int(3)),
        ("-2.5 * 2.0", .float(-5)),
        ("\"usage_idle\" * 2.0", .float(11)),
        ("7 / 2", .int(3)),
        ("'a' + 'b'", .string("ab")),
        // Durations.
        ("5m", .duration(300_000_000_000)),
        ("1h + 30m", .duration(5_400_000_000_000)),
        ("2 * 1s", .duration(2_000_000_000)),
        ("1m / 2", .duration(30_000_000_000)),
        ("1m / 1s", .int(60)),
        ("1.5 * 1s", .duration(1_500_000_000)),
        ("10ms < 1s", .bool(true)),
        ("1d == 24h", .bool(true)),
        ("1w == 7d", .bool(true)),
        ("10u == 10000 * 1u / 1000", .bool(true)),
    ])
    func evaluates(_ c: (String, LambdaValue)) throws {
        #expect(try Self.eval(c.0) == c.1, "\(c.0)")
    }

    @Test(arguments: [
        // Math (floats only, as Kapacitor).
        ("abs(-2.5)", LambdaValue.float(2.5)), ("sqrt(16.0)", .float(4)), ("pow(2.0, 10.0)", .float(1024)),
        ("min(1.0, 2.0)", .float(1)), ("max(1.0, 2.0)", .float(2)), ("floor(2.7)", .float(2)), ("ceil(2.1)", .float(3)),
        ("log(1.0)", .float(0)), ("log10(1000.0)", .float(3)), ("log2(8.0)", .float(3)), ("exp(0.0)", .float(1)),
        ("trunc(-2.7)", .float(-2)), ("mod(7.0, 4.0)", .float(3)), ("hypot(3.0, 4.0)", .float(5)), ("pow10(3)", .float(1000)),
        // Conversions.
        ("int(2.9)", .int(2)), ("int('42')", .int(42)), ("int(TRUE)", .int(1)), ("int(90s)", .int(90_000_000_000)),
        ("float(3)", .float(3)), ("float('1.5')", .float(1.5)), ("bool('true')", .bool(true)), ("bool(0)", .bool(false)),
        ("string(1.5)", .string("1.5")), ("string(0.0000001)", .string("0.0000001")), ("string(42)", .string("42")),
        ("string(90s)", .string("90s")), ("string(TRUE)", .string("true")),
        ("duration(5, 1m)", .duration(300_000_000_000)), ("duration('1h')", .duration(3_600_000_000_000)),
        ("duration(1.5, 1s)", .duration(1_500_000_000)),
        // Strings.
        ("strContains(\"host\", 'web')", .bool(true)), ("strContainsAny('abc', 'xc')", .bool(true)),
        ("strCount('cheese', 'e')", .int(3)), ("strHasPrefix(\"host\", 'web')", .bool(true)),
        ("strHasSuffix(\"host\", '-1')", .bool(true)), ("strIndex('chicken', 'ken')", .int(4)),
        ("strIndexAny('golang', 'ny')", .int(4)), ("strLastIndex('go gopher', 'go')", .int(3)),
        ("strLastIndexAny('go gopher', 'go')", .int(4)), ("strLength('héllo')", .int(6)),
        ("strReplace('oink oink oink', 'k', 'ky', 2)", .string("oinky oinky oink")),
        ("strReplace('oink', 'o', 'O', -1)", .string("Oink")),
        ("strSubstring('abcdef', 1, 3)", .string("bc")), ("strToLower('ABC')", .string("abc")),
        ("strToUpper('abc')", .string("ABC")), ("strTrim('xxhixx', 'x')", .string("hi")),
        ("strTrimLeft('xxhixx', 'x')", .string("hixx")), ("strTrimRight('xxhixx', 'x')", .string("xxhi")),
        ("strTrimPrefix('prefix-body', 'prefix-')", .string("body")), ("strTrimSuffix('a.go', '.go')", .string("a")),
        ("strTrimSpace('  a b  ')", .string("a b")),
        ("regexReplace(/(\\w+)-(\\d+)/, \"host\", '$2-$1')", .string("1-web")),
        ("regexReplace(/(?P<n>\\d+)/, 'a1b22', '<${n}>')", .string("a<1>b<22>")),
        // Presence and choice.
        ("isPresent(\"usage_idle\")", .bool(true)), ("isPresent(\"nope\")", .bool(false)),
        ("if(\"usage_idle\" < 10, 'low', 'fine')", .string("low")), ("if(FALSE, 1, 2)", .int(2)),
        // Time (TZ is UTC in tests unless set).
        ("unixNano(\"time\")", .int(1_764_288_010_000_000_000)), ("year(\"time\")", .int(2025)),
        ("humanBytes(1500000)", .string("1.5 MB")), ("humanBytes(5)", .string("5 B")), ("humanBytes(82854982.0)", .string("83 MB")),
    ])
    func functions(_ c: (String, LambdaValue)) throws {
        setenv("TZ", "UTC", 1)
        #expect(try Self.eval(c.0) == c.1, "\(c.0)")
    }

    @Test func timeFunctionsUseThePointTime() throws {
        setenv("TZ", "UTC", 1)
        tzset()
        // 2025-11-28T00:00:10Z is a Friday.
        #expect(try Self.eval("hour(\"time\")") == .int(0))
        #expect(try Self.eval("minute(\"time\")") == .int(0))
        #expect(try Self.eval("weekday(\"time\")") == .int(5))
        #expect(try Self.eval("day(\"time\")") == .int(28))
        #expect(try Self.eval("month(\"time\")") == .int(11))
    }

    @Test func statefulFunctionsKeepStatePerGroup() throws {
        var slots = 0
        let count = try LambdaExpression("count() > 2", slots: &slots)
        let spread = try LambdaExpression("spread(\"usage_idle\") > 10.0", slots: &slots)
        let sigma = try LambdaExpression("sigma(\"usage_idle\") > 1.5", slots: &slots)
        #expect(slots == 3)
        let a = LambdaState(slots: slots), b = LambdaState(slots: slots)
        func p(_ v: Double) -> Point { Point(measurement: "cpu", fields: [Field(key: "usage_idle", value: .float(v))], time: 0) }
        var results: [Bool] = []
        for _ in 0..<3 { results.append(try count.evaluateBool(LambdaContext(point: p(1), state: a))) }
        #expect(results == [false, false, true])
        #expect(try count.evaluateBool(LambdaContext(point: p(1), state: b)) == false)
        #expect(try spread.evaluateBool(LambdaContext(point: p(5), state: a)) == false)
        #expect(try spread.evaluateBool(LambdaContext(point: p(20), state: a)) == true)
        for v in [10.0, 10.5, 9.5, 10.0, 10.2, 9.8] { _ = try sigma.evaluateBool(LambdaContext(point: p(v), state: a)) }
        #expect(try sigma.evaluateBool(LambdaContext(point: p(30), state: a)) == true)
        #expect(try sigma.evaluateBool(LambdaContext(point: p(30), state: b)) == false)  // first value: sigma 0
    }

    /// Errors a rule file reports at load time (no data needed), with their column.
    @Test(arguments: [
        ("\"a\" < ", "expected a value", 7),
        ("10 + 'a'", "mismatched type to binary operator. got int + string", 4),
        ("1.5 % 2.0", "invalid math operator % for type float", 5),
        ("1 + 2.0", "mismatched type to binary operator. got int + float", 3),
        ("nope(1)", "undefined function: \"nope\"", 1),
        ("abs(1)", "Cannot call function \"abs\" with args (1: int)", 1),
        ("usage_idle < 10", "unknown identifier usage_idle", 1),
        ("\"a\" = 1", "did you mean \"==\"", 5),
        ("'abc", "unterminated string", 1),
        ("\"x\" =~ /[/", "error parsing regexp", 8),
        ("(\"a\" < 1", "expected \")\"", 9),
        ("99999999999999999999", "value out of range", 1),
        ("count(1)", "count expects no arguments", 1),
    ])
    func loadErrors(_ c: (String, String, Int)) {
        do {
            _ = try LambdaExpression(c.0)
            Issue.record("\(c.0) compiled")
        } catch {
            #expect(error.message.contains(c.1), "\(c.0): \(error.message)")
            #expect(error.column == c.2, "\(c.0): column \(String(describing: error.column)) \(error.message)")
        }
    }

    /// Errors that depend on the point: missing fields, types only known at run time.
    @Test(arguments: [
        ("\"missing\" > 1", "left reference value \"missing\" is missing value"),
        ("1 < \"missing\"", "right reference value \"missing\" is missing value"),
        ("\"host\" > 1", "mismatched type to binary operator. got string > int"),
        ("\"usage_idle\" + 1", "mismatched type to binary operator. got float + int"),
        ("\"count\"", "expression returned unexpected type int64"),
        ("abs(\"count\")", "Cannot call function \"abs\" with args (\"count\": int)"),
        ("abs(\"missing\")", "missing value"),
        ("\"count\" / 0", "integer divide by zero"),
        ("strSubstring('abc', 1, 5)", "stop index too large"),
        ("int('x')", "strconv.ParseInt: parsing \"x\": invalid syntax"),
    ])
    func runtimeErrors(_ c: (String, String)) throws {
        let e = try LambdaExpression(c.0)
        do {
            _ = try e.evaluateBool(LambdaContext(point: Self.point))
            Issue.record("\(c.0) evaluated")
        } catch {
            #expect(error.message.contains(c.1), "\(c.0): \(error.message)")
        }
    }

    @Test func fieldAndTagWithTheSameNameIsAnError() throws {
        let p = Point(measurement: "m", tags: [Tag(key: "x", value: "t")], fields: [Field(key: "x", value: .float(1))], time: 0)
        #expect(throws: LambdaError.self) { try Self.eval("\"x\" == 1.0", p) }
    }

    @Test func handlerMatchDialect() throws {
        let e = try LambdaExpression("changed() AND level() >= WARNING AND \"host\" == 'a' AND name() == 'cpu' AND taskName() == 't' AND alertDuration() < 1m",
                                     dialect: .handlerMatch)
        let info = LambdaEventInfo(changed: true, level: .critical, name: "cpu", taskName: "t", duration: 0, tags: [Tag(key: "host", value: "a")])
        #expect(try e.evaluateBool(LambdaContext(event: info)))
        var other = info
        other.level = .info
        #expect(try !e.evaluateBool(LambdaContext(event: other)))
        other = info
        other.tags = []
        #expect(throws: LambdaError.self) { try e.evaluateBool(LambdaContext(event: other)) }
        #expect(throws: LambdaError.self) { try LambdaExpression("level() > PANIC", dialect: .handlerMatch) }
    }

    @Test func parsedExpressionsPrintBack() throws {
        #expect(try LambdaExpression("\"a\"<10 AND(\"b\"=~/x\\/y/)").description == "\"a\" < 10 AND \"b\" =~ /x/y/")
    }
}
