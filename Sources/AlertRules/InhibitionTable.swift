import LineProtocol

/// The active inhibitors of all rules (Kapacitor's `InhibitorLookup`), by category: each tag set
/// with the number of groups that hold it active, so a group's recovery releases only its own.
struct InhibitionTable {
    private var active: [String: [[Tag]: Int]] = [:]

    mutating func add(category: String, tags: [Tag]) {
        active[category, default: [:]][tags, default: 0] += 1
    }

    mutating func remove(category: String, tags: [Tag]) {
        guard let n = active[category]?[tags] else { return }
        if n > 1 {
            active[category]![tags] = n - 1
        } else {
            active[category]![tags] = nil
            if active[category]!.isEmpty { active[category] = nil }
        }
    }

    mutating func removeAll() { active = [:] }

    /// Kapacitor's `IsInhibited`: an active inhibitor of `category` whose every tag `tags` has
    /// with the same value (a tag the alert lacks has the value "", as a Go map lookup gives).
    func isInhibited(category: String, tags: Point.Tags) -> Bool {
        guard let sets = active[category] else { return false }
        for set in sets.keys where set.allSatisfy({ t in (tags.first { $0.key == t.key }?.value ?? "") == t.value }) {
            return true
        }
        return false
    }
}
