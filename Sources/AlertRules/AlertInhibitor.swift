import LineProtocol

/// `.inhibit(category, tags...)` / `inhibit: [{category, tags}]` (Kapacitor 1.5's alert-node
/// inhibitor): while a group of this rule is in a non-OK state, events of every rule in
/// `category` whose tags have that group's values of `equalTags` are not sent to handlers (their
/// state still advances, as in Kapacitor).
public struct AlertInhibitor: Sendable, Equatable {
    public var category: String
    /// Tags whose values must be equal between this rule's group and the inhibited alert.
    public var equalTags: [String]

    public init(category: String, equalTags: [String]) {
        self.category = category
        self.equalTags = equalTags
    }

    /// The tag set a group holds inhibited (Kapacitor's `newAlertState`): each equal tag with the
    /// group's value of it, "" when the group has no such tag; sorted by key, one per key.
    func tagSet(groupTags: [Tag]) -> [Tag] {
        var keys = Array(Set(equalTags))
        keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return keys.map { k in Tag(key: k, value: groupTags.first { $0.key == k }?.value ?? "") }
    }
}
