import Foundation
import Testing
@testable import RelayConfig

/// `[[httppost]]` sections as Kapacitor's `httppost.Config`, with Kapacitor's validation messages
/// and our file:line.
@Suite struct HTTPPostConfigTests {
    @Test func anEndpointLoadsWithHeadersAuthAndTemplate() throws {
        let c = try RelayConfiguration.parse("""
            [[httppost]]
              endpoint = "alerts"
              url = "http://127.0.0.1:8080/a"
              headers = { X-Team = "infra", A = "1" }
              basic-auth = { username = "u", password = "p" }
              alert-template = "{{ .Message }}"
            """, file: "p.conf")
        let e = try #require(c.httppost.first)
        #expect(e.endpoint == "alerts" && e.url == "http://127.0.0.1:8080/a")
        #expect(e.headers == [HTTPHeaderOption(name: "A", value: "1"), HTTPHeaderOption(name: "X-Team", value: "infra")])
        #expect(e.basicAuthUsername == "u" && e.basicAuthPassword == "p" && e.alertTemplate == "{{ .Message }}")
    }

    @Test(arguments: [
        ("[[httppost]]\nurl = \"http://h/\"\n", "p.conf:1:1: [[httppost]] #1 (endpoint \"\"): endpoint is required (the name post handlers use)"),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"ftp://h/\"\n",
         "p.conf:3:1: [[httppost]] #1 (endpoint \"e\"): url: \"ftp://h/\" is not an http:// or https:// URL with a host"),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"https:///x\"\n",
         "p.conf:3:1: [[httppost]] #1 (endpoint \"e\"): url: \"https:///x\" is not an http:// or https:// URL with a host"),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"https://h/{{ .ID \"\n",
         "p.conf:3:1: [[httppost]] #1 (endpoint \"e\"): url: invalid URL template syntax \"https://h/{{ .ID \": "),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"http://h/\"\nbasic-auth = { username = \"u\" }\n",
         "p.conf:4:1: [[httppost]] #1 (endpoint \"e\"): basic-auth: basic-auth must set both \"username\" and \"password\" parameters"),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"http://h/\"\nalert-template = \"x\"\nalert-template-file = \"/t\"\n",
         "p.conf:5:1: [[httppost]] #1 (endpoint \"e\"): alert-template-file: must specify only one of alert-template and alert-template-file"),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"http://h/\"\nalert-template = \"{{ .Nope\"\n",
         "p.conf:4:1: [[httppost]] #1 (endpoint \"e\"): alert-template: failed to parse template: "),
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"http://h/\"\nurll = \"x\"\n",
         "p.conf:4:1: [[httppost]] #1 (endpoint \"e\"): urll: unknown option"),
    ])
    func brokenEndpoints(text: String, message: String) {
        do {
            _ = try RelayConfiguration.parse(text, file: "p.conf")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    /// `https://` and URL templates (with Kapacitor's `json`) load; a row template is a warning,
    /// not an error: alert handlers do not use it, in Kapacitor either.
    @Test func httpsURLTemplatesAndRowTemplatesLoad() throws {
        let c = try RelayConfiguration.parse("""
            [[httppost]]
              endpoint = "tls"
              url = "https://alerts.example.com/hook"
            [[httppost]]
              endpoint = "templated"
              url = "https://alerts.example.com/{{ .ID }}?j={{ json .Level }}"
              row-template = "{{ .Name }}"
            """, file: "p.conf")
        #expect(c.httppost.map(\.url) == ["https://alerts.example.com/hook", "https://alerts.example.com/{{ .ID }}?j={{ json .Level }}"])
        #expect(c.warnings.map(\.description) == [
            "p.conf:7:3: [[httppost]] #2 (endpoint \"templated\"): row-template: not used — row templates are for TICKscript httpPost() nodes, which alertrelay does not run (a task with one is refused at load); alert post handlers through this endpoint post the alert body as in Kapacitor"])
    }
}
