import GoTemplate
import LineProtocol

/// What the engine thread writes an event's texts with — the default details, the alert JSON —
/// kept by their owner (``RuleEngine`` for the details, ``AlertRouter`` for the alert JSON) and
/// reused for every event: the writer's buffer and the sorted fields grow to the largest event
/// and are then written over, so making an event's texts allocates only the texts it keeps.
///
/// Each use starts afresh (``GoJSONBytes/reset()``, ``sortFields(of:)``), so nothing of one event
/// reaches the next; what is kept leaves as a copy (``GoJSONBytes/bytes``, a `String`).
struct EventRenderBuffer: ~Copyable {
    /// The text being written.
    var writer: GoJSONBytes
    /// The point's fields as Kapacitor's map holds them (one value per key, the last one written),
    /// sorted as Go sorts strings: filled by ``sortFields(of:)``.
    private(set) var fields: [(String, FieldValue)] = []

    /// A buffer with room for `capacity` bytes of text (it grows to the largest text written).
    init(capacity: Int = 2048) {
        writer = GoJSONBytes(capacity: capacity)
        fields.reserveCapacity(16)
    }

    /// Fills ``fields`` with `point`'s fields, deduplicated and sorted (``AlertRecord/sortedFields(of:)``).
    mutating func sortFields(of point: Point) {
        AlertRecord.fields(of: point, into: &fields, sorted: true)
    }
}
