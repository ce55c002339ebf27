#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the parser already made from the same bytes, so a measurement, tag or field key is
/// unescaped and made into `String`s once rather than once per line: a feed repeats a few hundred
/// names over and over. A lookup hashes and compares at most six words; a miss makes the value and
/// remembers it.
///
/// Bounded: texts longer than ``maxLength`` bytes are not kept, and when three quarters of the
/// slots are taken the table starts empty again (a feed whose names keep changing costs a lookup
/// more per name, never memory). Tables are per thread (``NameTables/current``), so no locking:
/// the values handed out are ordinary Swift values, safe to send anywhere.
final class BytesTable<Value> {
    static var maxLength: Int { 48 }
    private static var slotBits: Int { 10 }
    private static var slotCount: Int { 1 << slotBits }

    /// A text as the table compares it: its hash, length and bytes as words (zero past the end).
    struct Key {
        var hash: UInt64
        var length: Int
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    }

    private struct Slot {
        var key: Key
        var value: Value?
    }

    private let slots: UnsafeMutablePointer<Slot>
    private var used = 0

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(key: Key(hash: 0, length: 0, words: (0, 0, 0, 0, 0, 0)), value: nil),
                         count: Self.slotCount)
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    /// The key of `b[s..<e]`, or nil when the text is empty or too long to keep.
    @inline(__always)
    func key(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Key? {
        let length = e - s
        guard length > 0, length <= Self.maxLength, let base = b.baseAddress else { return nil }
        var w: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        if s + Self.maxLength <= b.count {
            let p = UnsafeRawPointer(base + s)
            w.0 = p.loadUnaligned(as: UInt64.self) & Self.mask(length, 0)
            if length > 8 { w.1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & Self.mask(length, 1) }
            if length > 16 { w.2 = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) & Self.mask(length, 2) }
            if length > 24 { w.3 = p.loadUnaligned(fromByteOffset: 24, as: UInt64.self) & Self.mask(length, 3) }
            if length > 32 { w.4 = p.loadUnaligned(fromByteOffset: 32, as: UInt64.self) & Self.mask(length, 4) }
            if length > 40 { w.5 = p.loadUnaligned(fromByteOffset: 40, as: UInt64.self) & Self.mask(length, 5) }
        } else {
            withUnsafeMutableBytes(of: &w) { $0.baseAddress?.copyMemory(from: base + s, byteCount: length) }
        }
        var h = w.0 ^ Self.rotate(w.1, 17) ^ Self.rotate(w.2, 31) ^ Self.rotate(w.3, 47)
        h ^= Self.rotate(w.4, 7) ^ Self.rotate(w.5, 23) ^ UInt64(length)
        h = (h &* 0x9E37_79B9_7F4A_7C15) | 1  // never 0, the empty slot's hash
        return Key(hash: h, length: length, words: w)
    }

    /// The value remembered for `key`.
    @inline(__always)
    func find(_ key: Key) -> Value? {
        var index = Int(truncatingIfNeeded: key.hash >> UInt64(64 - Self.slotBits))
        while true {
            let slot = slots + index
            let k = slot.pointee.key
            if k.hash == 0 { return nil }
            // One branch for the whole comparison.
            let differ = (k.hash ^ key.hash) | UInt64(bitPattern: Int64(k.length ^ key.length))
                | (k.words.0 ^ key.words.0) | (k.words.1 ^ key.words.1) | (k.words.2 ^ key.words.2)
                | (k.words.3 ^ key.words.3) | (k.words.4 ^ key.words.4) | (k.words.5 ^ key.words.5)
            if differ == 0 { return slot.pointee.value }
            index = (index + 1) & (Self.slotCount - 1)
        }
    }

    /// Remembers `value` for `key` (not already in the table).
    func insert(_ key: Key, _ value: Value) {
        if used >= Self.slotCount * 3 / 4 {
            for i in 0..<Self.slotCount {
                slots[i] = Slot(key: Key(hash: 0, length: 0, words: (0, 0, 0, 0, 0, 0)), value: nil)
            }
            used = 0
        }
        var index = Int(truncatingIfNeeded: key.hash >> UInt64(64 - Self.slotBits))
        while slots[index].key.hash != 0 { index = (index + 1) & (Self.slotCount - 1) }
        slots[index] = Slot(key: key, value: value)
        used += 1
    }

    @inline(__always)
    private static func rotate(_ w: UInt64, _ by: UInt64) -> UInt64 { w << by | w >> (64 - by) }

    /// The bits of word `k` that hold bytes of a text of `length` bytes.
    @inline(__always)
    private static func mask(_ length: Int, _ k: Int) -> UInt64 {
        let valid = min(max(length - 8 * k, 0), 8)
        // 8 valid bytes: shifting by 64 is 0 with Swift's smart shift, and 0 &- 1 is all ones.
        return (UInt64(1) << UInt64(8 * valid)) &- 1
    }
}

/// The calling thread's tables, each from the bytes as written (escapes included) to the
/// unescaped value: measurements, whole tags (`key=value`) and field keys (only keys without a
/// quote are kept, so a hit also says the key holds none).
final class NameTables {
    let measurements = BytesTable<String>()
    let tags = BytesTable<Tag>()
    let fieldKeys = BytesTable<String>()

    /// The calling thread's tables (made at its first parse, released when the thread ends).
    static var current: NameTables {
        if let p = pthread_getspecific(threadKey) {
            return Unmanaged<NameTables>.fromOpaque(p).takeUnretainedValue()
        }
        let tables = NameTables()
        pthread_setspecific(threadKey, Unmanaged.passRetained(tables).toOpaque())
        return tables
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { p in
            guard let p else { return }
            Unmanaged<NameTables>.fromOpaque(p).release()
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()
}
