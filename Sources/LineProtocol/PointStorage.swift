/// The one buffer a ``Point`` owns: an entry per tag (16 bytes: key and value as offset and
/// length into the text), an entry per field (24 bytes: key, the value's bits, its kind), then the
/// text — the line as received, then unescaped copies of the names and values that had escapes;
/// every name and value the entries point at is unescaped, valid UTF-8.
///
/// Immutable while any point holds it (``PointBuilder/finish(time:)``), which is what
/// makes sharing it between threads safe (``SharedPointStorage``). Points read it through a
/// ``PointLayout``. A ``LineProtocolSession`` writes a storage again only once the point it
/// retired was the storage's one holder (`isKnownUniquelyReferenced`): nobody can read it then.
@usableFromInline
final class PointStorage: ManagedBuffer<Void, UInt8> {}

/// A ``PointStorage`` as points hold it, to keep the buffer alive. ManagedBuffer is not Sendable
/// because its contents may change; `@unchecked Sendable` is safe because a point's storage is
/// written only by ``PointBuilder`` before the point exists and never changes while the point
/// lives: the builder reuses a storage only when the one reference left is the retired point it
/// takes it from (checked with `isKnownUniquelyReferenced`, which also orders the other holders'
/// last releases before the rewrite, as copy-on-write collections rely on across threads).
@usableFromInline
struct SharedPointStorage: @unchecked Sendable {
    @usableFromInline var storage: PointStorage
    @inlinable init(storage: PointStorage) { self.storage = storage }
}

/// Where a point's entries and text are, and how many of each: a plain pointer into the
/// ``PointStorage`` its point holds (so reading a point costs no reference counting), valid while
/// that point lives. `@unchecked Sendable` is safe because every property is a `let` and the bytes
/// it points at are immutable (see ``SharedPointStorage``), kept alive by the point beside it.
@usableFromInline
struct PointLayout: @unchecked Sendable {
    @usableFromInline let entries: UnsafeRawPointer
    @usableFromInline let tagCount32: Int32
    @usableFromInline let fieldCount32: Int32
    @usableFromInline let measurementStart32: Int32
    @usableFromInline let measurementLength32: Int32
    /// The measurement's first eight bytes, little-endian, zero past its end (see
    /// ``Point/measurementPrefix``).
    @usableFromInline let measurementPrefix: UInt64

    @inlinable
    init(entries: UnsafeRawPointer, tagCount: Int, fieldCount: Int, measurementStart: Int, measurementLength: Int,
         measurementPrefix: UInt64) {
        self.entries = entries
        self.tagCount32 = Int32(tagCount)
        self.fieldCount32 = Int32(fieldCount)
        self.measurementStart32 = Int32(truncatingIfNeeded: measurementStart)
        self.measurementLength32 = Int32(truncatingIfNeeded: measurementLength)
        self.measurementPrefix = measurementPrefix
    }

    @inlinable static var tagEntrySize: Int { 16 }
    @inlinable static var fieldEntrySize: Int { 24 }

    @inlinable var tagCount: Int { Int(tagCount32) }
    @inlinable var fieldCount: Int { Int(fieldCount32) }
    @inlinable var measurementRange: Range<Int> {
        Int(measurementStart32)..<(Int(measurementStart32) + Int(measurementLength32))
    }

    @inlinable
    var text: UnsafePointer<UInt8> {
        (entries + tagCount * Self.tagEntrySize + fieldCount * Self.fieldEntrySize).assumingMemoryBound(to: UInt8.self)
    }

    @inlinable
    func range(_ entry: UnsafeRawPointer, _ offset: Int) -> Range<Int> {
        let start = Int(entry.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        return start..<(start + Int(entry.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)))
    }

    @inlinable
    func tagKeyRange(_ i: Int) -> Range<Int> { range(entries + i * Self.tagEntrySize, 0) }

    @inlinable
    func tagValueRange(_ i: Int) -> Range<Int> { range(entries + i * Self.tagEntrySize, 8) }

