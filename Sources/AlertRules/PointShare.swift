import LineProtocol

/// What the rules that read one point share, worked out by the first of them that needs it: the
/// hash of the point's group key for each distinct `groupBy`, the key a group of that `groupBy`
/// was found under, and the value of the field a threshold level reads. With 1000 rules over 100
/// measurements a point meets ten rules, which mostly group alike and compare the same field:
/// without this each of them hashes the same tags and searches the same fields again.
///
/// Valid for one point the engine was given (``RuleEngine/process(_:emit:)``), which lives and
/// does not move while its rules run; the points steps make never use it (``matches(_:)`` is
/// false for them). Engine thread only, like the engine.
struct PointShare {
    /// The point the rest describes; nil between points.
    private(set) var point: UnsafePointer<Point>?
    /// The `groupBy` (``RuleEngine/RuleRuntime/keyerID``) `hash` and `matchedKey` are for; -1: none yet.
    var keyerID: Int32 = -1
    /// The point's group key hashed (``GroupKeyer/hash(_:)``) for `keyerID`.
    var hash: UInt64 = 0
    /// The key of a group of `keyerID` that holds the point (checked against its tags once): a
    /// later rule's group with this same key needs no byte-by-byte check.
    var matchedKey: String?
    /// The field a threshold read last (``LevelThreshold/fieldID``; -1: none yet), and what it
    /// found: nil when the compiled expression must decide (a missing or non-numeric field, a tag
    /// of the same name).
    var fieldID: Int32 = -1
    var operand: LevelThreshold.Operand?

    /// Starts on `p` (forgets the point before).
    @inline(__always)
    mutating func begin(_ p: UnsafePointer<Point>) {
        point = p
        keyerID = -1
        matchedKey = nil
        fieldID = -1
    }

    /// Forgets the point (its rules are done).
    @inline(__always)
    mutating func end() {
        point = nil
        matchedKey = nil
        fieldID = -1
    }

    /// Whether this describes `p`.
    @inline(__always)
    func matches(_ p: UnsafePointer<Point>) -> Bool { point == p }

    /// What threshold `t` compares in `p`, found once per point and field.
    @inline(__always)
    mutating func thresholdOperand(_ t: LevelThreshold, _ p: UnsafePointer<Point>) -> LevelThreshold.Operand? {
        if fieldID == t.fieldID { return operand }
        let value = LevelThreshold.operand(t.field, p)
        fieldID = t.fieldID
        operand = value
        return value
    }
}
