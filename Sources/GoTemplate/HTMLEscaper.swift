/// html/template's contextual autoescaping (Go's escape.go): walks the templates reachable from
/// the entry point, follows the HTML, JS, CSS and URL context through their text, and rewrites the
/// trees as Go does — escaper functions appended to each action's pipeline, `<` in text written
/// as `&lt;`, comments removed, templates called from other contexts copied under mangled names
/// (`x$htmltemplate_stateAttr_delimDoubleQuote`). Templates whose context Go cannot determine
/// fail with Go's html/template errors.
struct HTMLEscaper {
    private let trees: [String: Tree]
    private let text: [UInt8]
    private let parseName: String
    /// The context each escaped template (by possibly mangled name) starts in.
    private var output: [String: HTMLContext] = [:]
    /// Mangled names and the templates they copy.
    private var derived: [String: String] = [:]
    private var called: Set<String> = []
    private var actionEdits: [EditKey: [String]] = [:]
    private var templateEdits: [EditKey: String] = [:]
    private var textEdits: [EditKey: String] = [:]
    private var rangeContext: RangeContext?
    /// The (possibly mangled) template whose nodes are being escaped: copies share the parsed
    /// nodes, so an edit is keyed by template and position.
    private var tree: String

    struct EditKey: Hashable {
        var tree: String
        var pos: Int
    }

    /// The contexts at `{{break}}` and `{{continue}}` of the innermost range being escaped.
    private final class RangeContext {
        let outer: RangeContext?
        var breaks: [HTMLContext] = []
        var continues: [HTMLContext] = []
        init(outer: RangeContext?) { self.outer = outer }
    }

    private init(trees: [String: Tree], text: [UInt8], parseName: String, tree: String) {
        self.trees = trees
        self.text = text
        self.parseName = parseName
        self.tree = tree
    }

    /// The trees of `trees` escaped for execution from `entry` (plus the copies it needs), or Go's
    /// html/template error.
    static func escape(_ trees: [String: Tree], entry: String, text: String, parseName: String) throws(TemplateParseError) -> [String: Tree] {
        var e = HTMLEscaper(trees: trees, text: Array(text.utf8), parseName: parseName, tree: entry)
        let c = e.escapeTree(HTMLContext(), pos: trees[entry]?.root.pos ?? 0, name: entry, line: 0).0
        if var err = c.err {
            err.name = entry
            throw TemplateParseError(description: err.description)
        }
        if c.state != .text {
            var err = HTMLEscapeError("ends in a non-text context: \(c)")
            err.name = entry
            throw TemplateParseError(description: err.description)
        }
        return e.commit()
    }

    /// `NAME:LINE:COL` of a position in the source, as Go's `ErrorContext` gives it.
    private func location(_ pos: Int) -> String {
        let p = min(pos, text.count)
        var line = 1
        var lastNewline = -1
        for i in 0..<p where text[i] == UInt8(ascii: "\n") {
            line += 1
            lastNewline = i
        }
        return "\(parseName):\(line):\(lastNewline == -1 ? p : p - lastNewline - 1)"
    }

    private func error(at pos: Int, line: Int = 0, _ detail: String) -> HTMLContext {
        .error(HTMLEscapeError(location: location(pos), line: line, detail))
    }

    // MARK: Walking

    private mutating func escape(_ c: HTMLContext, _ n: Node) -> HTMLContext {
        switch n {
        case .action(let a): return escapeAction(c, a)
        case .breakNode(let pos, let line):
            var c = c
            c.node = (pos, line)
            rangeContext?.breaks.append(c)
            return HTMLContext(state: .dead)
        case .continueNode(let pos, let line):
            var c = c
            c.node = (pos, line)
            // Go 1.19 records a continue as the breaks so far plus it.
            if let rc = rangeContext { rc.continues = rc.breaks + [c] }
            return HTMLContext(state: .dead)
        case .comment, .end, .elseNode: return c
        case .ifNode(let b): return escapeBranch(c, b, "if")
        case .rangeNode(let b): return escapeBranch(c, b, "range")
        case .withNode(let b): return escapeBranch(c, b, "with")
        case .list(let l): return escapeList(c, l)
        case .template(let t): return escapeTemplate(c, t)
        case .text(let pos, let t): return escapeText(c, pos: pos, t)
        }
    }

    private mutating func escapeList(_ c: HTMLContext, _ l: ListNode?) -> HTMLContext {
        guard let l else { return c }
        var c = c
        for n in l.nodes {
            c = escape(c, n)
            if c.state == .dead { break }
        }
        return c
    }

