/// html/template's escaping functions (html.go, js.go, css.go, url.go, content.go) under the
/// names Go gives them: the escaper appends them to each action's pipeline by the context it is
/// in, and they turn the action's value into text safe there.
public enum HTMLEscaping {
    /// What a value is known to be safe as (Go's `contentType`): html/template's named string
    /// types (`template.HTML`…) say so; anything else is plain text.
    enum ContentType { case plain, css, html, htmlAttr, js, jsStr, url, srcset }

    static let filterFailsafe = "ZgotmplZ"

    /// The functions the escaper calls, by name.
    static let functions: [String: TemplateFunction] = {
        func f(_ body: @escaping @Sendable ([TemplateValue]) -> String) -> TemplateFunction {
            TemplateFunction(arity: 1, variadic: true) { .string(body($0)) }
        }
        return [
            "_html_template_attrescaper": f(attrEscaper),
            "_html_template_commentescaper": f { _ in "" },
            "_html_template_cssescaper": f(cssEscaper),
            "_html_template_cssvaluefilter": f(cssValueFilter),
            "_html_template_htmlnamefilter": f(htmlNameFilter),
            "_html_template_htmlescaper": f(htmlEscaper),
            "_html_template_jsregexpescaper": f(jsRegexpEscaper),
            "_html_template_jsstrescaper": f(jsStrEscaper),
            "_html_template_jsvalescaper": f(jsValEscaper),
            "_html_template_nospaceescaper": f(htmlNospaceEscaper),
            "_html_template_rcdataescaper": f(rcdataEscaper),
            "_html_template_srcsetescaper": f(srcsetFilterAndEscaper),
            "_html_template_urlescaper": f { urlProcessor(false, $0) },
            "_html_template_urlfilter": f(urlFilter),
            "_html_template_urlnormalizer": f { urlProcessor(true, $0) },
            "_eval_args_": f(evalArgs),
        ]
    }()

    // MARK: stringify (content.go)

    static func contentType(_ typeName: String) -> ContentType? {
        switch typeName {
        case "template.CSS": return .css
        case "template.HTML": return .html
        case "template.HTMLAttr": return .htmlAttr
        case "template.JS": return .js
        case "template.JSStr": return .jsStr
        case "template.URL": return .url
        case "template.Srcset": return .srcset
        default: return nil
        }
    }

    /// Go's `stringify`: one string or safe-content value as it is; otherwise `fmt.Sprint` of the
    /// arguments with nil ones left out.
    static func stringify(_ args: [TemplateValue]) -> (String, ContentType) {
        if args.count == 1 {
            switch args[0] {
            case .string(let s): return (s, .plain)
            case .namedString(let t, let s): if let c = contentType(t) { return (s, c) }
            default: break
            }
        }
        return (GoPrinter.sprint(args.filter { GoPrinter.interfaceArg($0) != nil }), .plain)
    }

    /// `_eval_args_`: `html` or `urlquery` with several arguments, their text (nil prints `<nil>`).
    static func evalArgs(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return GoPrinter.sprint(args)
    }

    // MARK: HTML (html.go)

    typealias Table = (entries: [UInt32: String], count: UInt32)

    static let htmlTable: Table = ([0: "\u{FFFD}", 0x22: "&#34;", 0x26: "&amp;", 0x27: "&#39;", 0x2B: "&#43;", 0x3C: "&lt;", 0x3E: "&gt;"], 0x3F)
    static let htmlNormTable: Table = ([0: "\u{FFFD}", 0x22: "&#34;", 0x27: "&#39;", 0x2B: "&#43;", 0x3C: "&lt;", 0x3E: "&gt;"], 0x3F)
    static let htmlNospaceTable: Table = ([0: "&#xfffd;", 0x09: "&#9;", 0x0A: "&#10;", 0x0B: "&#11;", 0x0C: "&#12;", 0x0D: "&#13;",
                                           0x20: "&#32;", 0x22: "&#34;", 0x26: "&amp;", 0x27: "&#39;", 0x2B: "&#43;", 0x3C: "&lt;",
                                           0x3D: "&#61;", 0x3E: "&gt;", 0x60: "&#96;"], 0x61)
    static let htmlNospaceNormTable: Table = ([0: "&#xfffd;", 0x09: "&#9;", 0x0A: "&#10;", 0x0B: "&#11;", 0x0C: "&#12;", 0x0D: "&#13;",
                                               0x20: "&#32;", 0x22: "&#34;", 0x27: "&#39;", 0x2B: "&#43;", 0x3C: "&lt;", 0x3D: "&#61;",
                                               0x3E: "&gt;", 0x60: "&#96;"], 0x61)

