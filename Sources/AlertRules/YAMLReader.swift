import GoDuration
import NameSuggestion

/// One problem in a rule or handler file: where and what.
public struct RuleLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// Every problem found while loading rule and handler files.
public struct RuleLoadErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [RuleLoadError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A YAML node with its file, and typed accessors whose errors name file, line and column.
struct YAMLValue {
    let node: YAMLNode
    let file: String

    var location: SourceLocation {
        let m = node.mark
        return SourceLocation(file: file, line: m.line, column: m.column)
    }

    func error(_ message: String) -> RuleLoadError { RuleLoadError(location, message) }

    static func describe(_ n: YAMLNode) -> String {
        switch n {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    func string(_ what: String) throws(RuleLoadError) -> String {
        guard case .scalar(let s) = node else { throw error("\(what) must be a string, not \(Self.describe(node))") }
        return s.string
    }

    func bool(_ what: String) throws(RuleLoadError) -> Bool {
        guard case .scalar(let s) = node else { throw error("\(what) must be true or false, not \(Self.describe(node))") }
        switch s.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error("\(what) must be true or false, not \"\(s.string)\"")
        }
    }

    func int(_ what: String) throws(RuleLoadError) -> Int {
        guard case .scalar(let s) = node, let i = Int(s.string) else { throw error("\(what) must be an integer") }
        return i
    }

    func double(_ what: String) throws(RuleLoadError) -> Double {
        guard case .scalar(let s) = node, let d = Double(s.string) else { throw error("\(what) must be a number") }
        return d
    }

    /// A duration: TICKscript literals (`5m`, `1d`, `2w`) or Go's (`1h30m`).
    func duration(_ what: String) throws(RuleLoadError) -> Int64 {
        let text = try string(what)
        if let d = LambdaDuration.parse(text), text.unicodeScalars.last.map({ !("0"..."9").contains($0) }) ?? false { return d }
        do { return try GoDuration(parsing: text).nanoseconds } catch {
            throw self.error("\(what): invalid duration \"\(text)\" (examples: 30s, 5m, 1h30m, 1d)")
        }
    }

    /// The list's items; a single value counts as a list of one.
    func list() -> [YAMLValue] {
        if case .sequence(let s) = node { return s.items.map { YAMLValue(node: $0, file: file) } }
        return [self]
    }

    /// Where character (`line`, `column`) of this scalar's text sits in the file.
    func location(ofTextLine line: Int, column: Int) -> SourceLocation {
        let base = location
        guard case .scalar(let s) = node else { return base }
        switch s.writtenStyle {
        case .literal, .folded:
            return SourceLocation(file: file, line: base.line + line, column: column)
        default:
            let quote = (s.writtenStyle == .singleQuoted || s.writtenStyle == .doubleQuoted) ? 1 : 0
            if line <= 1 { return SourceLocation(file: file, line: base.line, column: base.column + quote + column - 1) }
            return SourceLocation(file: file, line: base.line + line - 1, column: column)
        }
    }
}

/// A YAML mapping read key by key; unknown keys are errors.
struct YAMLMap {
    let value: YAMLValue
    var entries: [(key: String, keyNode: YAMLValue, value: YAMLValue)] = []

    init(_ value: YAMLValue, what: String) throws(RuleLoadError) {
        self.value = value
        guard case .mapping(let m) = value.node else { throw value.error("\(what) must be a mapping of keys to values, not \(YAMLValue.describe(value.node))") }
        var seen: Set<String> = []
        for (k, v) in m.pairs {
            let key = YAMLValue(node: k, file: value.file)
            guard case .scalar(let ks) = k else { throw key.error("\(what): keys must be strings") }
            if !seen.insert(ks.string).inserted { throw key.error("\(what): key \"\(ks.string)\" appears twice") }
            entries.append((ks.string, key, YAMLValue(node: v, file: value.file)))
        }
    }

    subscript(_ key: String) -> YAMLValue? { entries.first { $0.key == key }?.value }

    /// Throws for the first key not in `known`, suggesting the closest known one.
    func checkKeys(_ known: [String], what: String) throws(RuleLoadError) {
        if let first = unknownKeyErrors(known, what: what).first { throw first }
    }

    /// Every key not in `known`, each suggesting the closest known one (a loader that goes on
    /// after them lists them all in one run).
    func unknownKeyErrors(_ known: [String], what: String) -> [RuleLoadError] {
        entries.filter { !known.contains($0.key) }.map { e in
            let hint = NameSuggestion.closest(to: e.key, in: known).map { " (did you mean \"\($0)\"?)" } ?? ""
            return e.keyNode.error("\(what): unknown key \"\(e.key)\"\(hint); known keys: \(known.joined(separator: ", "))")
        }
    }
}

/// Parses a YAML file into its documents' root nodes, turning libyaml's errors into file:line:column.
func yamlDocuments(_ text: String, file: String) throws(RuleLoadError) -> [YAMLValue] {
    try YAMLComposer.documents(text, file: file).map { YAMLValue(node: $0, file: file) }
}