    /// Escapes `l` in a throwaway escaper and keeps its edits only when `filter` accepts the result.
    private mutating func escapeListConditionally(_ c: HTMLContext, _ l: ListNode, tree: String,
                                                  filter: ((HTMLEscaper, HTMLContext) -> Bool)?) -> (HTMLContext, Bool) {
        var e1 = HTMLEscaper(trees: trees, text: text, parseName: parseName, tree: tree)
        e1.rangeContext = rangeContext
        e1.output = output
        e1.derived = derived
        let c1 = e1.escapeList(c, l)
        let ok = filter?(e1, c1) ?? false
        if ok {
            output.merge(e1.output) { $1 }
            derived.merge(e1.derived) { $1 }
            called.formUnion(e1.called)
            actionEdits.merge(e1.actionEdits) { $1 }
            templateEdits.merge(e1.templateEdits) { $1 }
            textEdits.merge(e1.textEdits) { $1 }
        }
        return (c1, ok)
    }

    // MARK: Actions

    private static let predefinedEscapers: Set<String> = ["html", "urlquery"]

    private mutating func escapeAction(_ c: HTMLContext, _ n: ActionNode) -> HTMLContext {
        if !n.pipe.decl.isEmpty { return c }  // an assignment prints nothing
        var c = Self.nudge(c)
        for (pos, cmd) in n.pipe.cmds.enumerated() {
            guard case .identifier(_, let ident) = cmd.args[0], Self.predefinedEscapers.contains(ident) else { continue }
            if pos < n.pipe.cmds.count - 1 || (c.state == .attr && c.delim == .spaceOrTagEnd && ident == "html") {
                return error(at: n.pos, line: n.line, "predefined escaper \(GoQuote.quote(ident)) disallowed in template")
            }
        }
        var s: [String] = []
        switch c.state {
        case .error: return c
        case .url, .cssDqStr, .cssSqStr, .cssDqURL, .cssSqURL, .cssURL:
            switch c.urlPart {
            case .none, .preQuery:
                if c.urlPart == .none { s.append("_html_template_urlfilter") }
                s.append(c.state == .cssDqStr || c.state == .cssSqStr ? "_html_template_cssescaper" : "_html_template_urlnormalizer")
            case .queryOrFrag: s.append("_html_template_urlescaper")
            case .unknown:
                return error(at: n.pos, line: n.line, "\(Node.action(n).description) appears in an ambiguous context within a URL")
            }
        case .js:
            s.append("_html_template_jsvalescaper")
            c.jsCtx = .divOp  // a slash after a value divides
        case .jsDqStr, .jsSqStr: s.append("_html_template_jsstrescaper")
        case .jsBqStr:
            return error(at: n.pos, line: n.line, "\(Node.action(n).description) appears in a JS template literal")
        case .jsRegexp: s.append("_html_template_jsregexpescaper")
        case .css: s.append("_html_template_cssvaluefilter")
        case .text: s.append("_html_template_htmlescaper")
        case .rcdata: s.append("_html_template_rcdataescaper")
        case .attr: break  // the delimiter below decides
        case .attrName, .tag:
            c.state = .attrName
            s.append("_html_template_htmlnamefilter")
        case .srcset: s.append("_html_template_srcsetescaper")
        case .htmlCmt, .jsBlockCmt, .jsLineCmt, .cssBlockCmt, .cssLineCmt: s.append("_html_template_commentescaper")
        case .afterName, .beforeValue, .dead:
            return error(at: n.pos, line: n.line, "\(Node.action(n).description) appears in \(c.state.name), which html/template cannot escape for")
        }
        switch c.delim {
        case .none: break
        case .spaceOrTagEnd: s.append("_html_template_nospaceescaper")
        default: s.append("_html_template_attrescaper")
        }
        actionEdits[EditKey(tree: tree, pos: n.pos)] = s
        return c
    }

    /// Go's `nudge`: a context that cannot hold a value moved to the one the value would start.
    static func nudge(_ c: HTMLContext) -> HTMLContext {
        var c = c
        switch c.state {
        case .tag: c.state = .attrName
        case .beforeValue:
            c.state = HTMLTransition.attrStartState(c.attr)
            c.delim = .spaceOrTagEnd
            c.attr = .none
        case .afterName:
            c.state = .attrName
            c.attr = .none
        default: break
        }
        return c
    }

    // MARK: Branches

