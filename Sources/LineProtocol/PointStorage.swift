/// The one buffer a ``Point`` owns: an entry per tag (16 bytes: key and value as offset and
/// length into the text), an entry per field (24 bytes: key, the value's bits, its kind), then the
/// text — the measurement first, then names and string values, all unescaped, valid UTF-8.
///
/// Immutable once made (``PointBuilder/finish()``), which is what makes sharing it between
/// threads safe (``SharedPointStorage``). Points read it through a ``PointLayout``.
@usableFromInline
final class PointStorage: ManagedBuffer<Void, UInt8> {}

/// A ``PointStorage`` as points hold it, to keep the buffer alive. ManagedBuffer is not Sendable
/// because its contents may change; a point's storage never changes once made.
@usableFromInline
struct SharedPointStorage: @unchecked Sendable {
    @usableFromInline let storage: PointStorage
    @inlinable init(storage: PointStorage) { self.storage = storage }
}

/// Where a point's entries and text are, and how many of each: a plain pointer into the
/// ``PointStorage`` its point holds (so reading a point costs no reference counting), valid while
/// that point lives.
@usableFromInline
struct PointLayout: @unchecked Sendable {
    @usableFromInline let entries: UnsafeRawPointer
    @usableFromInline let tagCount32: Int32
    @usableFromInline let fieldCount32: Int32
    @usableFromInline let measurementLength32: Int32

    @inlinable
    init(entries: UnsafeRawPointer, tagCount: Int, fieldCount: Int, measurementLength: Int) {
        self.entries = entries
        self.tagCount32 = Int32(tagCount)
        self.fieldCount32 = Int32(fieldCount)
        self.measurementLength32 = Int32(measurementLength)
    }

    @inlinable static var tagEntrySize: Int { 16 }
    @inlinable static var fieldEntrySize: Int { 24 }

    @inlinable var tagCount: Int { Int(tagCount32) }
    @inlinable var fieldCount: Int { Int(fieldCount32) }
    @inlinable var measurementRange: Range<Int> { 0..<Int(measurementLength32) }

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

/// Assembles one point's entries and text in reusable buffers, then copies them into a
/// ``PointStorage`` of exactly the right size (one allocation per point).
struct PointBuilder {
    private var tagEntries: UnsafeMutableRawPointer
    private var tagCapacity = 16
    private(set) var tagCount = 0
    private var fieldEntries: UnsafeMutableRawPointer
    private var fieldCapacity = 16
    private(set) var fieldCount = 0
    private var text: UnsafeMutablePointer<UInt8>
    private var textCapacity = 512
    private var textLength = 0
    private var measurementLength = 0

    init() {
        tagEntries = .allocate(byteCount: tagCapacity * PointLayout.tagEntrySize, alignment: 8)
        fieldEntries = .allocate(byteCount: fieldCapacity * PointLayout.fieldEntrySize, alignment: 8)
        text = .allocate(capacity: textCapacity)
    }

    func deallocate() {
        tagEntries.deallocate()
        fieldEntries.deallocate()
        text.deallocate()
    }

    mutating func begin() {
        tagCount = 0
        fieldCount = 0
        textLength = 0
        measurementLength = 0
    }

    /// Makes room for `count` more text bytes.
    @inline(__always)
    mutating func reserveText(_ count: Int) {
        if textLength + count > textCapacity { growText(textLength + count) }
    }

    private mutating func growText(_ needed: Int) {
        var capacity = textCapacity * 2
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: text, count: textLength)
        text.deallocate()
        text = bigger
        textCapacity = capacity
    }

    /// Appends `b[s..<e]` to the text, dropping the backslash before each byte `escaped` accepts
    /// (when `unescape`); returns the start and length written.
    @inline(__always)
    mutating func appendText(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, unescape: Bool,
                             _ escaped: (UInt8) -> Bool) -> (Int, Int) {
        reserveText(e - s)
        let start = textLength
        guard let base = b.baseAddress else { return (start, 0) }
        if !unescape {
            (text + textLength).update(from: base + s, count: e - s)
            textLength += e - s
            return (start, e - s)
        }
        var i = s
        while i < e {
            if b[i] == UInt8(ascii: "\\") && i + 1 < e && escaped(b[i + 1]) {
                text[textLength] = b[i + 1]
                i += 2
            } else {
                text[textLength] = b[i]
                i += 1
            }
            textLength += 1
        }
        return (start, textLength - start)
    }

