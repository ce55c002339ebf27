import GoTemplate
extension KapacitorContext {
    /// Kapacitor's `json` for details templates: `json.NewEncoder(w).Encode(v)` (HTML-safe escapes and
    /// a trailing newline) returned as `template.JS`, so html/template writes it as is in a script
    /// and escapes it as HTML anywhere else.
    public static let jsonFunction = TemplateFunction(arity: 1) { args in
        .namedString(typeName: "template.JS", text: GoJSON.encode(args[0]) + "\n")
    }

    /// `jsonCompact`: `json.Marshal(v)` — the same bytes without the trailing newline, also
    /// `template.JS`. (Kapacitor 1.5's source registers only `json`; this is the compact form the
    /// issue names.)
    public static let jsonCompactFunction = TemplateFunction(arity: 1) { args in
        .namedString(typeName: "template.JS", text: GoJSON.encode(args[0]))
    }

    /// The functions Kapacitor's details template can call.
    public static let detailsFunctions: [String: TemplateFunction] = ["json": jsonFunction, "jsonCompact": jsonCompactFunction]

    /// html/template's escaping of text in an HTML text context (what the details template's
    /// output goes through).
    public static func htmlEscapedText(_ s: String) -> String { HTMLEscaping.text(s) }
}
