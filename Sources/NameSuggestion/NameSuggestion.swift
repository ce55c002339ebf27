/// The "did you mean …?" of every file the relay reads (its TOML config, rule and handler files):
/// the known name a mistyped one is most likely meant to be.
public enum NameSuggestion {
    /// The name in `known` closest to `name` (case ignored), if it is close enough to be a typo:
    /// at most 2 edits, or a third of the name's length for longer names.
    public static func closest(to name: String, in known: [String]) -> String? {
        let target = name.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in known {
            let d = editDistance(candidate.lowercased(), target)
            if best == nil || d < best!.distance { best = (candidate, d) }
        }
        guard let best, best.distance <= max(2, name.count / 3) else { return nil }
        return best.name
    }

    /// Levenshtein distance over Unicode scalars, in time |a|·|b|: one side is always a known
    /// option name (a few dozen characters), so it is linear in the length of the name read.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = previous
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
