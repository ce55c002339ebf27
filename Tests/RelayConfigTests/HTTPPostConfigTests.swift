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
        ("[[httppost]]\nendpoint = \"e\"\nurl = \"https://h/\"\n",
         "p.conf:3:1: [[httppost]] #1 (endpoint \"e\"): url: https is not supported by alertrelay's post handler (use http, or a TLS-terminating proxy)"),
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
}
