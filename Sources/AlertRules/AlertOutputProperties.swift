import LineProtocol

/// The alert node's output properties (Kapacitor's `idTag`, `levelTag`, `idField`, `levelField`,
/// `messageField`, `durationField`): what the alert node adds to each point it emits downstream
/// (what an `httpOut` after it serves) — the alert's ID and level as tags or string fields, its
/// message as a string field, its duration as an integer field in nanoseconds. The alert data
/// handlers receive is not changed: Kapacitor builds the event from the point before adding them.
public struct AlertOutputProperties: Sendable, Equatable {
    public var idTag: String?
    public var levelTag: String?
    public var idField: String?
    public var levelField: String?
    public var messageField: String?
    public var durationField: String?

    public init(idTag: String? = nil, levelTag: String? = nil, idField: String? = nil, levelField: String? = nil,
                messageField: String? = nil, durationField: String? = nil) {
        self.idTag = idTag
        self.levelTag = levelTag
        self.idField = idField
        self.levelField = levelField
        self.messageField = messageField
        self.durationField = durationField
    }

    /// No property set: the alert node emits its points unchanged.
    public var isEmpty: Bool { self == AlertOutputProperties() }

    /// `point` as the alert node emits it for an event (Kapacitor's `augmentTagsWithEventState`
    /// then `augmentFieldsWithEventState`): tags level then ID, fields level, message, ID,
    /// duration, each replacing a tag or field of the same key (so a later one wins).
    public func apply(to point: Point, id: String, level: AlertLevel, message: String, duration: Int64) -> Point {
        guard !isEmpty else { return point }
        var tags = Array(point.tags)
        if let k = levelTag { Self.set(&tags, Tag(key: k, value: level.description)) }
        if let k = idTag { Self.set(&tags, Tag(key: k, value: id)) }
        var fields = Array(point.fields)
        if let k = levelField { Self.set(&fields, Field(key: k, value: .string(level.description))) }
        if let k = messageField { Self.set(&fields, Field(key: k, value: .string(message))) }
        if let k = idField { Self.set(&fields, Field(key: k, value: .string(id))) }
        if let k = durationField { Self.set(&fields, Field(key: k, value: .integer(duration))) }
        return Point(measurement: point.measurement, tags: tags, fields: fields, time: point.time)
    }

    /// Sets a tag, keeping the tags sorted by key as points hold them.
    private static func set(_ tags: inout [Tag], _ tag: Tag) {
        if let i = tags.firstIndex(where: { $0.key == tag.key }) {
            tags[i] = tag
            return
        }
        let at = tags.firstIndex { $0.key.utf8.lexicographicallyPrecedes(tag.key.utf8) == false } ?? tags.count
        tags.insert(tag, at: at)
    }

    /// Sets a field: the point then holds it once, with this value.
    private static func set(_ fields: inout [Field], _ field: Field) {
        fields.removeAll { $0.key == field.key }
        fields.append(field)
    }
}
