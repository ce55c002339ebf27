import Testing
@testable import GoTemplate

/// Inputs the fuzzer (Tools/fuzz/run.sh template) found; each must fail cleanly, not trap.
@Suite struct FuzzRegressionTests {
    @Test func timeOutsideTheNanosecondRangeIsADataError() {
        #expect(throws: TemplateDataError.self) { try TemplateValue(json: #"{"$time":"0175-11-27T10:00:00.5Z"}"#) }
        #expect(throws: TemplateDataError.self) { try TemplateValue(json: #"{"$time":"2263-01-01T00:00:00Z"}"#) }
        #expect((try? TemplateValue(json: #"{"$time":"2262-01-01T00:00:00Z"}"#)) != nil)
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
