import AlertRules
import AlertRelayTestSupport
import Foundation
import Testing
@testable import GoTemplate

/// One execution case recorded by Tools/template-oracle: a template, its JSON data (the data rule
/// of `alertrelay render`), a kind, and what Go wrote and said.
///
/// Kinds: none (text/template over the data), `alert`, `alert_id`, `alert_details` (Kapacitor's
/// contexts; details through html/template with Kapacitor's `json`) and `html` (html/template over
/// the data, with `json`).
struct OracleCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var template: String
    var data: String
    var options: [String]?
    var kind: String?
    var out: String
    var err: String?

    var testDescription: String { "\(name) \(String(reflecting: template))" }

    /// The cases of `Fixtures/NAME`; none when the file cannot be read (a test counting them fails).
    static func load(_ file: String) -> [OracleCase] { (try? oracleFixture(file)) ?? [] }

    /// Go's error, with the oracle's package name for Kapacitor's context types (`main.`) replaced by
    /// Kapacitor's (`alert.`), which ours use.
    var expectedErr: String? {
        kind == nil || kind == "html" ? err : err?.replacingOccurrences(of: "type main.", with: "type alert.")
    }

    /// The oracle's constructors of html/template's safe content types, for kind `html`.
    static let safeContent: [String: TemplateFunction] = Dictionary(uniqueKeysWithValues: [
        ("safeHTML", "template.HTML"), ("safeHTMLAttr", "template.HTMLAttr"), ("safeJS", "template.JS"), ("safeJSStr", "template.JSStr"),
        ("safeCSS", "template.CSS"), ("safeURL", "template.URL"), ("safeSrcset", "template.Srcset"),
    ].map { name, type in
        (name, TemplateFunction(arity: 1) { (args) throws(TemplateFunctionError) -> TemplateValue in
            guard case .string(let s) = args[0] else { throw TemplateFunctionError("wrong type") }
            return .namedString(typeName: type, text: s)
        })
    })

    /// Renders the case with GoTemplate: the output (what was written before an error too) and the error.
    func run() -> (out: String, err: String?) {
        var out = ""
        do {
            let html = kind == "alert_details" || kind == "html"
            let functions = kind == "html" ? KapacitorContext.detailsFunctions.merging(Self.safeContent) { $1 }
                : html ? KapacitorContext.detailsFunctions : [:]
            let t = try Template(name: name, text: template, functions: functions, options: options ?? [], htmlEscaping: html)
            var value = try TemplateValue(json: data)
            if let k = kind.flatMap(KapacitorContext.Kind.init(rawValue:)) { value = try KapacitorContext.build(k, from: value) }
            try t.execute(value, into: &out)
            return (out, nil)
        } catch let e as TemplateParseError {
            return (out, e.description)
        } catch let e as TemplateExecutionError {
            return (out, e.description)
        } catch {
            return (out, "data: \(error)")
        }
    }

    /// Expects GoTemplate's output and error to be Go's.
    func expectMatchesGo(sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let (got, gotErr) = run()
        #expect(got == out, "output", sourceLocation: sourceLocation)
        #expect(gotErr == expectedErr, "error", sourceLocation: sourceLocation)
    }
}