    @inline(__always)
    private mutating func appendText(_ s: String) -> (Int, Int) {
        var s = s
        return s.withUTF8 { u in appendText(u, 0, u.count, unescape: false) { _ in false } }
    }

    /// The measurement (first, before any tag or field).
    mutating func appendMeasurement(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, unescape: Bool,
                                    _ escaped: (UInt8) -> Bool) {
        measurementLength = appendText(b, s, e, unescape: unescape, escaped).1
    }

    mutating func appendMeasurement(_ name: String) {
        measurementLength = appendText(name).1
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

    mutating func appendTag(key: String, value: String) {
        let k = appendText(key)
        let v = appendText(value)
        appendTag(key: k, value: v)
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

    mutating func appendField(key: String, value: FieldValue) {
        let k = appendText(key)
        switch value {
        case .float(let d): appendField(key: k, kind: .float, bits: d.bitPattern)
        case .integer(let v): appendField(key: k, kind: .integer, bits: UInt64(bitPattern: v))
        case .unsigned(let v): appendField(key: k, kind: .unsigned, bits: v)
        case .boolean(let v): appendField(key: k, kind: .boolean, bits: v ? 1 : 0)
        case .string(let s):
            let t = appendText(s)
            appendField(key: k, kind: .none, bits: UInt64(t.0) << 32 | UInt64(t.1))
        }
    }

    /// Where the fields begin, to start them again (``rollBack(to:)``).
    func mark() -> (text: Int, fields: Int) { (textLength, fieldCount) }

    /// Forgets the text and fields added since `mark`.
    mutating func rollBack(to mark: (text: Int, fields: Int)) {
        textLength = mark.text
        fieldCount = mark.fields
    }

    /// The storage of the point built so far. Text that is not valid UTF-8 is repaired first, as
    /// `String(decoding:as:)` repairs it, so the bytes a reader compares are the strings' bytes.
    mutating func finish(time: Int64) -> Point {
        if !Self.isASCII(text, textLength) { repairUTF8() }
        let entryBytes = tagCount * PointLayout.tagEntrySize + fieldCount * PointLayout.fieldEntrySize
        let storage = unsafeDowncast(PointStorage.create(minimumCapacity: entryBytes + textLength) { _ in () }, to: PointStorage.self)
        let base = storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
        base.copyMemory(from: tagEntries, byteCount: tagCount * PointLayout.tagEntrySize)
        (base + tagCount * PointLayout.tagEntrySize).copyMemory(from: fieldEntries, byteCount: fieldCount * PointLayout.fieldEntrySize)
        (base + entryBytes).copyMemory(from: text, byteCount: textLength)
        let layout = PointLayout(entries: UnsafeRawPointer(base), tagCount: tagCount, fieldCount: fieldCount,
                                 measurementLength: measurementLength)
        return Point(shared: SharedPointStorage(storage: storage), layout: layout, time: time)
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

    /// Rewrites every text run (measurement, tag keys and values, field keys, string values) as
    /// `String(decoding:as:)` repairs it, and moves the entries to the new offsets.
    private mutating func repairUTF8() {
        let old = UnsafeBufferPointer(start: text, count: textLength)
        var out: [UInt8] = []
        out.reserveCapacity(textLength + 16)
        func repaired(_ start: Int, _ length: Int) -> (Int, Int) {
            let s = String(decoding: UnsafeBufferPointer(rebasing: old[start..<(start + length)]), as: UTF8.self)
            let at = out.count
            out.append(contentsOf: s.utf8)
            return (at, out.count - at)
        }
        measurementLength = repaired(0, measurementLength).1
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
        textLength = 0
        reserveText(out.count)
        out.withUnsafeBufferPointer { o in
            if let from = o.baseAddress { text.update(from: from, count: o.count) }
        }
        textLength = out.count
    }

    private static func grown(_ old: UnsafeMutableRawPointer, _ used: Int, _ capacity: Int) -> UnsafeMutableRawPointer {
        let new = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        new.copyMemory(from: old, byteCount: used)
        old.deallocate()
        return new
    }
}
