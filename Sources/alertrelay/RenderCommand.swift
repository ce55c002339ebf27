import ArgumentParser
import RelayConfig
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
import AlertRules

/// `alertrelay render`: run a Go text/template the way Kapacitor would, to test it before deploying.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a Go text/template against JSON data, exactly as Go's text/template would.",
        discussion: """
            Data rule: a JSON number without '.', 'e' or 'E' that fits int64 is an int64, other numbers \
            float64 (3.0 is a float64); objects are map[string]interface{}, arrays []interface{}; \
            {"$int":..} and {"$uint":..} (a number or a decimal string, "18446744073709551615"), \
            {"$float":..}, {"$time":"RFC3339Nano" or ns}, {"$duration":"1m30s" or ns} and {"$strmap":{..}} \
            give those Go types. --cases FILE reads JSON lines {"id":..,"template":"..","data":..,"options":[..]} \
            and prints {"id":..,"out":"..","err":".."} per line. Kinds: generic, alert (Kapacitor's message \
            context: Name, TaskName, Group, Tags, ServerInfo, ID, Fields, Level, Time, Duration), alert_id and \
            alert_details (+ Message; rendered as html/template with Kapacitor's json function).
            """)

    @Option(help: ArgumentHelp("The template text, or @FILE.", valueName: "TEXT|@FILE"))
    var template: String?

    @Option(help: ArgumentHelp("The data as JSON, or @FILE.", valueName: "JSON|@FILE"))
    var data: String = "null"

    @Option(name: .customLong("option"), help: "A template option such as missingkey=error (repeatable).")
    var options: [String] = []

    @Option(help: "Render every case of a JSON-lines file instead.")
    var cases: String?

    @Option(help: "generic (the data as is), alert (Kapacitor's message context), alert_id (its ID context) or alert_details (details context, html/template, json).")
    var kind: String = "generic"

    /// The template for `kind`: Kapacitor renders details through html/template with its `json`.
    static func template(_ text: String, name: String, kind: String, options: [String]) throws(TemplateParseError) -> GoTemplate.Template {
        let details = kind == "alert_details"
        return try GoTemplate.Template(name: name, text: text, functions: details ? KapacitorContext.detailsFunctions : [:],
                                       options: options, htmlEscaping: details)
    }

    /// The data for `kind`: as is, or built into Kapacitor's alert template context.
    static func data(_ value: TemplateValue, kind: String) throws -> TemplateValue {
        switch kind {
        case "generic": return value
        case "alert", "alert_id", "alert_details":
            return try KapacitorContext.build(KapacitorContext.Kind(rawValue: kind)!, from: value)
        default:
            throw TemplateDataError(description: "unknown kind \"\(kind)\" (generic, alert, alert_id, alert_details)")
        }
    }

    static func read(_ textOrFile: String) throws -> String {
        guard textOrFile.hasPrefix("@") else { return textOrFile }
        let path = String(textOrFile.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("\(path): cannot read the file")
            throw ExitCode(2)
        }
        return String(decoding: data, as: UTF8.self)
    }

    func run() throws {
        if let cases {
            try runCases(try Self.read("@" + cases))
            return
        }
        guard let template else { throw ValidationError("give --template TEXT|@FILE, or --cases FILE") }
        let text = try Self.read(template)
        let value: TemplateValue
        do {
            value = try Self.data(try TemplateValue(json: try Self.read(data)), kind: kind)
        } catch let e as TemplateDataError {
            printError("--data: \(e)")
            throw ExitCode(2)
        }
        var out = ""
        do {
            let t = try Self.template(text, name: "render", kind: kind, options: options)
            try t.execute(value, into: &out)
            FileDescriptorReading.writeAll(out, to: 1)
        } catch let e as TemplateParseError {
            printError(e.description)
            throw ExitCode(1)
        } catch let e as TemplateExecutionError {
            FileDescriptorReading.writeAll(out, to: 1)
            printError(e.description)
            throw ExitCode(1)
        }
    }

    private func runCases(_ text: String) throws {
        var output = ""
        for (n, line) in text.split(separator: "\n").enumerated() where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
            guard let meta = try? JSONDecoder().decode(CaseLine.self, from: Data(line.utf8)) else {
                printError("\(cases ?? ""):\(n + 1): not a JSON object")
                throw ExitCode(2)
            }
            let kind = meta.kind ?? "generic"
            let name = meta.name ?? "render"
            let templateText = meta.template ?? ""
            let caseOptions = meta.options ?? []
            var out = ""
            var err: String?
            do {
                let t = try Self.template(templateText, name: name, kind: kind, options: caseOptions)
                // The data is read from the line's own text with the data rule (as --data is), not
                // from JSONDecoder's numbers, which lose 3.0's point and 64-bit integers.
                guard case .map(let members) = try TemplateValue(json: String(line)) else { throw TemplateDataError(description: "not a JSON object") }
                try t.execute(try Self.data(members["data"] ?? .null, kind: kind), into: &out)
            } catch let e as TemplateParseError {
                err = e.description
            } catch let e as TemplateExecutionError {
                err = e.description
            } catch {
                err = "data: \(error)"
            }
            var result: [String: TemplateValue] = ["out": .string(out)]
            if let id = meta.id { result["id"] = id }
            if let err { result["err"] = .string(err) }
            // Keys sorted, as Go encodes a map; `<`, `>` and `&` as they are.
            output += GoJSON.encode(.map(result), escapeHTML: false) + "\n"
        }
        FileDescriptorReading.writeAll(output, to: 1)
    }
}

/// The members of a `render --cases` line that say what to run (the data is read apart, with the
/// data rule); a member of another type than expected counts as absent.
private struct CaseLine: Decodable {
    var kind: String?
    var name: String?
    var template: String?
    var options: [String]?
    /// Echoed back in the result: a string, a number or a boolean (other ids are left out).
    var id: TemplateValue?

    enum CodingKeys: String, CodingKey { case kind, name, template, options, id }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try? c.decode(String.self, forKey: .kind)
        name = try? c.decode(String.self, forKey: .name)
        template = try? c.decode(String.self, forKey: .template)
        options = try? c.decode([String].self, forKey: .options)
        if let s = try? c.decode(String.self, forKey: .id) {
            id = .string(s)
        } else if let i = try? c.decode(Int64.self, forKey: .id) {
            id = .int64(i)
        } else if let d = try? c.decode(Double.self, forKey: .id) {
            id = .float64(d)
        } else if let b = try? c.decode(Bool.self, forKey: .id) {
            id = .bool(b)
        }
    }
}
