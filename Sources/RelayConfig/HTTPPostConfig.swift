#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GoTemplate
import TOML

/// A `[[httppost]]` endpoint, as Kapacitor's `httppost.Config`: a name `post` handlers refer to
/// (`.post().endpoint('name')`, `endpoint:`), the URL, headers and basic auth every request
/// carries, and an alert template that replaces the alert JSON as the body.
///
/// ```toml
/// [[httppost]]
///   endpoint = "alerts"
///   url = "https://alerts.example.com/hook"
///   headers = { X-Team = "infra" }
///   basic-auth = { username = "relay", password = "secret" }
///   alert-template = "{{ .Message }}"
/// ```
public struct HTTPPostConfig: Sendable, Equatable {
    /// `endpoint`: the name handlers use (required, unique).
    public var endpoint = ""
    /// `url`: where requests go (required; `http(s)://host[:port]/path`, or a template over the
    /// alert data such as `https://hooks.example.com/{{ .ID }}`).
    public var url = ""
    /// `headers`, sorted by name.
    public var headers: [HTTPHeaderOption] = []
    /// `basic-auth.username` / `basic-auth.password` (both or neither, as Kapacitor validates).
    public var basicAuthUsername = ""
    public var basicAuthPassword = ""
    /// The body template: `alert-template`, or the contents of `alert-template-file` (read at
    /// load); empty for the alert JSON.
    public var alertTemplate = ""
    /// `alert-template-file` as written (empty when the template is inline or absent).
    public var alertTemplateFile = ""

    public init() {}

    static let keys = ["endpoint", "url", "headers", "basic-auth", "alert-template", "alert-template-file", "row-template", "row-template-file"]

