/// html/template's escaping for HTML text, and the check that a template stays in that context.
enum HTMLEscaping {
    /// html/template's `htmlEscaper` table: `"` `'` `&` `+` `<` `>` and NUL (text/template's
    /// `html` builtin uses the same table without `+`).
    static func text(_ s: String, escapePlus: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "\0": out += "\u{FFFD}"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "+" where escapePlus: out += "&#43;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
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
