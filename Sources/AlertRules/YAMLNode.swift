/// A composed YAML node (aliases already resolved) with the position it starts at.
///
/// Built by `YAMLComposer` from libyaml's events; read through `YAMLValue` and `YAMLMap`.
enum YAMLNode: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// Where a node starts: 1-based line and column (characters), as libyaml's start mark + 1.
    struct Mark: Sendable, Equatable {
        var line: Int
        var column: Int
    }

    /// How a scalar is written.
    enum Style: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// A scalar's text and how it reads.
    struct Scalar: Sendable {
        var string: String
        /// How the value is typed: `.plain` when its text decides (a plain scalar, or one tagged
        /// `!!int`, `!!float`, `!!bool` or `!!null`); a quoted style when it is a string whatever
        /// its text (quoted, or tagged `!!str` or `!`). The loaders type values by this, so an
        /// explicit tag means what YAML says it means.
        var style: Style
        /// How the text is written in the file: where its characters sit (quotes, block lines).
        var writtenStyle: Style
        var mark: Mark

        init(string: String, style: Style, writtenStyle: Style, mark: Mark) {
            self.string = string
            self.style = style
            self.writtenStyle = writtenStyle
            self.mark = mark
        }

        /// A scalar the loaders make themselves (no place in a file: it reports 1:1).
        init(_ string: String) { self.init(string: string, style: .plain, writtenStyle: .plain, mark: Mark(line: 1, column: 1)) }
    }

    /// A mapping's entries in file order (duplicates are reported by `YAMLMap`, with positions).
    struct Mapping: Sendable {
        var pairs: [(key: YAMLNode, value: YAMLNode)]
        var mark: Mark

        init(pairs: [(key: YAMLNode, value: YAMLNode)], mark: Mark) {
            self.pairs = pairs
            self.mark = mark
        }

        /// A mapping the loaders make themselves (no place in a file: it reports 1:1).
        init(_ pairs: [(key: YAMLNode, value: YAMLNode)]) { self.init(pairs: pairs, mark: Mark(line: 1, column: 1)) }
    }

    /// A sequence's items in file order.
    struct Sequence: Sendable {
        var items: [YAMLNode]
        var mark: Mark
    }

    var mark: Mark {
        switch self {
        case .scalar(let s): return s.mark
        case .mapping(let m): return m.mark
        case .sequence(let s): return s.mark
        }
    }
}
