/// One group's window buffer: each buffered point's time and field value in 16 bytes, in arrival
/// order. The value's kind (float, integer, unsigned, boolean, string number) is kept once while
/// every entry shares it, the usual window, and one byte per entry beside only once they differ.
///
/// Entries before ``start`` are purged ones: reclaimed when the window is empty, or moved out
/// when they are half the buffer. The memory is managed here so that the count and capacity sit
/// in the window state's own object: an append writes its slot and reads nothing else of the
/// buffer (at many groups, each a likely cache miss).
struct WindowEntries: ~Copyable {
    /// A buffered point's time and value bits (a string value numbers it, see the window state).
    struct Entry {
        var time: Int64
        var bits: UInt64
    }

    private var base: UnsafeMutablePointer<Entry>?
    /// Entries in the buffer, purged ones included.
    private(set) var count = 0
    /// The first entry of the window.
    private(set) var start = 0
    private var capacity = 0
    /// Each entry's kind, once they differ; nil while all are `uniform`.
    private var kinds: UnsafeMutablePointer<UInt8>?
    private var uniform: UInt8 = 0

    init() {}

    deinit {
        base?.deallocate()
        kinds?.deallocate()
    }

    /// Entries of the window (not yet purged).
    var windowCount: Int { count - start }

    func time(_ i: Int) -> Int64 { base![i].time }
    func bits(_ i: Int) -> UInt64 { base![i].bits }
    func kind(_ i: Int) -> UInt8 { kinds?[i] ?? uniform }

    /// The kind every entry of the window has, or nil when they differ (or there are none).
    var sharedKind: UInt8? {
        guard count > start else { return nil }
        guard let kinds else { return uniform }
        let k = kinds[start]
        for i in (start + 1)..<count where kinds[i] != k { return nil }
        return k
    }

    /// Calls `body` with the window's entries (`start..<count` of the buffer).
    func withWindow<R>(_ body: (UnsafeBufferPointer<Entry>) -> R) -> R {
        body(UnsafeBufferPointer(start: base.map { $0 + start }, count: count - start))
    }

    /// Drops the window's first entry.
    mutating func dropFirst() { start += 1 }

    /// Moves the purged entries out when they are at least half the buffer; returns how many
    /// went (entries kept beside, such as whole points, drop as many from their front).
    mutating func reclaim() -> Int {
        guard start > 0, start * 2 >= count else { return 0 }
        let dropped = start
        if let base { base.update(from: base + start, count: count - start) }
        count -= start
        start = 0
        if let kinds {
            kinds.update(from: kinds + dropped, count: count)
            // The entries left share a kind again (the mixed ones were purged): one byte for all.
            if count > 0, (1..<count).allSatisfy({ kinds[$0] == kinds[0] }) {
                uniform = kinds[0]
                kinds.deallocate()
                self.kinds = nil
            }
        }
        return dropped
    }

    mutating func append(time: Int64, bits: UInt64, kind k: UInt8) {
        if count == capacity { grow() }
        base![count] = Entry(time: time, bits: bits)
        if count == 0 {
            kinds?.deallocate()
            kinds = nil
            uniform = k
        } else if let kinds {
            kinds[count] = k
        } else if k != uniform {
            let all = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            all.initialize(repeating: uniform, count: count)
            all[count] = k
            kinds = all
        }
        count += 1
    }

    /// Empties the buffer (its capacity kept) and the kinds with it.
    mutating func removeAll() {
        count = 0
        start = 0
        kinds?.deallocate()
        kinds = nil
    }

    private mutating func grow() {
        let bigger = max(4, capacity * 2)
        let entries = UnsafeMutablePointer<Entry>.allocate(capacity: bigger)
        if let base {
            entries.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = entries
        if let kinds {
            let more = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
            more.moveInitialize(from: kinds, count: count)
            kinds.deallocate()
            self.kinds = more
        }
        capacity = bigger
    }
}