    private func join(_ a: HTMLContext, _ b: HTMLContext, pos: Int, _ nodeName: String) -> HTMLContext {
        if a.state == .error { return a }
        if b.state == .error { return b }
        if a.state == .dead { return b }
        if b.state == .dead { return a }
        if a.eq(b) { return a }
        var c = a
        c.urlPart = b.urlPart
        if c.eq(b) {
            c.urlPart = .unknown
            return c
        }
        c = a
        c.jsCtx = b.jsCtx
        if c.eq(b) {
            c.jsCtx = .unknown
            return c
        }
        let (cn, dn) = (Self.nudge(a), Self.nudge(b))
        if !(cn.eq(a) && dn.eq(b)) {
            let e = join(cn, dn, pos: pos, nodeName)
            if e.state != .error { return e }
        }
        return error(at: pos, "{{\(nodeName)}} branches end in different contexts: \(a), \(b)")
    }

    private mutating func escapeBranch(_ c: HTMLContext, _ n: BranchNode, _ nodeName: String) -> HTMLContext {
        if nodeName == "range" { rangeContext = RangeContext(outer: rangeContext) }
        var c0 = escapeList(c, n.list)
        if nodeName == "range" {
            if c0.state != .error { c0 = joinRange(c0, rangeContext!) }
            rangeContext = rangeContext?.outer
            if c0.state == .error { return c0 }
            // The body can run again: it must end where it starts.
            rangeContext = RangeContext(outer: rangeContext)
            let c1 = escapeListConditionally(c0, n.list, tree: tree, filter: nil).0
            c0 = join(c0, c1, pos: n.pos, nodeName)
            if c0.state == .error {
                rangeContext = rangeContext?.outer
                return Self.annotate(c0, line: n.line, "on range loop re-entry: ")
            }
            c0 = joinRange(c0, rangeContext!)
            rangeContext = rangeContext?.outer
            if c0.state == .error { return c0 }
        }
        let c1 = escapeList(c, n.elseList)
        return join(c0, c1, pos: n.pos, nodeName)
    }

    private func joinRange(_ c0: HTMLContext, _ rc: RangeContext) -> HTMLContext {
        var c0 = c0
        for (c, what) in rc.breaks.map({ ($0, "break") }) + rc.continues.map({ ($0, "continue") }) {
            c0 = join(c0, c, pos: c.node?.pos ?? 0, "range")
            if c0.state == .error {
                return Self.annotate(c0, line: c.node?.line ?? 0, "at range loop \(what): ")
            }
        }
        return c0
    }

    /// An error context with its error's line set and its detail prefixed.
    private static func annotate(_ c: HTMLContext, line: Int, _ prefix: String) -> HTMLContext {
        guard var err = c.err else { return c }
        err.line = line
        err.detail = prefix + err.detail
        return .error(err)
    }

    // MARK: Templates

    private mutating func escapeTemplate(_ c: HTMLContext, _ n: TemplateNode) -> HTMLContext {
        let (c1, name) = escapeTree(c, pos: n.pos, name: n.name, line: n.line)
        if name != n.name { templateEdits[EditKey(tree: tree, pos: n.pos)] = name }
        return c1
    }

    /// Escapes template `name` to start in `c`: its output context and the (mangled) name to call.
    private mutating func escapeTree(_ c: HTMLContext, pos: Int, name: String, line: Int) -> (HTMLContext, String) {
        let dname = c.mangle(name)
        called.insert(dname)
        if let out = output[dname] { return (out, dname) }
        guard trees[name] != nil else {
            return (error(at: pos, line: line, "no such template \(GoQuote.quote(name))"), dname)
        }
        if dname != name { derived[dname] = name }
        return (computeOutCtx(c, dname), dname)
    }

    private func root(_ name: String) -> ListNode { trees[derived[name] ?? name]!.root }

    private mutating func computeOutCtx(_ c: HTMLContext, _ name: String) -> HTMLContext {
        var (c1, ok) = escapeTemplateBody(c, name)
        if !ok {
            let (c2, ok2) = escapeTemplateBody(c1, name)
            if ok2 { (c1, ok) = (c2, true) }
        }
        if !ok && c1.state != .error {
            return error(at: root(name).pos, "cannot compute output context for template \(name)")
        }
        return c1
    }

    private mutating func escapeTemplateBody(_ c: HTMLContext, _ name: String) -> (HTMLContext, Bool) {
        output[name] = c
        return escapeListConditionally(c, root(name), tree: name) { e1, c1 in
            c1.state != .error && (!e1.called.contains(name) || c.eq(c1))
        }
    }

    // MARK: Text

