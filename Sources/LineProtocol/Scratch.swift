/// Reusable per-call buffers, so a line costs no temporary allocations: for the tags, each one's
/// start (plus a sentinel) and `=`, and their order sorted by key; for the fields, each unquoted
/// `=` with the value the scan decoded there, and each comma between fields.
///
/// The scanning loops copy the pointers and counts into locals (stores through the pointers could
/// otherwise alias the struct and force reloads) and call ``growTags()``/``growFields()`` only
/// when a line has more than the capacity.
struct Scratch: ~Copyable {
    private(set) var tagCapacity = 64
    private(set) var tagStarts: UnsafeMutablePointer<Int>
    private(set) var tagEquals: UnsafeMutablePointer<Int>
    /// Each tag key's first eight bytes as a big-endian word (zero-padded): sorting compares these.
    private(set) var tagPrefixes: UnsafeMutablePointer<UInt64>
    /// Whether each tag holds an escape that unescaping removes.
    private(set) var tagEscaped: UnsafeMutablePointer<Bool>
    private(set) var order: UnsafeMutablePointer<Int>
    /// Room for the merge passes of ``Scan/sortTags(_:_:scratch:)``.
    private(set) var orderSpare: UnsafeMutablePointer<Int>
    /// Tags seen on the current line.
    var tagCount = 0
    private(set) var fieldCapacity = 64
    private(set) var fieldEquals: UnsafeMutablePointer<Int>
    private(set) var fieldValues: UnsafeMutablePointer<ScannedValue>
    private(set) var fieldCommas: UnsafeMutablePointer<Int>
    /// Unquoted `=` and commas seen in the current field set.
    var equalsCount = 0
    var commasCount = 0
    /// The point being decoded.
    var builder = PointBuilder()
    /// False when the current line holds no backslash, so nothing in it needs unescaping.
    var lineHasBackslash = true
    /// False when the current line holds no quote.
    var lineHasQuote = true
    /// Whether the field set just scanned holds a backslash.
    var fieldsHaveBackslash = true
    /// Whether the field set just scanned has a quote where a key is (between a comma and the
    /// next `=`); without backslashes every quote is seen, so this is exact.
    var fieldKeysHaveQuote = true
    /// Whether the key just scanned holds a space InfluxDB's line scan splits at but the key scan
    /// does not (see ``Scan/noteEscapedSpace(_:_:_:_:)``).
    var keySpaceSplitsDifferently = false
    /// See ``LineProtocolParser/fastPaths``.
    var fastPaths = true

    init() {
        tagStarts = .allocate(capacity: tagCapacity + 1)
        tagEquals = .allocate(capacity: tagCapacity + 1)
        tagPrefixes = .allocate(capacity: tagCapacity + 1)
        tagEscaped = .allocate(capacity: tagCapacity + 1)
        order = .allocate(capacity: tagCapacity + 1)
        orderSpare = .allocate(capacity: tagCapacity + 1)
        fieldEquals = .allocate(capacity: fieldCapacity)
        fieldValues = .allocate(capacity: fieldCapacity)
        fieldCommas = .allocate(capacity: fieldCapacity)
    }

    deinit {
        tagStarts.deallocate()
        tagEquals.deallocate()
        tagPrefixes.deallocate()
        tagEscaped.deallocate()
        order.deallocate()
        orderSpare.deallocate()
        fieldEquals.deallocate()
        fieldValues.deallocate()
        fieldCommas.deallocate()
    }

    /// Doubles the tag buffers, keeping the first `tagCount` entries.
    mutating func growTags() {
        let bigger = tagCapacity * 2
        tagStarts = Scratch.moved(tagStarts, tagCount, bigger + 1)
        tagEquals = Scratch.moved(tagEquals, tagCount, bigger + 1)
        tagPrefixes = Scratch.moved(tagPrefixes, tagCount, bigger + 1)
        tagEscaped = Scratch.moved(tagEscaped, tagCount, bigger + 1)
        order.deallocate()
        order = .allocate(capacity: bigger + 1)
        orderSpare.deallocate()
        orderSpare = .allocate(capacity: bigger + 1)
        tagCapacity = bigger
    }

    /// Doubles the field buffers, keeping the first `equalsCount` and `commasCount` entries.
    mutating func growFields() {
        let bigger = fieldCapacity * 2
        fieldEquals = Scratch.moved(fieldEquals, equalsCount, bigger)
        fieldValues = Scratch.moved(fieldValues, equalsCount, bigger)
        fieldCommas = Scratch.moved(fieldCommas, commasCount, bigger)
        fieldCapacity = bigger
    }

    private static func moved<T>(_ old: UnsafeMutablePointer<T>, _ count: Int, _ capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: count)
        old.deallocate()
        return new
    }
}
