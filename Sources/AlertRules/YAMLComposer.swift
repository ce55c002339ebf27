import CYAML

/// Composes the system libyaml's event stream (`yaml_parser_parse`) into `YAMLNode` documents.
///
/// One instance reads one file's text once. Aliases are resolved to the anchored node (values
/// share storage, nothing is copied); each document has its own anchors, as YAML says. What an
/// untrusted file can make the loaders walk is bounded: the nodes of all documents, every alias
/// counted as the whole subtree it stands for, are capped at `maximumNodes` (an alias bomb is
/// refused at the alias that crosses the cap, after linear work), and nesting at `maximumDepth`
/// (the composer recurses).
final class YAMLComposer {
    /// At most this many nodes per file, aliases expanded (a rule is ~20-50 nodes).
    static let maximumNodes = 1_000_000
    /// At most this many nested collections.
    static let maximumDepth = 256

    private let file: String
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let started: Bool
    /// Per document: anchor name → the node and its size with aliases expanded.
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    /// Nodes composed so far in this file, aliases expanded.
    private var total = 0

    /// The root nodes of every document in `text`; libyaml's errors as file:line:column.
    static func documents(_ text: String, file: String) throws(RuleLoadError) -> [YAMLNode] {
        let composer = YAMLComposer(text, file: file)
        return try composer.documents()
    }

