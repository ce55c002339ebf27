import AlertRules
import Testing
@testable import GoTemplate

/// html/template behaviour around the escaper (its output is checked against Go by HTMLOracleTests).
@Suite struct HTMLTemplateTests {
    @Test func contextsGoRefusesFailAtParse() {
        // Go reports these when the template first executes; here the template never gets built.
        #expect(throws: TemplateParseError(description: "html/template:t: ends in a non-text context: {stateURL delimDoubleQuote urlPartNone jsCtxRegexp attrURL elementNone <nil>}")) {
            try Template(name: "t", text: #"<a href="{{.}}"#, htmlEscaping: true)
        }
        #expect(throws: TemplateParseError(description: "html/template:t:1:19: {{.}} appears in a JS template literal")) {
            try Template(name: "t", text: "<script>var s = `{{.}}`</script>", htmlEscaping: true)
        }
        #expect((try? Template(name: "t", text: #"<a href="{{.}}"#)) != nil, "text/template has no contexts")
    }

    @Test func anotherEntryPointIsEscapedForItself() throws {
        let t = try Template(name: "t", text: #"{{define "x"}}<a href="{{.}}">x</a>{{end}}main {{.}}"#, htmlEscaping: true)
        #expect(try t.render(.string("javascript:1")) == "main javascript:1")
        #expect(try t.render(.string("javascript:1"), name: "x") == ##"<a href="#ZgotmplZ">x</a>"##)
    }

    @Test func detailsJSONIsJavaScriptContent() throws {
        let t = try Template(name: "d", text: "<p>{{json .}}</p><script>var d = {{json .}};</script>",
                             functions: KapacitorContext.detailsFunctions, htmlEscaping: true)
        #expect(try t.render(.map(["a": .string("<x>")])) == "<p>{&#34;a&#34;:&#34;\\u003cx\\u003e&#34;}\n</p><script>var d = {\"a\":\"\\u003cx\\u003e\"}\n;</script>")
    }
}
