#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings already made from the same bytes, so the parser makes a `String` for a measurement,
/// tag key, tag value or field key once rather than once per line: a feed repeats a few hundred
/// names over and over. A lookup hashes and compares at most four words; a miss makes the string
/// (validating UTF-8 as `String(decoding:as:)` does) and remembers it.
///
/// Bounded: texts longer than 32 bytes are not kept, and when three quarters of the slots are
/// taken the table starts empty again (a feed whose names keep changing costs one lookup more
/// per name, never memory). One table per thread (``current``), so no locking: the strings it
/// hands out are ordinary values, safe to send anywhere.
final class StringTable {
    static let maxLength = 32
    private static let slotBits = 10
    private static let slotCount = 1 << slotBits

    private struct Slot {
        var hash: UInt64 = 0
        var length = 0
        var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
        var string = ""
    }

    private let slots: UnsafeMutablePointer<Slot>
    private var used = 0

    init() {
        slots = .allocate(capacity: StringTable.slotCount)
        slots.initialize(repeating: Slot(), count: StringTable.slotCount)
    }

    deinit {
        slots.deinitialize(count: StringTable.slotCount)
        slots.deallocate()
    }

    /// The string of `b[s..<e]` (UTF-8, invalid sequences repaired as `String(decoding:as:)` does).
    @inline(__always)
    func string(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        let length = e - s
        guard length <= StringTable.maxLength, length > 0, let base = b.baseAddress else {
            return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        }
        // The text as four little-endian words, zero past its end.
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        if s + StringTable.maxLength <= b.count {
            let p = UnsafeRawPointer(base + s)
            w.0 = p.loadUnaligned(as: UInt64.self) & StringTable.mask(length, 0)
            if length > 8 { w.1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & StringTable.mask(length, 1) }
            if length > 16 { w.2 = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) & StringTable.mask(length, 2) }
            if length > 24 { w.3 = p.loadUnaligned(fromByteOffset: 24, as: UInt64.self) & StringTable.mask(length, 3) }
        } else {
            withUnsafeMutableBytes(of: &w) { $0.baseAddress!.copyMemory(from: base + s, byteCount: length) }
        }
        var h = (w.0 ^ (w.1 << 17 | w.1 >> 47) ^ (w.2 << 31 | w.2 >> 33) ^ (w.3 << 47 | w.3 >> 17) ^ UInt64(length))
        h = (h &* 0x9E37_79B9_7F4A_7C15) | 1  // never 0, the empty slot's hash
        var index = Int(truncatingIfNeeded: h >> UInt64(64 - StringTable.slotBits))
        while true {
            let slot = slots + index
            if slot.pointee.hash == 0 { break }
            if slot.pointee.hash == h && slot.pointee.length == length && slot.pointee.w0 == w.0
                && slot.pointee.w1 == w.1 && slot.pointee.w2 == w.2 && slot.pointee.w3 == w.3 {
                return slot.pointee.string
            }
            index = (index + 1) & (StringTable.slotCount - 1)
        }
        let string = String(decoding: UnsafeBufferPointer(start: base + s, count: length), as: UTF8.self)
        if used >= StringTable.slotCount * 3 / 4 {
            clear()
            index = Int(truncatingIfNeeded: h >> UInt64(64 - StringTable.slotBits))
        }
        slots[index] = Slot(hash: h, length: length, w0: w.0, w1: w.1, w2: w.2, w3: w.3, string: string)
        used += 1
        return string
    }

    /// The bits of word `k` that hold bytes of a text of `length` bytes.
    @inline(__always)
    private static func mask(_ length: Int, _ k: Int) -> UInt64 {
        let valid = length - 8 * k
        return valid >= 8 ? ~0 : (UInt64(1) << UInt64(8 * valid)) &- 1
    }

    private func clear() {
        for i in 0..<StringTable.slotCount { slots[i] = Slot() }
        used = 0
    }

    /// The calling thread's table (made at its first parse, released when the thread ends).
    static var current: StringTable {
        if let p = pthread_getspecific(threadKey) {
            return Unmanaged<StringTable>.fromOpaque(p).takeUnretainedValue()
        }
        let table = StringTable()
        pthread_setspecific(threadKey, Unmanaged.passRetained(table).toOpaque())
        return table
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { p in
            guard let p else { return }
            Unmanaged<StringTable>.fromOpaque(p).release()
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()
}