    private init(_ text: String, file: String) {
        self.file = file
        // libyaml keeps pointers to the parser (its read handler's data) and to the input for the
        // whole parse, so both live at fixed addresses until deinit.
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        let utf8 = Array(text.utf8)
        input = .allocate(capacity: max(utf8.count, 1))
        _ = input.initialize(from: utf8)
        started = yaml_parser_initialize(parser) == 1
        if started {
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, input.baseAddress, utf8.count)
        }
    }

    deinit {
        if started { yaml_parser_delete(parser) }
        parser.deinitialize(count: 1)
        parser.deallocate()
        input.deallocate()
    }

    // MARK: Events

    /// One libyaml event, copied out of libyaml's memory.
    private enum Event {
        case streamStart, streamEnd, documentStart, documentEnd, sequenceEnd, mappingEnd
        case alias(anchor: String, YAMLNode.Mark)
        case scalar(String, anchor: String?, tag: String?, style: YAMLNode.Style, YAMLNode.Mark)
        case sequenceStart(anchor: String?, tag: String?, YAMLNode.Mark)
        case mappingStart(anchor: String?, tag: String?, YAMLNode.Mark)
    }

    private func next() throws(RuleLoadError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw parserError() }
        defer { yaml_event_delete(&event) }
        let mark = YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        func text(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? { p.map { String(cString: $0) } }
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: text(event.data.alias.anchor) ?? "", mark)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            // The value may hold NUL characters: read it by its length.
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            let style: YAMLNode.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            return .scalar(value, anchor: text(s.anchor), tag: text(s.tag), style: style, mark)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return .sequenceStart(anchor: text(s.anchor), tag: text(s.tag), mark)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return .mappingStart(anchor: text(m.anchor), tag: text(m.tag), mark)
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: throw RuleLoadError(SourceLocation(file: file, line: mark.line, column: mark.column), "YAML: unexpected event \(event.type.rawValue)")
        }
    }

    /// libyaml's error as Yams reported it: "YAML: problem (context at line N)" at the problem's mark.
    private func parserError() -> RuleLoadError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown error"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return RuleLoadError(SourceLocation(file: file, line: 1, column: 1), "YAML: out of memory")
        case YAML_READER_ERROR:
            // The reader reports a byte offset, not a mark.
            let (line, column) = position(ofByte: p.problem_offset)
            let value = p.problem_value >= 0 ? " (#x\(String(p.problem_value, radix: 16, uppercase: true)))" : ""
            return RuleLoadError(SourceLocation(file: file, line: line, column: column), "YAML: \(problem)\(value)")
        default:
            let context = p.context.map { " (\(String(cString: $0)) at line \(p.context_mark.line + 1))" } ?? ""
            return RuleLoadError(
                SourceLocation(file: file, line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1),
                "YAML: \(problem)\(context)")
        }
    }

    /// 1-based line and column (characters) of a byte offset into the input.
    private func position(ofByte offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        var i = 0
        let end = min(offset, input.count)
        while i < end {
            let b = input[i]
            if b == 0x0A || (b == 0x0D && (i + 1 >= end || input[i + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80, b != 0x0D {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    // MARK: Composition

    private func documents() throws(RuleLoadError) -> [YAMLNode] {
        guard started else { throw RuleLoadError(SourceLocation(file: file, line: 1, column: 1), "YAML: out of memory") }
        guard case .streamStart = try next() else { throw error(YAMLNode.Mark(line: 1, column: 1), "expected the start of a stream") }
        var docs: [YAMLNode] = []
        while true {
            switch try next() {
            case .streamEnd:
                return docs
            case .documentStart:
                anchors = [:]
                let (root, _) = try node(try next(), depth: 0)
                guard case .documentEnd = try next() else { throw error(root.mark, "expected the end of the document") }
                docs.append(root)
            default:
                throw error(YAMLNode.Mark(line: 1, column: 1), "expected a document")
            }
        }
    }

    private func error(_ mark: YAMLNode.Mark, _ message: String) -> RuleLoadError {
        RuleLoadError(SourceLocation(file: file, line: mark.line, column: mark.column), "YAML: \(message)")
    }

    /// Counts `size` more nodes for the file; throws once the file passes `maximumNodes`.
    private func count(_ size: Int, at mark: YAMLNode.Mark) throws(RuleLoadError) {
        total += size
        if total > Self.maximumNodes {
            throw error(mark, "more than \(Self.maximumNodes) nodes with aliases expanded (aliases nested to multiply a document are refused)")
        }
    }

    /// The node that starts with `event`, and its size with aliases expanded.
    private func node(_ event: Event, depth: Int) throws(RuleLoadError) -> (YAMLNode, Int) {
        switch event {
        case .alias(let name, let mark):
            guard let anchored = anchors[name] else { throw error(mark, "found undefined alias \"\(name)\"") }
            try count(anchored.size, at: mark)
            return (anchored.node, anchored.size)
        case .scalar(let value, let anchor, let tag, let written, let mark):
            let scalar = YAMLNode.Scalar(string: value, style: try typedStyle(value, tag: tag, written: written, at: mark),
                                         writtenStyle: written, mark: mark)
            try count(1, at: mark)
            return register(anchor, .scalar(scalar), size: 1)
        case .sequenceStart(let anchor, let tag, let mark):
            try checkCollection(tag: tag, expected: "seq", at: mark, depth: depth)
            try count(1, at: mark)
            var items: [YAMLNode] = []
            var size = 1
            while true {
                let e = try next()
                if case .sequenceEnd = e { break }
                let (item, n) = try node(e, depth: depth + 1)
                items.append(item)
                size += n
            }
            return register(anchor, .sequence(YAMLNode.Sequence(items: items, mark: mark)), size: size)
        case .mappingStart(let anchor, let tag, let mark):
            try checkCollection(tag: tag, expected: "map", at: mark, depth: depth)
            try count(1, at: mark)
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var size = 1
            while true {
                let e = try next()
                if case .mappingEnd = e { break }
                let (key, k) = try node(e, depth: depth + 1)
                let (value, v) = try node(try next(), depth: depth + 1)
                pairs.append((key, value))
                size += k + v
            }
            return register(anchor, .mapping(YAMLNode.Mapping(pairs: pairs, mark: mark)), size: size)
        default:
            throw error(YAMLNode.Mark(line: Int(parser.pointee.mark.line) + 1, column: Int(parser.pointee.mark.column) + 1), "expected a node")
        }
    }

    private func register(_ anchor: String?, _ node: YAMLNode, size: Int) -> (YAMLNode, Int) {
        // A later anchor of the same name shadows the earlier one, as YAML says.
        if let anchor { anchors[anchor] = (node, size) }
        return (node, size)
    }

    private static let core = "tag:yaml.org,2002:"

    /// `!!name` for a core tag, the tag itself otherwise (as the file would write it).
    private static func display(_ tag: String) -> String {
        tag.hasPrefix(core) ? "!!" + tag.dropFirst(core.count) : tag
    }

    private func checkCollection(tag: String?, expected: String, at mark: YAMLNode.Mark, depth: Int) throws(RuleLoadError) {
        if depth >= Self.maximumDepth { throw error(mark, "collections nested deeper than \(Self.maximumDepth) levels") }
        if let tag, tag != "!", tag != Self.core + expected {
            throw error(mark, "tag \(Self.display(tag)) on a \(expected == "seq" ? "list" : "mapping"): alertrelay reads only !!\(expected) here")
        }
    }

    /// An explicit tag decides how the loaders type a scalar: `!!str` (or `!`) makes it a string,
    /// `!!int`, `!!float`, `!!bool` and `!!null` make its text decide even when quoted (and the
    /// text must be one).
    private func typedStyle(_ value: String, tag: String?, written: YAMLNode.Style, at mark: YAMLNode.Mark) throws(RuleLoadError) -> YAMLNode.Style {
        guard let tag else { return written }
        let name = tag.hasPrefix(Self.core) ? String(tag.dropFirst(Self.core.count)) : tag
        let valid: Bool
        switch name {
        case "!", "str":
            return written == .plain ? .singleQuoted : written
        case "int": valid = Int64(value) != nil
        case "float": valid = Double(value) != nil
        case "bool": valid = ["true", "True", "TRUE", "false", "False", "FALSE"].contains(value)
        case "null": valid = ["", "~", "null", "Null", "NULL"].contains(value)
        default:
            throw error(mark, "unsupported tag \(Self.display(tag)) on \"\(value)\" (scalars may be tagged !!str, !!int, !!float, !!bool or !!null)")
        }
        guard valid else { throw error(mark, "\"\(value)\" is not a valid !!\(name)") }
        return .plain
    }
}
