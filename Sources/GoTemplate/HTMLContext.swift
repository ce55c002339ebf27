/// html/template's parser state between template text and actions (Go's `context`, context.go):
/// where in HTML, JS or CSS the output is, which decides how an action's value is escaped.
struct HTMLContext: Sendable, CustomStringConvertible {
    enum State: Int, Sendable {
        case text, tag, attrName, afterName, beforeValue, htmlCmt, rcdata, attr, url, srcset, js, jsDqStr, jsSqStr, jsBqStr,
             jsRegexp, jsBlockCmt, jsLineCmt, css, cssDqStr, cssSqStr, cssDqURL, cssSqURL, cssURL, cssBlockCmt, cssLineCmt,
             error, dead

        /// Go's generated `String()`: `stateText`, `stateJSDqStr`…
        var name: String {
            ["stateText", "stateTag", "stateAttrName", "stateAfterName", "stateBeforeValue", "stateHTMLCmt", "stateRCDATA", "stateAttr",
             "stateURL", "stateSrcset", "stateJS", "stateJSDqStr", "stateJSSqStr", "stateJSBqStr", "stateJSRegexp", "stateJSBlockCmt",
             "stateJSLineCmt", "stateCSS", "stateCSSDqStr", "stateCSSSqStr", "stateCSSDqURL", "stateCSSSqURL", "stateCSSURL",
             "stateCSSBlockCmt", "stateCSSLineCmt", "stateError", "stateDead"][rawValue]
        }

        var isComment: Bool {
            switch self {
            case .htmlCmt, .jsBlockCmt, .jsLineCmt, .cssBlockCmt, .cssLineCmt: return true
            default: return false
            }
        }

        var isInTag: Bool {
            switch self {
            case .tag, .attrName, .afterName, .beforeValue, .attr: return true
            default: return false
            }
        }
    }

    /// How an attribute value ends.
    enum Delim: Int, Sendable {
        case none, doubleQuote, singleQuote, spaceOrTagEnd
        var name: String { ["delimNone", "delimDoubleQuote", "delimSingleQuote", "delimSpaceOrTagEnd"][rawValue] }
        /// The bytes that end a value so delimited.
        var ends: [UInt8] { [[], [UInt8(ascii: "\"")], [UInt8(ascii: "'")], Array(" \t\n\u{0C}\r>".utf8)][rawValue] }
    }

    /// Where in a URL.
    enum URLPart: Int, Sendable {
        case none, preQuery, queryOrFrag, unknown
        var name: String { ["urlPartNone", "urlPartPreQuery", "urlPartQueryOrFrag", "urlPartUnknown"][rawValue] }
    }

    /// Whether a `/` in JS starts a regexp or divides.
    enum JSCtx: Int, Sendable {
        case regexp, divOp, unknown
        var name: String { ["jsCtxRegexp", "jsCtxDivOp", "jsCtxUnknown"][rawValue] }
    }

    /// The kind of attribute whose value is being written.
    enum Attr: Int, Sendable {
        case none, script, scriptType, style, url, srcset
        var name: String { ["attrNone", "attrScript", "attrScriptType", "attrStyle", "attrURL", "attrSrcset"][rawValue] }
    }

    /// The special element whose content is being written.
    enum Element: Int, Sendable {
        case none, script, style, textarea, title
        var name: String { ["elementNone", "elementScript", "elementStyle", "elementTextarea", "elementTitle"][rawValue] }
    }

    var state = State.text
    var delim = Delim.none
    var urlPart = URLPart.none
    var jsCtx = JSCtx.regexp
    var attr = Attr.none
    var element = Element.none
    /// The `{{break}}` or `{{continue}}` this context was recorded at (its position and line).
    var node: (pos: Int, line: Int)?
    /// Set when `state` is `.error`.
    var err: HTMLEscapeError?

    init(state: State = .text, delim: Delim = .none, urlPart: URLPart = .none, jsCtx: JSCtx = .regexp, attr: Attr = .none,
         element: Element = .none) {
        self.state = state
        self.delim = delim
        self.urlPart = urlPart
        self.jsCtx = jsCtx
        self.attr = attr
        self.element = element
    }

    static func error(_ err: HTMLEscapeError) -> HTMLContext {
        var c = HTMLContext(state: .error)
        c.err = err
        return c
    }

    /// `{stateAttr delimDoubleQuote urlPartNone jsCtxRegexp attrNone elementNone <nil>}`.
    var description: String {
        "{\(state.name) \(delim.name) \(urlPart.name) \(jsCtx.name) \(attr.name) \(element.name) \(err.map { $0.description } ?? "<nil>")}"
    }

    /// Go's `eq` (errors are distinct values, so contexts holding one are never equal).
    func eq(_ d: HTMLContext) -> Bool {
        state == d.state && delim == d.delim && urlPart == d.urlPart && jsCtx == d.jsCtx && attr == d.attr && element == d.element
            && err == nil && d.err == nil
    }

    /// The name of a template escaped to start in this context: `name$htmltemplate_stateAttr_delimDoubleQuote`.
    func mangle(_ templateName: String) -> String {
        if state == .text { return templateName }
        var s = templateName + "$htmltemplate_" + state.name
        if delim != .none { s += "_" + delim.name }
        if urlPart != .none { s += "_" + urlPart.name }
        if jsCtx != .regexp { s += "_" + jsCtx.name }
        if attr != .none { s += "_" + attr.name }
        if element != .none { s += "_" + element.name }
        return s
    }
}

/// An html/template escaping error (Go's `*template.Error`), worded as Go's `Error()` words it.
struct HTMLEscapeError: Error, Sendable, CustomStringConvertible {
    /// The node the error is about, already located: `NAME:LINE:COL`.
    var location: String?
    /// The template the error arose in (set for errors without a node).
    var name = ""
    var line = 0
    var detail: String

    init(location: String? = nil, line: Int = 0, _ detail: String) {
        self.location = location
        self.line = line
        self.detail = detail
    }

    var description: String {
        if let location { return "html/template:\(location): \(detail)" }
        if line != 0 { return "html/template:\(name):\(line): \(detail)" }
        if !name.isEmpty { return "html/template:\(name): \(detail)" }
        return "html/template: " + detail
    }
}
