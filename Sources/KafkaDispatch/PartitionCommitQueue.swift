/// The batches of one partition handed on and not yet committed, in offset order: a batch that
/// is held (its points evaluated and its alerts durably kept) may be committed only once every
/// batch before it is held too, so the committed offset never passes a batch that a crash would
/// lose. ``held(_:)`` returns the offset to commit when the held prefix grew.
///
/// ```swift
/// var q = PartitionCommitQueue()
/// let a = q.append(end: 10)     // messages ..9
/// let b = q.append(end: 20)     // messages 10..19
/// q.held(b)                     // nil: batch a is still out
/// q.held(a)                     // 20: commit offset 20 (the next message to read)
/// ```
public struct PartitionCommitQueue: Sendable, Equatable {
    private struct Entry: Sendable, Equatable {
        var end: Int64
        var held: Bool
    }

    private var entries: [Entry] = []
    private var head = 0
    /// The sequence number of `entries[head]`.
    private var firstSequence: UInt64 = 0
    /// The highest offset the held prefix reached (the next offset a restart reads), if any.
    public private(set) var committable: Int64?

    /// An empty queue.
    public init() {}

    /// Batches appended and not yet held in order (the front ones not held, and any held behind them).
    public var outstanding: Int { entries.count - head }

    /// Appends a batch whose last message has offset `end - 1`; returns its sequence number.
    public mutating func append(end: Int64) -> UInt64 {
        entries.append(Entry(end: end, held: false))
        return firstSequence + UInt64(entries.count - head - 1)
    }

    /// Marks batch `sequence` held; returns the new offset to commit when the held prefix grew,
    /// nil otherwise (an earlier batch is still out, or `sequence` is unknown or already held).
    public mutating func held(_ sequence: UInt64) -> Int64? {
        guard sequence >= firstSequence, sequence - firstSequence < UInt64(entries.count - head) else { return nil }
        let index = head + Int(sequence - firstSequence)
        guard !entries[index].held else { return nil }
        entries[index].held = true
        var advanced: Int64?
        while head < entries.count, entries[head].held {
            advanced = entries[head].end
            head += 1
            firstSequence += 1
        }
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        if let advanced { committable = advanced }
        return advanced
    }
}
