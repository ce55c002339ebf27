/// A field value the scan decoded while checking it: its type, bits and end (where the scan
/// stopped), so decoding need not read the digits again.
struct ScannedValue {
    /// What `bits` holds (`none` in a point's field entry: a string, `bits` its text's start and
    /// length). The raw values are stored in points (``PointStorage/fieldValue(_:)``).
    enum Kind: UInt8 {
        case none = 0, float = 1, integer = 2, unsigned = 3, boolean = 4
    }
    var kind: Kind
    var bits: UInt64
    var end: Int

    static let none = ScannedValue(kind: .none, bits: 0, end: -1)
}
