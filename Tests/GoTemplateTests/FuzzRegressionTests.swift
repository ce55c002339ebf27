import Testing
@testable import GoTemplate

/// Inputs the fuzzer (Tools/fuzz/run.sh template) found; each must fail cleanly, not trap.
@Suite struct FuzzRegressionTests {
    @Test func timesOfEveryYearGoParsesAreTimes() throws {
        // Years 0000-9999 are Go times even where nanoseconds since 1970 overflow (UnixNano wraps as Go's).
        #expect(try Template(name: "t", text: "{{.}}").render(try TemplateValue(json: #"{"$time":"0175-11-27T10:00:00.5Z"}"#))
                == "0175-11-27 10:00:00.5 +0000 UTC")
        #expect(try Template(name: "t", text: "{{.Unix}}").render(try TemplateValue(json: #"{"$time":"9999-12-31T23:59:59Z"}"#))
                == "253402300799")
        #expect(throws: TemplateDataError.self) { try TemplateValue(json: #"{"$time":"2026-02-29T00:00:00Z"}"#) }
        #expect(throws: TemplateDataError.self) { try TemplateValue(json: #"{"$time":"2026-01-01T24:00:00Z"}"#) }
    }

    @Test func timeArithmeticAtTheEdgesDoesNotTrap() throws {
        let t = try Template(name: "t", text: "{{(.Add -9223372036854775808).Add -9223372036854775808}} {{.Sub (.Add 9223372036854775807)}} {{(.Round 9223372036854775807).Year}}")
        _ = try t.render(.time(.zero))
        _ = try t.render(.time(GoTime(unixSeconds: 253_402_300_799, nanosecond: 999_999_999)))
    }

    @Test func callWithoutArguments() throws {
        let t = try Template(name: "t", text: "{{call}}")
        #expect(throws: TemplateExecutionError(description: "template: t:1:2: executing \"t\" at <call>: wrong number of args for call: want at least 1 got 0")) {
            try t.render(.null)
        }
        #expect(throws: TemplateExecutionError(description: "template: t:1:2: executing \"t\" at <call .>: error calling call: non-function of type int64")) {
            try Template(name: "t", text: "{{call .}}").render(.int64(1))
        }
    }

    @Test func absurdWidthSwallowsTheFormatAsGoDoes() throws {
        let t = try Template(name: "t", text: #"{{printf "%v %111111111111111111111111111d x" 1 2}}"#)
        #expect(try t.render(.null) == "1 %!(NOVERB)%!(EXTRA int=2)")
    }

    @Test func endlessTemplateRecursionStopsWithAnError() throws {
        let t = try Template(name: "t", text: #"{{define "a"}}x{{template "a" .}}{{end}}{{template "a" .}}"#)
        #expect(throws: TemplateExecutionError.self) { try t.render(.null) }
        do { _ = try t.render(.null) } catch { #expect(error.description.hasSuffix("exceeded maximum template depth (100)")) }
    }

    @Test func hexPrecisionCutsInsideACharacter() throws {
        let t = try Template(name: "t", text: #"{{printf "%.2x|%.1x|%x" "é!" "é" "é"}}"#)
        #expect(try t.render(.null) == "c3a9|c3|c3a9")
    }
}
