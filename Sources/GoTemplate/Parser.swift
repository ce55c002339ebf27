/// A parse error with Go's wording: `template: NAME:LINE: message`.
public struct TemplateParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole message, as Go's `err.Error()` prints it.
    public var description: String
}

/// One parsed template (a `define`d one or the top level).
struct Tree: Sendable {
    var name: String
    var root: ListNode
}

/// Go's text/template parser: the same trees, the same errors.
struct Parser {
    private var items: [Item]
    private var index = 0
    private var token: [Item] = Array(repeating: Item(type: .eof, pos: 0, value: "", line: 0), count: 3)
    private var peekCount = 0
    private var vars: [String] = ["$"]
    private var actionLine = 0
    private var rangeDepth = 0
    private let functions: Set<String>
    private let parseName: String
    private var treeName: String
    /// Trees by name, shared by the top level and its definitions.
    private(set) var trees: [String: Tree] = [:]
    private var order: [String] = []

    private struct Failure: Error { var message: String }

    init(name: String, text: String, leftDelim: String, rightDelim: String, functions: Set<String>) {
        self.items = Lexer.lex(text, leftDelim: leftDelim, rightDelim: rightDelim,
                               breakOK: !functions.contains("break"), continueOK: !functions.contains("continue"))
        self.functions = functions
        self.parseName = name
        self.treeName = name
    }

    /// Parses `text`; returns the trees it defines (the top level under `name`).
    static func parse(name: String, text: String, leftDelim: String = "", rightDelim: String = "",
                      functions: Set<String>, into existing: [String: Tree] = [:]) throws(TemplateParseError) -> [String: Tree] {
        var p = Parser(name: name, text: text, leftDelim: leftDelim, rightDelim: rightDelim, functions: functions)
        p.trees = existing
        do {
            let root = try p.parseTop()
            try p.add(Tree(name: name, root: root))
        } catch {
            throw TemplateParseError(description: (error as? Failure)?.message ?? "\(error)")
        }
        return p.trees
    }

    // MARK: Tokens

    private mutating func lexNext() -> Item {
        if index < items.count {
            index += 1
            return items[index - 1]
        }
        return items.last ?? Item(type: .eof, pos: 0, value: "", line: 1)
    }

    private mutating func next() -> Item {
        if peekCount > 0 {
            peekCount -= 1
        } else {
            token[0] = lexNext()
        }
        return token[peekCount]
    }

    private mutating func backup() { peekCount += 1 }

    private mutating func backup2(_ t1: Item) {
        token[1] = t1
        peekCount = 2
    }

    private mutating func backup3(_ t2: Item, _ t1: Item) {
        token[1] = t1
        token[2] = t2
        peekCount = 3
    }

    private mutating func peek() -> Item {
        if peekCount > 0 { return token[peekCount - 1] }
        peekCount = 1
        token[0] = lexNext()
        return token[0]
    }

    private mutating func nextNonSpace() -> Item {
        while true {
            let t = next()
            if t.type != .space { return t }
        }
    }

    private mutating func peekNonSpace() -> Item {
        let t = nextNonSpace()
        backup()
        return t
    }

    // MARK: Errors

    private func errorf(_ message: String) -> Failure {
        Failure(message: "template: \(parseName):\(token[0].line): \(message)")
    }

