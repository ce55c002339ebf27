/// A parsed Go `text/template`: same syntax, same output, same errors as Go 1.19.
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
    let trees: [String: Tree]
    let functions: [String: TemplateFunction]
    /// What a missing map key gives.
    public var missingKey: MissingKeyOption
    /// Whether this behaves as html/template (Kapacitor's details template) rather than text/template.
    public let htmlEscaping: Bool

    /// Parses `text`.
    /// - Parameters:
    ///   - functions: extra functions (Kapacitor's `json`, `jsonCompact`, …) callable by name.
    ///   - options: Go's `Option` strings: `missingkey=default|invalid|zero|error`.
    /// - Throws: ``TemplateParseError`` with Go's message.
    ///   - htmlEscaping: behave as Go's html/template for templates whose text holds no HTML markup
    ///     (every printed value HTML-escaped; nil prints nothing), as Kapacitor's details template
    ///     does. A template with markup (`<` in its text) is refused: other HTML contexts are not
    ///     implemented.
    public init(name: String, text: String, leftDelim: String = "", rightDelim: String = "",
                functions: [String: TemplateFunction] = [:], options: [String] = [], htmlEscaping: Bool = false) throws(TemplateParseError) {
        self.name = name
        self.htmlEscaping = htmlEscaping
        self.text = text
        self.functions = functions
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
        self.trees = try Parser.parse(name: name, text: text, leftDelim: leftDelim, rightDelim: rightDelim,
                                      functions: BuiltinNames.all.union(functions.keys))
        for tree in trees.values { FastAction.compileAll(tree.root, functions: Set(functions.keys)) }
        if htmlEscaping, trees.values.contains(where: { HTMLEscaping.hasMarkup($0.root) }) {
            throw TemplateParseError(description: "html/template:\(name): templates with HTML markup are not supported; the details template may only hold text and actions")
        }
    }

    /// The names of the templates this text defines (itself included).
    public var definedTemplates: [String] { trees.keys.sorted() }

    /// Executes template `name` (default: this one) against `data`, appending to `output` — what was
    /// written before an error stays there, as with Go's writer.
    public func execute(_ data: TemplateValue, name: String? = nil, into output: inout String) throws(TemplateExecutionError) {
        var executor = Executor(trees: trees, text: text, functions: functions, missingKey: missingKey, name: name ?? self.name)
        executor.parseName = self.name
        executor.htmlEscaping = htmlEscaping
        swap(&executor.output, &output)  // write straight into the caller's string
        defer { swap(&executor.output, &output) }
        try executor.execute(name ?? self.name, data: data)
    }

    /// Executes against `data` and returns the output.
    public func render(_ data: TemplateValue, name: String? = nil) throws(TemplateExecutionError) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 64)
        try execute(data, name: name, into: &out)
        return out
    }
}
