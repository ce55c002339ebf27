/// html/template's escaping for HTML text, and the check that a template stays in that context.
enum HTMLEscaping {
    /// html/template's `htmlEscaper` table: `"` `'` `&` `+` `<` `>` and NUL (text/template's
    /// `html` builtin uses the same table without `+`).
    static func text(_ s: String, escapePlus: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        let u = s.utf8
        var run = u.startIndex
        var i = u.startIndex
        while i != u.endIndex {
            let escape: String?
            switch u[i] {
            case 0x00: escape = "\u{FFFD}"
            case 0x22: escape = "&#34;"
            case 0x27: escape = "&#39;"
            case 0x26: escape = "&amp;"
            case 0x2B where escapePlus: escape = "&#43;"
            case 0x3C: escape = "&lt;"
            case 0x3E: escape = "&gt;"
            default: escape = nil
            }
            if let escape {
                out += Substring(u[run..<i])
                out += escape
                i = u.index(after: i)
                run = i
            } else {
                i = u.index(after: i)
            }
        }
        out += Substring(u[run..<u.endIndex])
        return out
    }

    /// Whether any text of `list` could open an HTML tag (then html/template would switch context).
    static func hasMarkup(_ list: ListNode) -> Bool {
        var found = false
        list.forEachNode { node in
            if case .text(_, let t) = node, t.contains("<") { found = true }
        }
        return found
    }
}

extension KapacitorContext {
    /// Kapacitor's `json` for details templates: `json.NewEncoder(w).Encode(v)` (HTML-safe escapes and
    /// a trailing newline), handed to html/template as JS content, which escapes it as HTML text.
    public static let jsonFunction = TemplateFunction(arity: 1) { args in
        .string(GoJSON.encode(args[0]) + "\n")
    }

    /// `jsonCompact`: `json.Marshal(v)` — the same bytes without the trailing newline. (Kapacitor
    /// 1.5's source registers only `json`; this is the compact form the issue names.)
    public static let jsonCompactFunction = TemplateFunction(arity: 1) { args in
        .string(GoJSON.encode(args[0]))
    }

    /// The functions Kapacitor's details template can call.
    public static let detailsFunctions: [String: TemplateFunction] = ["json": jsonFunction, "jsonCompact": jsonCompactFunction]
}

extension KapacitorContext {
    /// html/template's escaping of text in an HTML text context (what the details template's
    /// output goes through).
    public static func htmlEscapedText(_ s: String) -> String { HTMLEscaping.text(s) }
}
