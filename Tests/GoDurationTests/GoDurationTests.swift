import Testing
@testable import GoDuration

/// Cases from Go's `time` package tests (parseDurationTests, durationTests).
@Suite struct GoDurationTests {
    @Test(arguments: [
        ("0", Int64(0)), ("5s", 5_000_000_000), ("30s", 30_000_000_000), ("1478s", 1_478_000_000_000),
        ("-5s", -5_000_000_000), ("+5s", 5_000_000_000), ("-0", 0), ("+0", 0),
        ("5.0s", 5_000_000_000), ("5.6s", 5_600_000_000), ("5.s", 5_000_000_000), (".5s", 500_000_000),
        ("1.0s", 1_000_000_000), ("1.00s", 1_000_000_000), ("1.004s", 1_004_000_000), ("100.00100s", 100_001_000_000),
        ("10ns", 10), ("11us", 11_000), ("12µs", 12_000), ("12μs", 12_000), ("13ms", 13_000_000),
        ("14s", 14_000_000_000), ("15m", 900_000_000_000), ("16h", 57_600_000_000_000),
        ("3h30m", 12_600_000_000_000), ("10.5s4m", 250_500_000_000), ("-2m3.4s", -123_400_000_000),
        ("1h2m3s4ms5us6ns", 3_723_004_005_006), ("39h9m14.425s", 140_954_425_000_000),
        ("52763797000ns", 52_763_797_000), ("0.3333333333333333333h", 1_200_000_000_000),
        ("9007199254740993ns", 9_007_199_254_740_993), ("9223372036854775807ns", Int64.max),
        ("9223372036854775.807us", Int64.max), ("-9223372036854775808ns", Int64.min),
        ("0.100000000000000000000h", 360_000_000_000),
    ] as [(String, Int64)])
    func parses(text: String, ns: Int64) throws {
        #expect(try GoDuration(parsing: text).nanoseconds == ns)
    }

    @Test(arguments: [
        ("", "time: invalid duration \"\""), ("3", "time: missing unit in duration \"3\""),
        ("-", "time: invalid duration \"-\""), ("s", "time: invalid duration \"s\""),
        (".", "time: invalid duration \".\""), ("-.", "time: invalid duration \"-.\""),
        (".s", "time: invalid duration \".s\""), ("+.s", "time: invalid duration \"+.s\""),
        ("1d", "time: unknown unit \"d\" in duration \"1d\""), ("10sec", "time: unknown unit \"sec\" in duration \"10sec\""),
        ("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""),
        ("9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\""),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: GoDurationError.self) { try GoDuration(parsing: text) }
        do { _ = try GoDuration(parsing: text) } catch { #expect(error.description == message) }
    }

    @Test(arguments: [
        ("0s", Int64(0)), ("1ns", 1), ("1.1µs", 1_100), ("2.2ms", 2_200_000), ("3.3s", 3_300_000_000),
        ("4m5s", 245_000_000_000), ("4m5.001s", 245_001_000_000), ("5h6m7.001s", 18_367_001_000_000),
        ("8m0.000000001s", 480_000_000_001), ("2562047h47m16.854775807s", Int64.max),
        ("-2562047h47m16.854775808s", Int64.min), ("1m30s", 90_000_000_000), ("1µs", 1_000),
        ("26h3m0.5s", 93_780_500_000_000),
    ] as [(String, Int64)])
    func prints(text: String, ns: Int64) {
        #expect(GoDuration(nanoseconds: ns).description == text)
    }
}