    /// Every `[[httppost]]` section of `root`, with the problems found (file and line each).
    /// Also the warnings (options Kapacitor has that alert handlers do not use).
    static func decode(_ value: TOMLValue?, file: String, locator: TOMLLocator) -> ([HTTPPostConfig], [ConfigProblem], warnings: [ConfigProblem]) {
        guard let value else { return ([], [], []) }
        var problems: [ConfigProblem] = []
        var warnings: [ConfigProblem] = []
        guard let array = value.array else {
            return ([], [ConfigProblem(file: file, line: locator.line(table: "httppost"),
                                       message: "httppost must be written as [[httppost]] sections (an array of tables), not [httppost]")], [])
        }
        var out: [HTTPPostConfig] = []
        for (i, element) in array.enumerated() {
            guard let t = element.table else {
                problems.append(ConfigProblem(file: file, line: locator.line(table: "", key: "httppost"), message: "httppost must be written as [[httppost]] sections"))
                continue
            }
            var c = HTTPPostConfig()
            let name = t["endpoint"]?.string ?? ""
            func problem(_ key: String?, _ message: String) {
                let place = locator.position(table: "httppost", index: i, key: key)
                problems.append(ConfigProblem(file: file, line: place?.line, column: place?.column,
                                              message: "[[httppost]] #\(i + 1) (endpoint \"\(name)\"): \(key.map { "\($0): " } ?? "")\(message)"))
            }
            for key in t.keys.sorted() where !keys.contains(key) { problem(key, "unknown option (known: \(keys.joined(separator: ", ")))") }
            func string(_ key: String) -> String {
                guard let v = t[key] else { return "" }
                guard let s = v.string else { problem(key, "expected a string"); return "" }
                return s
            }
            c.endpoint = string("endpoint")
            c.url = string("url")
            if c.endpoint.isEmpty { problem(nil, "endpoint is required (the name post handlers use)") }
            if c.url.isEmpty {
                problem(nil, "url is required")
            } else if c.url.firstRange(of: "{{") != nil {
                // A URL template over the alert data, as Kapacitor's: its syntax is checked here
                // (with Kapacitor's `json` function known); each rendered URL is checked per alert.
                do throws(TemplateParseError) {
                    _ = try Template(name: "body", text: c.url, functions: ["json": Self.parseOnlyJSON])
                } catch {
                    problem("url", "invalid URL template syntax \"\(c.url)\": \(error)")
                }
            } else if !Self.isHTTPURL(c.url) {
                problem("url", "\"\(c.url)\" is not an http:// or https:// URL with a host (example: https://alerts.example.com/hook)")
            }
            if let h = t["headers"] {
                if let ht = h.table {
                    for k in ht.keys.sorted() {
                        guard let v = ht[k]?.string, !v.utf8.contains(13), !v.utf8.contains(10) else {
                            problem("headers", "header \"\(k)\" must be a string on one line")
                            continue
                        }
                        c.headers.append(HTTPHeaderOption(name: k, value: v))
                    }
                } else {
                    problem("headers", "expected a table of header names to values")
                }
            }
            if let a = t["basic-auth"] {
                if let at = a.table {
                    for k in at.keys where k != "username" && k != "password" { problem("basic-auth", "unknown option \(k) (known: username, password)") }
                    c.basicAuthUsername = at["username"]?.string ?? ""
                    c.basicAuthPassword = at["password"]?.string ?? ""
                    if c.basicAuthUsername.isEmpty || c.basicAuthPassword.isEmpty {
                        problem("basic-auth", "basic-auth must set both \"username\" and \"password\" parameters")
                    }
                } else {
                    problem("basic-auth", "expected a table with username and password")
                }
            }
            for k in ["row-template", "row-template-file"] where t[k] != nil {
                // Kapacitor's alert handlers do not use it either: the endpoint works for them.
                let place = locator.position(table: "httppost", index: i, key: k)
                warnings.append(ConfigProblem(file: file, line: place?.line, column: place?.column,
                                              message: "[[httppost]] #\(i + 1) (endpoint \"\(name)\"): \(k): not used — row templates are for TICKscript httpPost() nodes, which alertrelay does not run (a task with one is refused at load); alert post handlers through this endpoint post the alert body as in Kapacitor"))
            }
            let inline = string("alert-template")
            c.alertTemplateFile = string("alert-template-file")
            if !inline.isEmpty && !c.alertTemplateFile.isEmpty {
                problem("alert-template-file", "must specify only one of alert-template and alert-template-file")
            } else if !c.alertTemplateFile.isEmpty {
                if !c.alertTemplateFile.hasPrefix("/") {
                    problem("alert-template-file", "must use an absolute path for alert-template-file")
                } else if let data = FileManager.default.contents(atPath: c.alertTemplateFile) {
                    c.alertTemplate = String(decoding: data, as: UTF8.self)
                } else {
                    problem("alert-template-file", "cannot read \"\(c.alertTemplateFile)\"")
                }
            } else {
                c.alertTemplate = inline
            }
            if !c.alertTemplate.isEmpty {
                do throws(TemplateParseError) {
                    _ = try Template(name: "body", text: c.alertTemplate)
                } catch {
                    problem(c.alertTemplateFile.isEmpty ? "alert-template" : "alert-template-file", "failed to parse template: \(error)")
                }
            }
            if out.contains(where: { $0.endpoint == c.endpoint && !c.endpoint.isEmpty }) {
                problem("endpoint", "endpoint \"\(c.endpoint)\" is defined twice")
            }
            out.append(c)
        }
        return (out, problems, warnings)
    }

    /// `http(s)://host…` with no space: what the post output can send to.
    static func isHTTPURL(_ url: String) -> Bool {
        let rest = url.hasPrefix("https://") ? url.dropFirst(8) : url.hasPrefix("http://") ? url.dropFirst(7) : nil
        guard let rest, !url.contains(" " as Character), let first = rest.first else { return false }
        return first != "/" && first != "?" && first != ":"
    }

    /// Stands for Kapacitor's `json` while a URL template's syntax is checked (never executed
    /// here: the rules compile the URL with the real function).
    static let parseOnlyJSON = TemplateFunction(arity: 1) { _ in .string("") }
}

/// One configured HTTP header.
public struct HTTPHeaderOption: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
