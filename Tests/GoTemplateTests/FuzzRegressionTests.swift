import Testing
@testable import GoTemplate

/// Inputs the fuzzer (Tools/fuzz/run.sh template) found; each must fail cleanly, not trap.
@Suite struct FuzzRegressionTests {
    @Test func timeOutsideTheNanosecondRangeIsADataError() {
        #expect(throws: TemplateDataError.self) { try TemplateValue(json: #"{"$time":"0175-11-27T10:00:00.5Z"}"#) }
        #expect(throws: TemplateDataError.self) { try TemplateValue(json: #"{"$time":"2263-01-01T00:00:00Z"}"#) }
        #expect((try? TemplateValue(json: #"{"$time":"2262-01-01T00:00:00Z"}"#)) != nil)
    }
}