    private mutating func escapeText(_ c: HTMLContext, pos: Int, _ textNode: String) -> HTMLContext {
        let s = Array(textNode.utf8)
        var c = c
        var written = 0
        var b: [UInt8] = []
        let stuck = s.withUnsafeBufferPointer { buf -> Bool in
            var i = 0
            while i != s.count {
                let (c1, nread) = Self.contextAfterText(c, HTMLTransition.Text(rebasing: buf[i...]))
                let i1 = i + nread
                if c.state == .text || c.state == .rcdata {
                    var end = i1
                    if c1.state != c.state {
                        var j = end - 1
                        while j >= i {
                            if s[j] == UInt8(ascii: "<") {
                                end = j
                                break
                            }
                            j -= 1
                        }
                    }
                    var j = i
                    while j < end {
                        if s[j] == UInt8(ascii: "<") && !Self.startsDoctype(s, j) {
                            b += s[written..<j]
                            b += Array("&lt;".utf8)
                            written = j + 1
                        }
                        j += 1
                    }
                } else if c.state.isComment && c.delim == .none {
                    switch c.state {
                    case .jsBlockCmt:
                        // A block comment with a line terminator counts as one.
                        let part = Array(s[written..<i1])
                        let hasTerminator = part.contains(0x0A) || part.contains(0x0D)
                            || HTMLTransition.index(part, of: [0xE2, 0x80, 0xA8]) != nil || HTMLTransition.index(part, of: [0xE2, 0x80, 0xA9]) != nil
                        b.append(hasTerminator ? 0x0A : 0x20)
                    case .cssBlockCmt: b.append(0x20)
                    default: break
                    }
                    written = i1
                }
                if c.state != c1.state && c1.state.isComment && c1.delim == .none {
                    // Keep the text before the comment opens.
                    var cs = i1 - 2
                    if c1.state == .htmlCmt { cs -= 2 }
                    b += s[written..<cs]
                    written = i1
                }
                if i == i1 && c.state == c1.state { return true }
                (c, i) = (c1, i1)
            }
            return false
        }
        if stuck { return error(at: pos, "html/template could not advance through the text in \(c)") }
        if written != 0 && c.state != .error {
            if !c.state.isComment || c.delim != .none { b += s[written...] }
            textEdits[EditKey(tree: tree, pos: pos)] = String(decoding: b, as: UTF8.self)
        }
        return c
    }

    private static func startsDoctype(_ s: [UInt8], _ j: Int) -> Bool {
        let d = Array("<!DOCTYPE".utf8)
        guard j + d.count <= s.count else { return false }
        return zip(s[j..<j + d.count], d).allSatisfy { HTMLTransition.upper($0) == $1 }
    }

    /// Go's `contextAfterText`: the context after a prefix of `s`, and its length.
    static func contextAfterText(_ c: HTMLContext, _ s: HTMLTransition.Text) -> (HTMLContext, Int) {
        if c.delim == .none {
            let (c1, i) = HTMLTransition.tSpecialTagEnd(c, s)
            if i == 0 { return (c1, 0) }  // an end tag, `</script>`, right here
            return HTMLTransition.transition(c, HTMLTransition.Text(rebasing: s[..<i]))
        }
        // In an attribute value: up to its delimiter.
        let i = HTMLTransition.indexAny(s, c.delim.ends) ?? s.count
        if c.delim == .spaceOrTagEnd, let j = HTMLTransition.indexAny(s, Array("\"'<=`".utf8), to: i) {
            let value = String(decoding: s[..<i], as: UTF8.self)
            return (.error(HTMLEscapeError("\(GoQuote.quote(String(UnicodeScalar(s[j])))) in unquoted attr: \(GoQuote.quote(value))")), s.count)
        }
        if i == s.count {
            // The value goes on: its decoded text moves the context (entities count as what they stand for).
            var c = c
            let u = HTMLEntities.unescape(Array(s))
            u.withUnsafeBufferPointer { buf in
                var i = 0
                while i < buf.count {
                    let (c1, i1) = HTMLTransition.transition(c, HTMLTransition.Text(rebasing: buf[i...]))
                    c = c1
                    i += i1
                }
            }
            return (c, s.count)
        }
        var element = c.element
        if c.state == .attr && c.element == .script && c.attr == .scriptType && !HTMLTransition.isJSType(String(decoding: s[..<i], as: UTF8.self)) {
            element = .none  // <script type="text/template">: not JS
        }
        return (HTMLContext(state: .tag, element: element), c.delim != .spaceOrTagEnd ? i + 1 : i)
    }

    // MARK: Commit

    /// The escaped trees: every template escaped, under its (mangled) name, with the edits applied;
    /// templates the entry never reaches as they were.
    private func commit() -> [String: Tree] {
        var out = trees
        for name in output.keys {
            out[name] = Tree(name: name, root: rebuild(root(name), tree: name))
        }
        return out
    }

