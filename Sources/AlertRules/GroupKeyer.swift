import LineProtocol

/// A rule's `groupBy` made ready for the hot path: the group key a point would have (Kapacitor's
/// group id, `k=v,k2=v2`, as ``RuleEngine/groupKey(_:_:)`` builds it) is hashed (64-bit FNV-1a of
/// its bytes) and compared with a stored key from the point's tags in place, without building it.
/// The names' key bytes (`name=`, `,name=` after the first) are laid out once, in one buffer.
struct GroupKeyer {
    let groupBy: GroupBy
    /// `.tags`: each name's bytes as they appear in a key, one after the other.
    private let nameBytes: [UInt8]
    /// `.tags`: where each name's bytes end in `nameBytes`.
    private let nameEnds: [Int]

    init(_ groupBy: GroupBy) {
        self.groupBy = groupBy
        var bytes: [UInt8] = [], ends: [Int] = []
        if case .tags(let names) = groupBy {
            for (i, n) in names.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += n.utf8
                bytes.append(UInt8(ascii: "="))
                ends.append(bytes.count)
            }
        }
        nameBytes = bytes
        nameEnds = ends
    }

    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    @inline(__always)
    static func mix(_ h: inout UInt64, _ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
    }

    @inline(__always)
    static func mix(_ h: inout UInt64, _ b: UInt8) { h = (h ^ UInt64(b)) &* prime }

    /// The hash of a key given as a string (a restored group's).
    static func hash(_ key: String) -> UInt64 {
        var h = offset
        for b in key.utf8 { mix(&h, b) }
        return h
    }

    /// Calls `body` with each group-by name's key bytes and the index of the point's tag of that
    /// name (nil when it lacks it; the first such tag, as ``Point/tagIndex(_:)``).
    @inline(__always)
    private func forEachName(_ p: UnsafePointer<Point>, _ body: (UnsafeBufferPointer<UInt8>, Int?) -> Bool) -> Bool {
        nameBytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in nameEnds {
                let part = UnsafeBufferPointer(rebasing: all[start..<end])
                // The name without the separator before it and the "=" after it.
                let name = UnsafeBufferPointer(rebasing: part[(start == 0 ? 0 : 1)..<(part.count - 1)])
                var found: Int?
                for t in 0..<p.pointee.tagCount where p.pointee.withTagUTF8(t, { key, _ in key.elementsEqual(name) }) {
                    found = t
                    break
                }
                if !body(part, found) { return false }
                start = end
            }
            return true
        }
    }

    /// The hash of the key ``RuleEngine/groupKey(_:_:)`` would build for the point.
    func hash(_ p: UnsafePointer<Point>) -> UInt64 {
        var h = Self.offset
        switch groupBy {
        case .none:
            for b in "nil".utf8 { Self.mix(&h, b) }
        case .all:
            for i in 0..<p.pointee.tagCount {
                if i > 0 { Self.mix(&h, UInt8(ascii: ",")) }
                p.pointee.withTagUTF8(i) { key, value in
                    Self.mix(&h, key)
                    Self.mix(&h, UInt8(ascii: "="))
                    Self.mix(&h, value)
                }
            }
        case .tags:
            _ = forEachName(p) { part, tag in
                Self.mix(&h, part)
                if let tag { p.pointee.withTagUTF8(tag) { _, value in Self.mix(&h, value) } }
                return true
            }
        }
        return h
    }

    /// Whether `key` is the key ``RuleEngine/groupKey(_:_:)`` would build for the point, compared
    /// byte by byte.
    func matches(_ key: String, _ p: UnsafePointer<Point>) -> Bool {
        if case .none = groupBy { return key == "nil" }
        var key = key
        return key.withUTF8 { bytes in
            var c = Cursor(bytes: bytes)
            switch groupBy {
            case .none: return false
            case .all:
                for i in 0..<p.pointee.tagCount {
                    if i > 0, !c.take(UInt8(ascii: ",")) { return false }
                    let same = p.pointee.withTagUTF8(i) { k, v in c.take(k) && c.take(UInt8(ascii: "=")) && c.take(v) }
                    if !same { return false }
                }
            case .tags:
                let same = forEachName(p) { part, tag in
                    guard c.take(part) else { return false }
                    guard let tag else { return true }
                    return p.pointee.withTagUTF8(tag) { _, value in c.take(value) }
                }
                if !same { return false }
            }
            return c.i == bytes.count
        }
    }

    /// Reads a key's bytes in order.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        @inline(__always)
        mutating func take(_ b: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
            return true
        }
        @inline(__always)
        mutating func take(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
            guard bytes.count - i >= s.count else { return false }
            for b in s {
                guard bytes[i] == b else { return false }
                i += 1
            }
            return true
        }
    }
}