    private func unexpected(_ token: Item, _ context: String) -> Failure {
        if token.type == .error {
            var extra = ""
            if actionLine != 0 && actionLine != token.line {
                extra = " in action started at \(parseName):\(actionLine)"
                if token.value.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            return errorf("\(token.description)\(extra)")
        }
        return errorf("unexpected \(token.description) in \(context)")
    }

    private mutating func expect(_ expected: ItemType, _ context: String) throws -> Item {
        let t = nextNonSpace()
        if t.type != expected { throw unexpected(t, context) }
        return t
    }

    private mutating func expectOneOf(_ a: ItemType, _ b: ItemType, _ context: String) throws -> Item {
        let t = nextNonSpace()
        if t.type != a && t.type != b { throw unexpected(t, context) }
        return t
    }

    // MARK: Trees

    private mutating func add(_ tree: Tree) throws {
        if let existing = trees[tree.name], !Self.isEmpty(.list(existing.root)) {
            if !Self.isEmpty(.list(tree.root)) {
                throw errorf("template: multiple definition of template \(GoQuote.quote(tree.name))")
            }
            return
        }
        trees[tree.name] = tree
    }

    /// Go's `IsEmptyTree`.
    static func isEmpty(_ n: Node) -> Bool {
        switch n {
        case .comment: return true
        case .list(let l): return l.nodes.allSatisfy { isEmpty($0) }
        case .text(_, let t): return t.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" || $0 == "\u{85}" || $0 == "\u{A0}" }
        default: return false
        }
    }

    private mutating func parseTop() throws -> ListNode {
        let pos = peek().pos
        var nodes: [Node] = []
        while peek().type != .eof {
            if peek().type == .leftDelim {
                let delim = next()
                if nextNonSpace().type == .define {
                    try parseDefinition()
                    continue
                }
                backup2(delim)
            }
            let n = try textOrAction()
            switch n {
            case .end, .elseNode: throw errorf("unexpected \(n.description)")
            default: nodes.append(n)
            }
        }
        return ListNode(pos: pos, nodes: nodes)
    }

    private mutating func parseDefinition() throws {
        let context = "define clause"
        let nameItem = try expectOneOf(.string, .rawString, context)
        let name: String
        do { name = try GoStrconv.unquote(nameItem.value) } catch { throw errorf("invalid syntax") }
        _ = try expect(.rightDelim, context)
        let savedVars = vars
        vars = ["$"]
        let (list, end) = try itemList()
        vars = savedVars
        guard case .end = end else { throw errorf("unexpected \(end.description) in \(context)") }
        try add(Tree(name: name, root: list))
    }

    private mutating func itemList() throws -> (ListNode, Node) {
        let pos = peekNonSpace().pos
        var nodes: [Node] = []
        while peekNonSpace().type != .eof {
            let n = try textOrAction()
            switch n {
            case .end, .elseNode: return (ListNode(pos: pos, nodes: nodes), n)
            default: nodes.append(n)
            }
        }
        throw errorf("unexpected EOF")
    }

    private mutating func textOrAction() throws -> Node {
        let t = nextNonSpace()
        switch t.type {
        case .text:
            return .text(pos: t.pos, text: t.value)
        case .leftDelim:
            actionLine = t.line
            defer { actionLine = 0 }
            return try action()
        case .comment:
            return .comment(pos: t.pos, text: t.value)
        default:
            throw unexpected(t, "input")
        }
    }

    private mutating func action() throws -> Node {
        let t = nextNonSpace()
        switch t.type {
        case .block: return try blockControl()
        case .breakKeyword: return try breakControl(t.pos, t.line, "{{break}}")
        case .continueKeyword: return try breakControl(t.pos, t.line, "{{continue}}")
        case .elseKeyword: return try elseControl()
        case .end: return .end(pos: try expect(.rightDelim, "end").pos)
        case .ifKeyword: return .ifNode(try parseControl(allowElseIf: true, "if"))
        case .range: return .rangeNode(try parseControl(allowElseIf: false, "range"))
        case .template: return try templateControl()
        case .with: return .withNode(try parseControl(allowElseIf: false, "with"))
        default:
            backup()
            let t2 = peek()
            return .action(ActionNode(pos: t2.pos, line: t2.line, pipe: try pipeline("command", end: .rightDelim)))
        }
    }

    private mutating func breakControl(_ pos: Int, _ line: Int, _ name: String) throws -> Node {
        let t = nextNonSpace()
        if t.type != .rightDelim { throw unexpected(t, name) }
        if rangeDepth == 0 { throw errorf("\(name) outside {{range}}") }
        return name == "{{break}}" ? .breakNode(pos: pos, line: line) : .continueNode(pos: pos, line: line)
    }

    private mutating func pipeline(_ context: String, end: ItemType) throws -> PipeNode {
        let first = peekNonSpace()
        var isAssign = false
        var decl: [VariableNode] = []
        var cmds: [CommandNode] = []
        decls: while true {
            let v = peekNonSpace()
            guard v.type == .variable else { break }
            _ = next()
            let tokenAfterVariable = peek()
            let nxt = peekNonSpace()
            if nxt.type == .assign || nxt.type == .declare {
                isAssign = nxt.type == .assign
                _ = nextNonSpace()
                decl.append(VariableNode(pos: v.pos, ident: v.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)))
                vars.append(v.value)
            } else if nxt.type == .char && nxt.value == "," {
                _ = nextNonSpace()
                decl.append(VariableNode(pos: v.pos, ident: v.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)))
                vars.append(v.value)
                if context == "range" && decl.count < 2 {
                    switch peekNonSpace().type {
                    case .variable, .rightDelim, .rightParen:
                        continue decls
                    default:
                        throw errorf("range can only initialize variables")
                    }
                }
                throw errorf("too many declarations in \(context)")
            } else if tokenAfterVariable.type == .space {
                backup3(v, tokenAfterVariable)
            } else {
                backup2(v)
            }
            break
        }
        while true {
            let t = nextNonSpace()
            switch t.type {
            case end:
                let pipe = PipeNode(pos: first.pos, line: first.line, isAssign: isAssign, decl: decl, cmds: cmds)
                try checkPipeline(pipe, context)
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string,
                 .variable, .leftParen:
                backup()
                cmds.append(try command())
            default:
                throw unexpected(t, context)
            }
        }
    }

    private func checkPipeline(_ pipe: PipeNode, _ context: String) throws {
        if pipe.cmds.isEmpty { throw errorf("missing value for \(context)") }
        for (i, c) in pipe.cmds.dropFirst().enumerated() {
            switch c.args[0] {
            case .bool, .dot, .nilValue, .number, .string:
                throw errorf("non executable command in pipeline stage \(i + 2)")
            default:
                continue
            }
        }
    }

    private mutating func parseControl(allowElseIf: Bool, _ context: String) throws -> BranchNode {
        let savedVars = vars.count
        defer { vars.removeLast(vars.count - savedVars) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        var (list, nxt) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: ListNode?
        if case .elseNode = nxt {
            if allowElseIf && peek().type == .ifKeyword {
                _ = next()
                elseList = ListNode(pos: nxt.pos, nodes: [.ifNode(try parseControl(allowElseIf: true, "if"))])
            } else {
                let (l, n2) = try itemList()
                elseList = l
                nxt = n2
                guard case .end = nxt else { throw errorf("expected end; found \(nxt.description)") }
            }
        }
        return BranchNode(pos: pipe.pos, line: pipe.line, pipe: pipe, list: list, elseList: elseList)
    }

    private mutating func elseControl() throws -> Node {
        let p = peekNonSpace()
        if p.type == .ifKeyword { return .elseNode(pos: p.pos, line: p.line) }
        let t = try expect(.rightDelim, "else")
        return .elseNode(pos: t.pos, line: t.line)
    }

    private mutating func blockControl() throws -> Node {
        let context = "block clause"
        let t = nextNonSpace()
        let name = try templateName(t, context)
        let pipe = try pipeline(context, end: .rightDelim)
        // The block's body is a tree of its own: its own variables, outside any range.
        let savedVars = vars
        let savedDepth = rangeDepth
        vars = ["$"]
        rangeDepth = 0
        let (list, end) = try itemList()
        vars = savedVars
        rangeDepth = savedDepth
        guard case .end = end else { throw errorf("unexpected \(end.description) in \(context)") }
        try add(Tree(name: name, root: list))
        return .template(TemplateNode(pos: t.pos, line: t.line, name: name, pipe: pipe))
    }

    private mutating func templateControl() throws -> Node {
        let context = "template clause"
        let t = nextNonSpace()
        let name = try templateName(t, context)
        var pipe: PipeNode?
        if nextNonSpace().type != .rightDelim {
            backup()
            pipe = try pipeline(context, end: .rightDelim)
        }
        return .template(TemplateNode(pos: t.pos, line: t.line, name: name, pipe: pipe))
    }

    private func templateName(_ t: Item, _ context: String) throws -> String {
        switch t.type {
        case .string, .rawString:
            do { return try GoStrconv.unquote(t.value) } catch { throw errorf("invalid syntax") }
        default:
            throw unexpected(t, context)
        }
    }

    private mutating func command() throws -> CommandNode {
        let pos = peekNonSpace().pos
        var args: [Arg] = []
        while true {
            _ = peekNonSpace()
            if let operand = try operand() { args.append(operand) }
            let t = next()
            switch t.type {
            case .space: continue
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(t, "operand")
            }
            break
        }
        if args.isEmpty { throw errorf("empty command") }
        return CommandNode(pos: pos, args: args)
    }

    private mutating func operand() throws -> Arg? {
        guard var node = try term() else { return nil }
        if peek().type == .field {
            let chainPos = peek().pos
            var fields: [String] = []
            while peek().type == .field {
                fields.append(String(next().value.dropFirst()))
            }
            let chainText = Arg.chain(pos: chainPos, node: node, fields: fields).description
            switch node {
            case .field:
                node = .field(pos: chainPos, ident: chainText.split(separator: ".", omittingEmptySubsequences: true).map(String.init))
            case .variable:
                node = .variable(VariableNode(pos: chainPos, ident: chainText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)))
            case .bool, .string, .number, .nilValue, .dot:
                throw errorf("unexpected . after term \(GoQuote.quote(node.description))")
            default:
                node = .chain(pos: chainPos, node: node, fields: fields)
            }
        }
        return node
    }

    private mutating func term() throws -> Arg? {
        let t = nextNonSpace()
        switch t.type {
        case .identifier:
            if !functions.contains(t.value) { throw errorf("function \(GoQuote.quote(t.value)) not defined") }
            return .identifier(pos: t.pos, name: t.value)
        case .dot: return .dot(pos: t.pos)
        case .nilKeyword: return .nilValue(pos: t.pos)
        case .variable:
            let ident = t.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard vars.contains(ident[0]) else { throw errorf("undefined variable \(GoQuote.quote(ident[0]))") }
            return .variable(VariableNode(pos: t.pos, ident: ident))
        case .field:
            return .field(pos: t.pos, ident: t.value.split(separator: ".", omittingEmptySubsequences: true).map(String.init))
        case .bool: return .bool(pos: t.pos, value: t.value == "true")
        case .charConstant, .complex, .number:
            return .number(try number(t))
        case .leftParen:
            return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            do {
                return .string(pos: t.pos, quoted: t.value, text: try GoStrconv.unquote(t.value))
            } catch {
                throw errorf("invalid syntax")
            }
        default:
            backup()
            return nil
        }
    }

    private func number(_ t: Item) throws -> NumberNode {
        var n = NumberNode(pos: t.pos, text: t.value)
        let text = t.value
        switch t.type {
        case .charConstant:
            let scalars = Substring(text).unicodeScalars
            guard let q = scalars.first else { throw errorf("invalid syntax") }
            let r: Unicode.Scalar
            let tail: Substring.UnicodeScalarView
            do { (r, tail) = try GoStrconv.unquoteChar(scalars.dropFirst(), quote: q) } catch { throw errorf("invalid syntax") }
            guard String(tail) == "'" else { throw errorf("malformed character constant: \(text)") }
            n.int64 = Int64(r.value)
            n.isInt = true
            n.uint64 = UInt64(r.value)
            n.isUint = true
            n.float64 = Double(r.value)
            n.isFloat = true
            return n
        case .complex:
            // `1+2i`: real and imaginary parts.
            guard let split = text.dropFirst().lastIndex(where: { $0 == "+" || $0 == "-" }),
                  let re = GoStrconv.parseFloat(String(text[..<split])),
                  let im = GoStrconv.parseFloat(String(text[split...].dropLast())) else {
                throw errorf("expected integer")
            }
            n.isComplex = true
            n.complexReal = re
            n.complexImag = im
            simplifyComplex(&n)
            return n
        default:
            break
        }
        if text.hasSuffix("i"), let f = GoStrconv.parseFloat(String(text.dropLast())) {
            n.isComplex = true
            n.complexReal = 0
            n.complexImag = f
            simplifyComplex(&n)
            return n
        }
        let u = GoStrconv.parseUint(text)
        if let u {
            n.isUint = true
            n.uint64 = u
        }
        if let i = GoStrconv.parseInt(text) {
            n.isInt = true
            n.int64 = i
            if i == 0 {
                n.isUint = true
                n.uint64 = u ?? 0
            }
        }
        if n.isInt {
            n.isFloat = true
            n.float64 = Double(n.int64)
        } else if n.isUint {
            n.isFloat = true
            n.float64 = Double(n.uint64)
        } else if let f = GoStrconv.parseFloat(text) {
            if !text.contains(where: { ".eEpP".contains($0) }) {
                throw errorf("integer overflow: \(GoQuote.quote(text))")
            }
            n.isFloat = true
            n.float64 = f
            if let i = Int64(exactly: f) {
                n.isInt = true
                n.int64 = i
            }
            if let u = UInt64(exactly: f) {
                n.isUint = true
                n.uint64 = u
            }
        }
        if !n.isInt && !n.isUint && !n.isFloat { throw errorf("illegal number syntax: \(GoQuote.quote(text))") }
        return n
    }

    private func simplifyComplex(_ n: inout NumberNode) {
        n.isFloat = n.complexImag == 0
        if n.isFloat {
            n.float64 = n.complexReal
            if let i = Int64(exactly: n.float64) {
                n.isInt = true
                n.int64 = i
            }
            if let u = UInt64(exactly: n.float64) {
                n.isUint = true
                n.uint64 = u
            }
        }
    }
}
