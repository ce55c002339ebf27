/// Each spool segment's size in bytes and their sum, kept as they change: every append checks
/// the sum against `max-size`, and adding up every segment's size per record cost a dictionary walk
/// per alert message.
struct SpoolSegmentSizes: Sendable {
    /// Size by segment number (segments with unacknowledged records, and the current one).
    private(set) var bySegment: [Int: Int64] = [:]
    /// The sum of ``bySegment``'s sizes.
    private(set) var total: Int64 = 0

    /// A segment's size; setting nil forgets the segment.
    subscript(segment: Int) -> Int64? {
        get { bySegment[segment] }
        set {
            total += (newValue ?? 0) - (bySegment[segment] ?? 0)
            bySegment[segment] = newValue
        }
    }

    /// The oldest segment held.
    var oldest: Int? { bySegment.keys.min() }
}