    private func rebuild(_ l: ListNode, tree: String) -> ListNode {
        ListNode(pos: l.pos, nodes: l.nodes.map { rebuild($0, tree: tree) })
    }

    private func rebuild(_ n: Node, tree: String) -> Node {
        switch n {
        case .text(let pos, let t): return .text(pos: pos, text: textEdits[EditKey(tree: tree, pos: pos)] ?? t)
        case .action(let a):
            guard let escapers = actionEdits[EditKey(tree: tree, pos: a.pos)] else { return n }
            return .action(ActionNode(pos: a.pos, line: a.line, pipe: Self.ensurePipelineContains(a.pipe, escapers)))
        case .template(let t):
            guard let name = templateEdits[EditKey(tree: tree, pos: t.pos)] else { return n }
            return .template(TemplateNode(pos: t.pos, line: t.line, name: name, pipe: t.pipe))
        case .ifNode(let b): return .ifNode(rebuild(b, tree: tree))
        case .rangeNode(let b): return .rangeNode(rebuild(b, tree: tree))
        case .withNode(let b): return .withNode(rebuild(b, tree: tree))
        case .list(let l): return .list(rebuild(l, tree: tree))
        default: return n
        }
    }

    private func rebuild(_ b: BranchNode, tree: String) -> BranchNode {
        BranchNode(pos: b.pos, line: b.line, pipe: b.pipe, list: rebuild(b.list, tree: tree), elseList: b.elseList.map { rebuild($0, tree: tree) })
    }

    // MARK: Pipelines

    private static let equivalentEscapers: [String: String] = [
        "_html_template_attrescaper": "html", "_html_template_htmlescaper": "html", "_html_template_rcdataescaper": "html",
        "_html_template_urlescaper": "urlquery", "_html_template_urlnormalizer": "urlquery",
    ]

    private static let redundantFuncs: [String: Set<String>] = [
        "_html_template_commentescaper": ["_html_template_attrescaper", "_html_template_nospaceescaper", "_html_template_htmlescaper"],
        "_html_template_cssescaper": ["_html_template_attrescaper"],
        "_html_template_jsregexpescaper": ["_html_template_attrescaper"],
        "_html_template_jsstrescaper": ["_html_template_attrescaper"],
        "_html_template_urlescaper": ["_html_template_urlnormalizer"],
    ]

    private static func normalize(_ e: String) -> String { equivalentEscapers[e] ?? e }

    private static func identCmd(_ name: String, pos: Int) -> CommandNode {
        CommandNode(pos: pos, args: [.identifier(pos: pos, name: name)])
    }

    /// Go's `appendCmd`: an escaper made redundant by the one before it is left out.
    private static func append(_ cmd: CommandNode, to cmds: inout [CommandNode]) {
        if let last = cmds.last, case .identifier(_, let l) = last.args[0], case .identifier(_, let next) = cmd.args[0],
           redundantFuncs[l]?.contains(next) == true {
            return
        }
        cmds.append(cmd)
    }

    /// Go's `ensurePipelineContains`: a copy of `p` ending in the escapers `s`, a trailing `html`
    /// or `urlquery` taking the place of its equivalent.
    static func ensurePipelineContains(_ p: PipeNode, _ escapers: [String]) -> PipeNode {
        var s = escapers
        var cmds = p.cmds
        var pipelineLen = cmds.count
        if let lastCmd = cmds.last, case .identifier(let identPos, let esc) = lastCmd.args[0], predefinedEscapers.contains(esc) {
            if cmds.count == 1 && lastCmd.args.count > 1 {
                // {{html a b}} is {{_eval_args_ a b | html}}, so html can merge with the escapers.
                cmds = [CommandNode(pos: lastCmd.pos, args: [.identifier(pos: identPos, name: "_eval_args_")] + lastCmd.args.dropFirst())]
                append(identCmd(esc, pos: p.pos), to: &cmds)
                pipelineLen += 1
            }
            var dup = false
            for (i, e) in s.enumerated() where normalize(esc) == normalize(e) {
                s[i] = esc
                dup = true
            }
            if dup { pipelineLen -= 1 }
        }
        var newCmds = Array(cmds.prefix(pipelineLen))
        var inserted: Set<String> = []
        for cmd in newCmds {
            if case .identifier(_, let name) = cmd.args[0] { inserted.insert(normalize(name)) }
        }
        for name in s where !inserted.contains(normalize(name)) { append(identCmd(name, pos: p.pos), to: &newCmds) }
        return PipeNode(pos: p.pos, line: p.line, isAssign: p.isAssign, decl: p.decl, cmds: newCmds)
    }
}
