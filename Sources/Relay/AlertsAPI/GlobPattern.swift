/// Go's `path.Match`, which Kapacitor's `?pattern=` uses: `*` (any run without `/`), `?` (one
/// character but `/`), `[a-z]`, `[^...]`, `\` escapes. A malformed pattern is an error whatever
/// the name, as Go's `validatePattern` checks with an empty name.
struct GlobPattern: Sendable {
    /// Go's `path.ErrBadPattern`.
    struct Malformed: Error, CustomStringConvertible {
        var description: String { "syntax error in pattern" }
    }

    /// Longer patterns are refused: matching costs grow with length times name length per star.
    static let maxLength = 512

    private let pattern: [Unicode.Scalar]

    /// Parses and validates `text` (`""` matches everything, as Kapacitor's `PatternMatch`).
    init(_ text: String) throws(Malformed) {
        pattern = Array(text.unicodeScalars)
        guard pattern.count <= Self.maxLength else { throw Malformed() }
        if !pattern.isEmpty { _ = try match([]) }
    }

    /// Whether `name` matches (always, for the empty pattern).
    func matches(_ name: String) -> Bool {
        pattern.isEmpty || ((try? match(Array(name.unicodeScalars))) ?? false)
    }

    private func match(_ nameScalars: [Unicode.Scalar]) throws(Malformed) -> Bool {
        var p = pattern[...]
        var name = nameScalars[...]
        outer: while !p.isEmpty {
            let (star, chunk, rest) = Self.scanChunk(p)
            p = rest
            if star && chunk.isEmpty { return !name.contains("/") }
            let (t, ok) = try Self.matchChunk(chunk, name)
            if ok && (t.isEmpty || !p.isEmpty) {
                name = t
                continue
            }
            if star {
                var i = name.startIndex
                while i < name.endIndex && name[i] != "/" {
                    let (t, ok) = try Self.matchChunk(chunk, name[(i + 1)...])
                    if ok {
                        if p.isEmpty && !t.isEmpty {
                            i += 1
                            continue
                        }
                        name = t
                        continue outer
                    }
                    i += 1
                }
            }
            while !p.isEmpty {
                let (_, chunk, rest) = Self.scanChunk(p)
                p = rest
                _ = try Self.matchChunk(chunk, [][...])
            }
            return false
        }
        return name.isEmpty
    }

    private static func scanChunk(_ p: ArraySlice<Unicode.Scalar>) -> (Bool, ArraySlice<Unicode.Scalar>, ArraySlice<Unicode.Scalar>) {
        var p = p
        var star = false
        while p.first == "*" {
            p = p.dropFirst()
            star = true
        }
        var inRange = false
        var i = p.startIndex
        scan: while i < p.endIndex {
            switch p[i] {
            case "\\": if i + 1 < p.endIndex { i += 1 }
            case "[": inRange = true
            case "]": inRange = false
            case "*": if !inRange { break scan }
            default: break
            }
            i += 1
        }
        return (star, p[p.startIndex..<i], p[i...])
    }

    private static func matchChunk(_ chunk: ArraySlice<Unicode.Scalar>, _ s: ArraySlice<Unicode.Scalar>) throws(Malformed)
        -> (ArraySlice<Unicode.Scalar>, Bool) {
        var chunk = chunk, s = s
        var failed = false
        while let c = chunk.first {
            if !failed && s.isEmpty { failed = true }
            switch c {
            case "[":
                var r: Unicode.Scalar = "\0"
                if !failed { r = s.removeFirst() }
                chunk = chunk.dropFirst()
                var negated = false
                if chunk.first == "^" {
                    negated = true
                    chunk = chunk.dropFirst()
                }
                var matched = false
                var ranges = 0
                while true {
                    if chunk.first == "]" && ranges > 0 {
                        chunk = chunk.dropFirst()
                        break
                    }
                    let lo = try escaped(&chunk)
                    var hi = lo
                    if chunk.first == "-" {
                        chunk = chunk.dropFirst()
                        hi = try escaped(&chunk)
                    }
                    if lo <= r && r <= hi { matched = true }
                    ranges += 1
                }
                if matched == negated { failed = true }
            case "?":
                if !failed {
                    if s.first == "/" { failed = true }
                    s = s.dropFirst()
                }
                chunk = chunk.dropFirst()
            default:
                var literal = c
                if c == "\\" {
                    chunk = chunk.dropFirst()
                    guard let next = chunk.first else { throw Malformed() }
                    literal = next
                }
                if !failed {
                    if s.first != literal { failed = true }
                    s = s.dropFirst()
                }
                chunk = chunk.dropFirst()
            }
        }
        return failed ? ([][...], false) : (s, true)
    }

    /// Go's `getEsc`: one possibly escaped character of a range, which must be followed by more.
    private static func escaped(_ chunk: inout ArraySlice<Unicode.Scalar>) throws(Malformed) -> Unicode.Scalar {
        guard var c = chunk.first, c != "-", c != "]" else { throw Malformed() }
        if c == "\\" {
            chunk = chunk.dropFirst()
            guard let next = chunk.first else { throw Malformed() }
            c = next
        }
        chunk = chunk.dropFirst()
        guard !chunk.isEmpty else { throw Malformed() }
        return c
    }
}