    /// Go's `htmlReplacer`; without `badRunes`, Unicode non-characters become `&#x…;`.
    ///
    /// Byte by byte over the UTF-8 (every table key is ASCII, and the non-characters are three-byte
    /// sequences), copying unreplaced runs whole: alert details pass through here once per event,
    /// and a dictionary lookup and scalar append per character was most of their cost.
    static func htmlReplace(_ s: String, _ table: Table, badRunes: Bool) -> String {
        // Which ASCII bytes the table replaces, as a 128-bit set.
        var low: UInt64 = 0, high: UInt64 = 0
        for key in table.entries.keys where key < min(table.count, 0x80) {
            if key < 64 { low |= 1 << UInt64(key) } else { high |= 1 << UInt64(key - 64) }
        }
        func replaced(_ b: UInt8) -> Bool { b < 64 ? low & (1 << UInt64(b)) != 0 : b < 128 && high & (1 << UInt64(b - 64)) != 0 }
        var source = s
        return source.withUTF8 { u -> String in
            var out: [UInt8] = []
            var run = 0, i = 0
            while i < u.count {
                let b = u[i]
                var replacement: String?
                var length = 1
                if b < 0x80 {
                    if replaced(b) { replacement = table.entries[UInt32(b)] }
                } else if !badRunes, b == 0xEF, i + 2 < u.count {
                    // U+FDD0...U+FDEF is EF B7 90...EF B7 AF; U+FFF0...U+FFFF is EF BF B0...EF BF BF.
                    let b1 = u[i + 1], b2 = u[i + 2]
                    if (b1 == 0xB7 && (0x90...0xAF).contains(b2)) || (b1 == 0xBF && b2 >= 0xB0) {
                        let value = (UInt32(b & 0x0F) << 12) | (UInt32(b1 & 0x3F) << 6) | UInt32(b2 & 0x3F)
                        replacement = "&#x" + String(value, radix: 16) + ";"
                        length = 3
                    }
                }
                if let replacement {
                    if out.isEmpty { out.reserveCapacity(u.count + 64) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<i]))
                    out.append(contentsOf: replacement.utf8)
                    i += length
                    run = i
                } else {
                    i += 1
                }
            }
            if run == 0 { return s }  // nothing replaced
            out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<u.count]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// html/template's HTML text escaping (text/template's `html` builtin is the same without `+`).
    public static func text(_ s: String, escapePlus: Bool = true) -> String {
        var table = htmlTable
        if !escapePlus { table.entries[0x2B] = nil }
        return htmlReplace(s, table, badRunes: true)
    }

    static func htmlEscaper(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        return t == .html ? s : htmlReplace(s, htmlTable, badRunes: true)
    }

    static func rcdataEscaper(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        return htmlReplace(s, t == .html ? htmlNormTable : htmlTable, badRunes: true)
    }

    static func attrEscaper(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        if t == .html { return htmlReplace(stripTags(s), htmlNormTable, badRunes: true) }
        return htmlReplace(s, htmlTable, badRunes: true)
    }

    static func htmlNospaceEscaper(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        if t == .html { return htmlReplace(stripTags(s), htmlNospaceNormTable, badRunes: false) }
        return htmlReplace(s, htmlNospaceTable, badRunes: false)
    }

    static func htmlNameFilter(_ args: [TemplateValue]) -> String {
        let (raw, t) = stringify(args)
        if t == .htmlAttr { return raw }
        if raw.isEmpty { return filterFailsafe }
        let s = raw.lowercased()
        if HTMLTransition.attrType(s) != .plain { return filterFailsafe }
        for r in s.unicodeScalars where !(("0"..."9").contains(r) || ("a"..."z").contains(r)) { return filterFailsafe }
        return s
    }

    /// Go's `stripTags`: the text of HTML, tags and comments removed.
    static func stripTags(_ html: String) -> String {
        let s = Array(html.utf8)
        var b: [UInt8] = []
        var c = HTMLContext()
        var i = 0
        var allText = true
        while i != s.count {
            if c.delim == .none {
                var st = c.state
                if c.element != .none && !st.isInTag { st = .rcdata }
                let (d, nread) = s.withUnsafeBufferPointer { HTMLTransition.transition(c, HTMLTransition.Text(rebasing: $0[i...]), as: st) }
                let i1 = i + nread
                if c.state == .text || c.state == .rcdata {
                    var j = i1
                    if d.state != c.state {
                        var j1 = j - 1
                        while j1 >= i {
                            if s[j1] == UInt8(ascii: "<") {
                                j = j1
                                break
                            }
                            j1 -= 1
                        }
                    }
                    b += s[i..<j]
                } else {
                    allText = false
                }
                (c, i) = (d, i1)
                continue
            }
            guard var i1 = HTMLTransition.indexAny(s, c.delim.ends, from: i) else { break }
            if c.delim != .spaceOrTagEnd { i1 += 1 }
            (c, i) = (HTMLContext(state: .tag, element: c.element), i1)
        }
        if allText { return html }
        if c.state == .text || c.state == .rcdata { b += s[i...] }
        return String(decoding: b, as: UTF8.self)
    }

    // MARK: JS (js.go)

    static let lowUnicodeTable: [String] = (0..<0x20).map { (r: UInt32) -> String in
        switch r {
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        default: return "\\u00" + GoQuote.hex(r, 2)
        }
    }

    static let jsStrTable: Table = ([0: "\\u0000", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\u000b", 0x0C: "\\f", 0x0D: "\\r", 0x22: "\\u0022",
                                     0x60: "\\u0060", 0x26: "\\u0026", 0x27: "\\u0027", 0x2B: "\\u002b", 0x2F: "\\/", 0x3C: "\\u003c",
                                     0x3E: "\\u003e", 0x5C: "\\\\"], 0x61)
    static let jsStrNormTable: Table = ([0: "\\u0000", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\u000b", 0x0C: "\\f", 0x0D: "\\r", 0x22: "\\u0022",
                                         0x26: "\\u0026", 0x27: "\\u0027", 0x60: "\\u0060", 0x2B: "\\u002b", 0x2F: "\\/", 0x3C: "\\u003c",
                                         0x3E: "\\u003e"], 0x61)
    static let jsRegexpTable: Table = ([0: "\\u0000", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\u000b", 0x0C: "\\f", 0x0D: "\\r", 0x22: "\\u0022",
                                        0x24: "\\$", 0x26: "\\u0026", 0x27: "\\u0027", 0x28: "\\(", 0x29: "\\)", 0x2A: "\\*", 0x2B: "\\u002b",
                                        0x2D: "\\-", 0x2E: "\\.", 0x2F: "\\/", 0x3C: "\\u003c", 0x3E: "\\u003e", 0x3F: "\\?", 0x5B: "\\[",
                                        0x5C: "\\\\", 0x5D: "\\]", 0x5E: "\\^", 0x7B: "\\{", 0x7C: "\\|", 0x7D: "\\}"], 0x7E)

    /// Go's `replace` for JS strings and regexps: control characters, the table's, U+2028 and U+2029.
    static func jsReplace(_ s: String, _ table: Table) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for r in s.unicodeScalars {
            if r.value < 0x20 {
                out += lowUnicodeTable[Int(r.value)]
            } else if r.value < table.count, let repl = table.entries[r.value] {
                out += repl
            } else if r == "\u{2028}" {
                out += "\\u2028"
            } else if r == "\u{2029}" {
                out += "\\u2029"
            } else {
                out.unicodeScalars.append(r)
            }
        }
        return out
    }

    static func jsStrEscaper(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        return jsReplace(s, t == .jsStr ? jsStrNormTable : jsStrTable)
    }

    static func jsRegexpEscaper(_ args: [TemplateValue]) -> String {
        let s = jsReplace(stringify(args).0, jsRegexpTable)
        return s.isEmpty ? "(?:)" : s
    }

    /// Go's `jsValEscaper`: the value as a JS expression (its JSON), `template.JS` as it is.
    static func jsValEscaper(_ args: [TemplateValue]) -> String {
        var a: TemplateValue
        if args.count == 1 {
            a = args[0]
            switch a {
            case .namedString("template.JS", let s): return s
            case .namedString("template.JSStr", let s): return "\"" + s + "\""
            case .time: break  // a json.Marshaler, not treated as a Stringer
            case .duration(let d): a = .string(d.description)
            case .stringer(_, let s), .namedInteger(_, _, let s): a = .string(s)
            default: break
            }
        } else {
            a = .string(GoPrinter.sprint(args))
        }
        if let err = GoJSON.unsupported(a) {
            return " /* \(err.replacingAll("*/", with: "* /")) */null "
        }
        let b = GoJSON.encode(a)
        if b.isEmpty { return " null " }
        let bytes = Array(b.utf8)
        if HTMLTransition.isJSIdentPart(bytes[0]) || HTMLTransition.isJSIdentPart(bytes[bytes.count - 1]) { return " " + b + " " }
        return b
    }

    // MARK: CSS (css.go)

    static let cssTable: [UInt32: String] = [0: "\\0", 0x09: "\\9", 0x0A: "\\a", 0x0C: "\\c", 0x0D: "\\d", 0x22: "\\22", 0x26: "\\26",
                                             0x27: "\\27", 0x28: "\\28", 0x29: "\\29", 0x2B: "\\2b", 0x2F: "\\2f", 0x3A: "\\3a", 0x3B: "\\3b",
                                             0x3C: "\\3c", 0x3E: "\\3e", 0x5C: "\\\\", 0x7B: "\\7b", 0x7D: "\\7d"]

    static func cssEscaper(_ args: [TemplateValue]) -> String {
        let s = stringify(args).0
        let scalars = Array(s.unicodeScalars)
        var out = ""
        for (k, r) in scalars.enumerated() {
            guard let repl = cssTable[r.value] else {
                out.unicodeScalars.append(r)
                continue
            }
            out += repl
            if repl != "\\\\" {
                if k + 1 == scalars.count {
                    out += " "
                } else if let next = scalars[k + 1].isASCII ? UInt8(scalars[k + 1].value) : nil,
                          HTMLTransition.isHex(next) || [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(next) {
                    out += " "
                }
            }
        }
        return out
    }

    static func cssValueFilter(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        if t == .css { return s }
        let b = HTMLTransition.decodeCSS(Array(s.utf8))
        var id: [UInt8] = []
        for (i, c) in b.enumerated() {
            switch c {
            case 0, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"), UInt8(ascii: ";"),
                 UInt8(ascii: "@"), UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "`"), UInt8(ascii: "{"),
                 UInt8(ascii: "}"):
                return filterFailsafe
            case UInt8(ascii: "-"):
                if i != 0 && b[i - 1] == UInt8(ascii: "-") { return filterFailsafe }
            default:
                if c < 0x80 && HTMLTransition.isCSSNmchar(Unicode.Scalar(c)) { id.append(HTMLTransition.lower(c)) }
            }
        }
        let lowered = String(decoding: id, as: UTF8.self)
        if lowered.contains("expression") || lowered.contains("mozbinding") { return filterFailsafe }
        return String(decoding: b, as: UTF8.self)
    }

    // MARK: URLs (url.go)

    static func isSafeURL(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":") else { return true }
        let scheme = s[..<colon]
        if scheme.contains("/") { return true }
        let lower = scheme.lowercased()
        return lower == "http" || lower == "https" || lower == "mailto"
    }

    static func urlFilter(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        if t == .url { return s }
        return isSafeURL(s) ? s : "#" + filterFailsafe
    }

    static func urlProcessor(_ norm: Bool, _ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        return processURL(s, norm: norm || t == .url)
    }

    /// Go's `processURLOnto`: bytes outside the unreserved set percent-encoded (`%2f`); normalizing
    /// keeps reserved characters and existing `%xx` escapes.
    static func processURL(_ s: String, norm: Bool) -> String {
        let b = Array(s.utf8)
        var out = ""
        out.reserveCapacity(b.count + 16)
        for (i, c) in b.enumerated() {
            switch c {
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: ","), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "?"),
                 UInt8(ascii: "@"), UInt8(ascii: "["), UInt8(ascii: "]"):
                if norm {
                    out.unicodeScalars.append(Unicode.Scalar(c))
                    continue
                }
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(c))
                continue
            case UInt8(ascii: "%"):
                if norm && i + 2 < b.count && HTMLTransition.isHex(b[i + 1]) && HTMLTransition.isHex(b[i + 2]) {
                    out += "%"
                    continue
                }
            default:
                if HTMLTransition.isAlphaNum(c) {
                    out.unicodeScalars.append(Unicode.Scalar(c))
                    continue
                }
            }
            out += "%" + GoQuote.hex(UInt32(c), 2)
        }
        return out
    }

    static func isHTMLSpace(_ c: UInt8) -> Bool { [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(c) }

    static func srcsetFilterAndEscaper(_ args: [TemplateValue]) -> String {
        let (s, t) = stringify(args)
        switch t {
        case .srcset: return s
        case .url: return processURL(s, norm: true).replacingAll(",", with: "%2c")
        default: break
        }
        let b = Array(s.utf8)
        var out = ""
        var written = 0
        for i in 0..<b.count where b[i] == UInt8(ascii: ",") {
            out += filterSrcsetElement(b, written, i)
            out += ","
            written = i + 1
        }
        out += filterSrcsetElement(b, written, b.count)
        return out
    }

    static func filterSrcsetElement(_ s: [UInt8], _ left: Int, _ right: Int) -> String {
        var start = left
        while start < right && isHTMLSpace(s[start]) { start += 1 }
        var end = right
        for i in start..<right where isHTMLSpace(s[i]) {
            end = i
            break
        }
        let url = String(decoding: s[start..<end], as: UTF8.self)
        if isSafeURL(url) && s[end..<right].allSatisfy({ isHTMLSpace($0) || ($0 < 0x80 && HTMLTransition.isAlphaNum($0)) }) {
            return String(decoding: s[left..<start], as: UTF8.self) + processURL(url, norm: true) + String(decoding: s[end..<right], as: UTF8.self)
        }
        return "#" + filterFailsafe
    }
}

extension String {
    /// Every occurrence of `target` replaced (Go's `strings.ReplaceAll`), without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    fileprivate func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target.utf8)
        let u = utf8
        var i = u.startIndex
        while i != u.endIndex {
            var j = i
            var k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] {
                j = u.index(after: j)
                k += 1
            }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}
