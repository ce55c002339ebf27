/// A parsed Go `text/template` — or `html/template` — with Go 1.19's syntax, output and errors.
///
/// ```swift
/// let t = try Template(name: "message", text: "{{ .ID }} is {{ .Level }}")
/// let out = try t.render(.map(["ID": .string("cpu:nil"), "Level": .string("CRITICAL")]))
/// ```
public struct Template: Sendable {
    /// The template's name (used in error messages).
    public let name: String
    /// The source text.
    public let text: String
    /// The trees executed: as parsed, or escaped by html/template's rules for the entry `name`.
    let trees: [String: Tree]
    /// The trees as parsed (html/template escapes them anew for another entry point).
    private let parsed: [String: Tree]
    let functions: [String: TemplateFunction]
    /// What a missing map key gives.
    public var missingKey: MissingKeyOption
    /// Whether this behaves as html/template (Kapacitor's details template) rather than text/template.
    public let htmlEscaping: Bool

    /// Parses `text`.
    /// - Parameters:
    ///   - functions: extra functions (Kapacitor's `json`, `jsonCompact`, …) callable by name.
    ///   - options: Go's `Option` strings: `missingkey=default|invalid|zero|error`.
    ///   - htmlEscaping: behave as Go's html/template, as Kapacitor's details template does: every
    ///     action escaped for the HTML, attribute, URL, JS or CSS context it appears in. Go checks
    ///     the contexts when the template first executes; here they are checked now, and a template
    ///     whose context Go would refuse (an action in a JS template literal, branches ending in
    ///     different contexts, text ending inside a tag…) throws Go's html/template error.
    /// - Throws: ``TemplateParseError`` with Go's message.
    public init(name: String, text: String, leftDelim: String = "", rightDelim: String = "",
                functions: [String: TemplateFunction] = [:], options: [String] = [], htmlEscaping: Bool = false) throws(TemplateParseError) {
        self.name = name
        self.htmlEscaping = htmlEscaping
        self.text = text
        var missing = MissingKeyOption.invalid
        for option in options {
            switch option {
            case "missingkey=default", "missingkey=invalid": missing = .invalid
            case "missingkey=zero": missing = .zero
            case "missingkey=error": missing = .error
            default: throw TemplateParseError(description: "unrecognized option: \(option)")
            }
        }
        self.missingKey = missing
        let parsed = try Parser.parse(name: name, text: text, leftDelim: leftDelim, rightDelim: rightDelim,
                                      functions: BuiltinNames.all.union(functions.keys))
        self.parsed = parsed
        self.functions = htmlEscaping ? functions.merging(HTMLEscaping.functions) { $1 } : functions
        self.trees = try Self.prepare(parsed, entry: name, text: text, html: htmlEscaping, functions: self.functions)
    }

    /// The trees to execute from `entry`: escaped when `html`.
    private static func prepare(_ parsed: [String: Tree], entry: String, text: String, html: Bool,
                                functions: [String: TemplateFunction]) throws(TemplateParseError) -> [String: Tree] {
        html ? try HTMLEscaper.escape(parsed, entry: entry, text: text, parseName: entry) : parsed
    }

    /// The names of the templates this text defines (itself included).
    public var definedTemplates: [String] { parsed.keys.sorted() }

    /// Executes template `name` (default: this one) against `data`, appending to `output` — what was
    /// written before an error stays there, as with Go's writer. With html/template another entry
    /// point is escaped for itself first, as Go's `ExecuteTemplate` does.
    public func execute(_ data: TemplateValue, name: String? = nil, into output: inout String) throws(TemplateExecutionError) {
        let entry = name ?? self.name
        var trees = self.trees
        if htmlEscaping && entry != self.name && parsed[entry] != nil {
            do {
                trees = try Self.prepare(parsed, entry: entry, text: text, html: true, functions: functions)
            } catch {
                throw TemplateExecutionError(description: error.description)
            }
        }
        var executor = Executor(trees: trees, text: text, functions: functions, missingKey: missingKey, name: entry)
        executor.parseName = self.name
        swap(&executor.output, &output)  // write straight into the caller's string
        defer { swap(&executor.output, &output) }
        try executor.execute(entry, data: data)
    }

    /// Executes against `data` and returns the output.
    public func render(_ data: TemplateValue, name: String? = nil) throws(TemplateExecutionError) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 64)
        try execute(data, name: name, into: &out)
        return out
    }
}