    @inlinable
    func fieldEntry(_ i: Int) -> UnsafeRawPointer {
        entries + tagCount * Self.tagEntrySize + i * Self.fieldEntrySize
    }

    @inlinable
    func fieldKeyRange(_ i: Int) -> Range<Int> { range(fieldEntry(i), 0) }

    /// The bytes of `r` in the text.
    @inlinable
    func bytes(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text + r.lowerBound, count: r.count)
    }

    @inlinable
    func string(_ r: Range<Int>) -> String {
        String(decoding: bytes(r), as: UTF8.self)
    }

    @inlinable
    func fieldValue(_ i: Int) -> FieldValue {
        let e = fieldEntry(i)
        let bits = e.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        // The kind byte is a ScannedValue.Kind's raw value: 1 float, 2 integer, 3 unsigned,
        // 4 boolean, 0 a string whose text's start and length are the bits.
        switch e.loadUnaligned(fromByteOffset: 16, as: UInt8.self) {
        case 1: return .float(Double(bitPattern: bits))
        case 2: return .integer(Int64(bitPattern: bits))
        case 3: return .unsigned(bits)
        case 4: return .boolean(bits != 0)
        default:
            let start = Int(bits >> 32)
            return .string(string(start..<(start + Int(bits & 0xFFFF_FFFF))))
        }
    }

    /// Whether `r` holds exactly the UTF-8 of `key` (names are short: compared in line).
    @inlinable
    func equals(_ r: Range<Int>, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard r.count == key.count else { return false }
        let t = text + r.lowerBound
        for i in 0..<r.count where t[i] != key[i] { return false }
        return true
    }

    @inlinable
    func tagIndex(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { k in
            for i in 0..<tagCount where equals(tagKeyRange(i), k) { return i }
            return nil
        }
    }

    @inlinable
    func lastFieldIndex(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { k in
            var i = fieldCount - 1
            while i >= 0 {
                if equals(fieldKeyRange(i), k) { return i }
                i -= 1
            }
            return nil
        }
    }

    /// Same measurement, tags and fields (values compared as ``FieldValue``s: +0 and -0 equal).
    func sameContent(as other: PointLayout) -> Bool {
        guard tagCount == other.tagCount, fieldCount == other.fieldCount,
              bytes(measurementRange).elementsEqual(other.bytes(other.measurementRange)) else { return false }
        for i in 0..<tagCount {
            guard bytes(tagKeyRange(i)).elementsEqual(other.bytes(other.tagKeyRange(i))),
                  bytes(tagValueRange(i)).elementsEqual(other.bytes(other.tagValueRange(i))) else { return false }
        }
        for i in 0..<fieldCount {
            guard bytes(fieldKeyRange(i)).elementsEqual(other.bytes(other.fieldKeyRange(i))),
                  fieldValue(i) == other.fieldValue(i) else { return false }
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Assembles one point's entries in reusable buffers, then makes its ``PointStorage`` with one
/// allocation. The text is the line itself (copied once, whole, when the point is made) followed
/// by "extras": only what differs from the line — unescaped names and values — is written
/// separately. Offsets below the line's length are into the line, the rest into the extras.
struct PointBuilder: ~Copyable {
    private var tagEntries: UnsafeMutableRawPointer
    private var tagCapacity = 16
    private(set) var tagCount = 0
    private var fieldEntries: UnsafeMutableRawPointer
    private var fieldCapacity = 16
    private(set) var fieldCount = 0
    /// The line the point is read from and where it starts in `b`.
    private var line: UnsafePointer<UInt8>?
    private var lineStart = 0
    private var lineLength = 0
    private var extras: UnsafeMutablePointer<UInt8>
    private var extrasCapacity = 512
    private var extrasLength = 0
    private var measurement = (0, 0)
    /// Whether points are given back to be reused (a ``LineProtocolSession``): new storage then
    /// gets slack, and ``finish(time:)`` first tries the storage of ``retired``'s last point.
    var recycles = false
    /// Points given back (``LineProtocolSession/recycle(_:)``) whose storage the next points may
    /// take over, the last one first.
    var retired: [Point] = []

    init() {
        tagEntries = .allocate(byteCount: tagCapacity * PointLayout.tagEntrySize, alignment: 8)
        fieldEntries = .allocate(byteCount: fieldCapacity * PointLayout.fieldEntrySize, alignment: 8)
        extras = .allocate(capacity: extrasCapacity)
    }

    deinit {
        tagEntries.deallocate()
        fieldEntries.deallocate()
        extras.deallocate()
    }

    /// Forgets the point before.
    private mutating func begin() {
        tagCount = 0
        fieldCount = 0
        line = nil
        lineLength = 0
        extrasLength = 0
        measurement = (0, 0)
    }

    /// Starts a point read from `b[s..<e]`.
    mutating func begin(line b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
        begin()
        line = b.baseAddress.map { UnsafePointer($0 + s) }
        lineStart = s
        lineLength = e - s
    }

    /// Makes room for `count` more extra bytes.
    @inline(__always)
    mutating func reserveExtras(_ count: Int) {
        if extrasLength + count > extrasCapacity { growExtras(extrasLength + count) }
    }

    private mutating func growExtras(_ needed: Int) {
        var capacity = extrasCapacity * 2
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: extras, count: extrasLength)
        extras.deallocate()
        extras = bigger
        extrasCapacity = capacity
    }

    /// The text of `b[s..<e]` (within the line begun), the backslash before each byte `escaped`
    /// accepts dropped when `unescape`: the line's own bytes when nothing is dropped, else an
    /// unescaped copy in the extras. Returns its offset and length in the point's text.
    @inline(__always)
    mutating func appendText(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, unescape: Bool,
                             _ escaped: (UInt8) -> Bool) -> (Int, Int) {
        if !unescape { return (s - lineStart, e - s) }
        // Any escape to drop? Most tokens of a line with a backslash somewhere have none.
        var i = s
        while i < e {
            if b[i] == UInt8(ascii: "\\") && i + 1 < e && escaped(b[i + 1]) { break }
            i += 1
        }
        if i == e { return (s - lineStart, e - s) }
        reserveExtras(e - s)
        let start = extrasLength
        i = s
        while i < e {
            if b[i] == UInt8(ascii: "\\") && i + 1 < e && escaped(b[i + 1]) {
                extras[extrasLength] = b[i + 1]
                i += 2
            } else {
                extras[extrasLength] = b[i]
                i += 1
            }
            extrasLength += 1
        }
        return (lineLength + start, extrasLength - start)
    }

    /// The measurement.
    mutating func appendMeasurement(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, unescape: Bool,
                                    _ escaped: (UInt8) -> Bool) {
        measurement = appendText(b, s, e, unescape: unescape, escaped)
    }

    /// Records a tag whose key and value are already in the text.
    @inline(__always)
    mutating func appendTag(key: (Int, Int), value: (Int, Int)) {
        if tagCount == tagCapacity {
            tagEntries = Self.grown(tagEntries, tagCount * PointLayout.tagEntrySize, tagCapacity * 2 * PointLayout.tagEntrySize)
            tagCapacity *= 2
        }
        let e = tagEntries + tagCount * PointLayout.tagEntrySize
        e.storeBytes(of: UInt32(truncatingIfNeeded: key.0), toByteOffset: 0, as: UInt32.self)
        e.storeBytes(of: UInt32(truncatingIfNeeded: key.1), toByteOffset: 4, as: UInt32.self)
        e.storeBytes(of: UInt32(truncatingIfNeeded: value.0), toByteOffset: 8, as: UInt32.self)
        e.storeBytes(of: UInt32(truncatingIfNeeded: value.1), toByteOffset: 12, as: UInt32.self)
        tagCount += 1
    }

    /// Records a field whose key is already in the text; a string value's bits are its text's
    /// start and length (kind `.none`).
    @inline(__always)
    mutating func appendField(key: (Int, Int), kind: ScannedValue.Kind, bits: UInt64) {
        if fieldCount == fieldCapacity {
            fieldEntries = Self.grown(fieldEntries, fieldCount * PointLayout.fieldEntrySize,
                                      fieldCapacity * 2 * PointLayout.fieldEntrySize)
            fieldCapacity *= 2
        }
        let e = fieldEntries + fieldCount * PointLayout.fieldEntrySize
        e.storeBytes(of: UInt32(truncatingIfNeeded: key.0), toByteOffset: 0, as: UInt32.self)
        e.storeBytes(of: UInt32(truncatingIfNeeded: key.1), toByteOffset: 4, as: UInt32.self)
        e.storeBytes(of: bits, toByteOffset: 8, as: UInt64.self)
        e.storeBytes(of: kind.rawValue, toByteOffset: 16, as: UInt8.self)
        fieldCount += 1
    }

    /// A point from its parts, written straight into its storage (one allocation, none for the
    /// builder's buffers): the entries as the builder writes them, then the text — the
    /// measurement, each tag's key and value, each field's key (and string value), in that order,
    /// as the builder appends them. Strings are valid UTF-8: nothing to repair.
    static func point(measurement: String, tags: [Tag], fields: [Field], time: Int64) -> Point {
        var textCount = measurement.utf8.count
        for t in tags { textCount += t.key.utf8.count + t.value.utf8.count }
        for f in fields {
            textCount += f.key.utf8.count
            if case .string(let v) = f.value { textCount += v.utf8.count }
        }
        let tagBytes = tags.count * PointLayout.tagEntrySize
        let entryBytes = tagBytes + fields.count * PointLayout.fieldEntrySize
        let storage = unsafeDowncast(PointStorage.create(minimumCapacity: entryBytes + textCount) { _ in () }, to: PointStorage.self)
        let base = storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
        let text = (base + entryBytes).assumingMemoryBound(to: UInt8.self)
        var end = 0
        func write(_ s: String) -> (start: UInt32, count: UInt32) {
            var s = s
            let start = end
            s.withUTF8 { u in
                if let from = u.baseAddress { (text + end).update(from: from, count: u.count) }
                end += u.count
            }
            return (UInt32(truncatingIfNeeded: start), UInt32(truncatingIfNeeded: end - start))
        }
        let name = write(measurement)
        for (i, t) in tags.enumerated() {
            let e = base + i * PointLayout.tagEntrySize
            let k = write(t.key), v = write(t.value)
            e.storeBytes(of: k.start, toByteOffset: 0, as: UInt32.self)
            e.storeBytes(of: k.count, toByteOffset: 4, as: UInt32.self)
            e.storeBytes(of: v.start, toByteOffset: 8, as: UInt32.self)
            e.storeBytes(of: v.count, toByteOffset: 12, as: UInt32.self)
        }
        for (i, f) in fields.enumerated() {
            let e = base + tagBytes + i * PointLayout.fieldEntrySize
            let k = write(f.key)
            let kind: ScannedValue.Kind, bits: UInt64
            switch f.value {
            case .float(let d): (kind, bits) = (.float, d.bitPattern)
            case .integer(let v): (kind, bits) = (.integer, UInt64(bitPattern: v))
            case .unsigned(let v): (kind, bits) = (.unsigned, v)
            case .boolean(let v): (kind, bits) = (.boolean, v ? 1 : 0)
            case .string(let v):
                let t = write(v)
                (kind, bits) = (.none, UInt64(t.start) << 32 | UInt64(t.count))
            }
            e.storeBytes(of: k.start, toByteOffset: 0, as: UInt32.self)
            e.storeBytes(of: k.count, toByteOffset: 4, as: UInt32.self)
            e.storeBytes(of: bits, toByteOffset: 8, as: UInt64.self)
            e.storeBytes(of: kind.rawValue, toByteOffset: 16, as: UInt8.self)
        }
        let layout = PointLayout(entries: UnsafeRawPointer(base), tagCount: tags.count, fieldCount: fields.count,
                                 measurementStart: 0, measurementLength: Int(name.count),
                                 measurementPrefix: Point.prefix(UnsafeBufferPointer(start: text, count: Int(name.count))))
        return Point(shared: SharedPointStorage(storage: storage), layout: layout, time: time)
    }

    /// Where the fields begin, to start them again (``rollBack(to:)``).
    func mark() -> (extras: Int, fields: Int) { (extrasLength, fieldCount) }

    /// Forgets the extras and fields added since `mark`.
    mutating func rollBack(to mark: (extras: Int, fields: Int)) {
        extrasLength = mark.extras
        fieldCount = mark.fields
    }

    /// The storage of the point built so far. Text that is not valid UTF-8 is repaired first, as
    /// `String(decoding:as:)` repairs each name and value, so the bytes a reader compares are the
    /// strings' bytes. (A line that is valid UTF-8 splits into valid names: it is cut and
    /// unescaped only at ASCII bytes.)
    ///
    /// While ``recycles``, the storage is the last retired point's when that point was its only
    /// holder and its room fits (``reusedStorage(_:from:)``), and a new one gets some slack, so
    /// the next lines of similar length fit it again.
    mutating func finish(time: Int64) -> Point {
        if let line, !(Self.isASCII(line, lineLength) && Self.isASCII(extras, extrasLength)) {
            let valid = String(validating: UnsafeBufferPointer(start: line, count: lineLength), as: UTF8.self) != nil
                && String(validating: UnsafeBufferPointer(start: extras, count: extrasLength), as: UTF8.self) != nil
            if !valid { repairUTF8() }
        } else if line == nil && !Self.isASCII(extras, extrasLength) {
            repairUTF8()
        }
        let entryBytes = tagCount * PointLayout.tagEntrySize + fieldCount * PointLayout.fieldEntrySize
        let needed = entryBytes + lineLength + extrasLength
        let storage = recycles
            ? Self.reusedStorage(needed, from: &retired) ?? Self.newStorage((needed + Self.slack - 1) & ~(Self.slack - 1))
            : Self.newStorage(needed)
        let base = storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
        base.copyMemory(from: tagEntries, byteCount: tagCount * PointLayout.tagEntrySize)
        (base + tagCount * PointLayout.tagEntrySize).copyMemory(from: fieldEntries, byteCount: fieldCount * PointLayout.fieldEntrySize)
        if let line { (base + entryBytes).copyMemory(from: line, byteCount: lineLength) }
        (base + entryBytes + lineLength).copyMemory(from: extras, byteCount: extrasLength)
        let layout = PointLayout(entries: UnsafeRawPointer(base), tagCount: tagCount, fieldCount: fieldCount,
                                 measurementStart: measurement.0, measurementLength: measurement.1,
                                 measurementPrefix: measurementPrefix(base + entryBytes))
        return Point(shared: SharedPointStorage(storage: storage), layout: layout, time: time)
    }

    /// New storage is rounded up to this many bytes while recycling: UDPLoad's lines differ by a few
    /// bytes, and a storage that fits its neighbours is reused instead of freed and made again.
    static let slack = 64

    /// A storage with room for at least `needed` bytes.
    @inline(__always)
    static func newStorage(_ needed: Int) -> PointStorage {
        unsafeDowncast(PointStorage.create(minimumCapacity: needed) { _ in () }, to: PointStorage.self)
    }

    /// The storage of `retired`'s last point (which is dropped) when that point was its only
    /// holder and it has room for `needed` bytes but not much more: at most `2 × needed + 128`, so
    /// a point kept long after (an event, a group's last point) holds about its own size, not the
    /// room a long line once needed. Nil otherwise: the point is dropped (its storage lives on
    /// with its other holders, or is freed) and the caller allocates.
    @inline(__always)
    static func reusedStorage(_ needed: Int, from retired: inout [Point]) -> PointStorage? {
        guard var old = retired.popLast(), isKnownUniquelyReferenced(&old.shared.storage) else { return nil }
        let capacity = old.shared.storage.capacity
        guard capacity >= needed && capacity <= 2 * needed + 128 else { return nil }
        return old.shared.storage
    }

    /// ``Point/measurementPrefix`` of the measurement in the text at `text`: one load when eight
    /// bytes are there to read (the measurement starts the line, which goes on), else byte by byte.
    @inline(__always)
    private func measurementPrefix(_ text: UnsafeMutableRawPointer) -> UInt64 {
        let (start, length) = measurement
        if start + 8 <= lineLength + extrasLength {
            let word = UInt64(littleEndian: (text + start).loadUnaligned(as: UInt64.self))
            return length >= 8 ? word : word & ((1 << UInt64(8 * length)) &- 1)
        }
        return Point.prefix(UnsafeBufferPointer(start: text.assumingMemoryBound(to: UInt8.self) + start, count: length))
    }

    /// Whether the first `count` bytes at `p` are all ASCII (eight at a time).
    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        var acc: UInt64 = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            acc |= UInt64(p[i])
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// Rewrites every name and value (measurement, tag keys and values, field keys, string values)
    /// into the extras as `String(decoding:as:)` repairs it, and points the entries there; the
    /// line is then left out of the point.
    private mutating func repairUTF8() {
        var out: [UInt8] = []
        out.reserveCapacity(lineLength + extrasLength + 16)
        let (line, lineLength, extras) = (self.line, self.lineLength, self.extras)
        func repaired(_ start: Int, _ length: Int) -> (Int, Int) {
            let bytes = start < lineLength
                ? UnsafeBufferPointer(start: line.map { $0 + start }, count: length)
                : UnsafeBufferPointer(start: extras + (start - lineLength), count: length)
            let s = String(decoding: bytes, as: UTF8.self)
            let at = out.count
            out.append(contentsOf: s.utf8)
            return (at, out.count - at)
        }
        measurement = repaired(measurement.0, measurement.1)
        for i in 0..<tagCount {
            let e = tagEntries + i * PointLayout.tagEntrySize
            for offset in [0, 8] {
                let r = repaired(Int(e.load(fromByteOffset: offset, as: UInt32.self)), Int(e.load(fromByteOffset: offset + 4, as: UInt32.self)))
                e.storeBytes(of: UInt32(r.0), toByteOffset: offset, as: UInt32.self)
                e.storeBytes(of: UInt32(r.1), toByteOffset: offset + 4, as: UInt32.self)
            }
        }
        for i in 0..<fieldCount {
            let e = fieldEntries + i * PointLayout.fieldEntrySize
            let k = repaired(Int(e.load(fromByteOffset: 0, as: UInt32.self)), Int(e.load(fromByteOffset: 4, as: UInt32.self)))
            e.storeBytes(of: UInt32(k.0), toByteOffset: 0, as: UInt32.self)
            e.storeBytes(of: UInt32(k.1), toByteOffset: 4, as: UInt32.self)
            if e.load(fromByteOffset: 16, as: UInt8.self) == ScannedValue.Kind.none.rawValue {
                let bits = e.load(fromByteOffset: 8, as: UInt64.self)
                let v = repaired(Int(bits >> 32), Int(bits & 0xFFFF_FFFF))
                e.storeBytes(of: UInt64(v.0) << 32 | UInt64(v.1), toByteOffset: 8, as: UInt64.self)
            }
        }
        self.line = nil
        self.lineLength = 0
        extrasLength = 0
        reserveExtras(out.count)
        out.withUnsafeBufferPointer { o in
            if let from = o.baseAddress { self.extras.update(from: from, count: o.count) }
        }
        extrasLength = out.count
    }

    private static func grown(_ old: UnsafeMutableRawPointer, _ used: Int, _ capacity: Int) -> UnsafeMutableRawPointer {
        let new = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        new.copyMemory(from: old, byteCount: used)
        old.deallocate()
        return new
    }
}
