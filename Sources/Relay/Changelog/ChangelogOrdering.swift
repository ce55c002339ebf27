import AlertRules
import Ingest

/// The order that makes a failover exact, per input partition: a batch's alerts are held
/// (spooled or acknowledged) → the changelog records of the state after it are written and
/// acknowledged by the broker → the batch is released to its source, which then commits its
/// offset. So a committed offset never runs ahead of the changelog, and the changelog never
/// holds a state whose alerts could still be lost.
///
/// A flush covers every batch of its partition begun before it (the engine takes its changes
/// between batches); it is produced once all of those batches' alerts are held and every earlier
/// flush of the partition is produced, and it completes once all its records are acknowledged
/// (and every earlier flush completed). Completion releases the batches it covers. A value type
/// without threads: ``StateChangelogWriter`` owns it on its thread.
struct ChangelogOrdering {
    struct Batch {
        var seq: UInt64
        var alertsHeld = false
        var acknowledgement: PointsAcknowledgement?
    }
    struct Flush {
        var id: UInt64
        /// The last batch sequence number it covers.
        var covers: UInt64
        var records: [StateChangelogRecord]
        var produced = false
        /// Records produced and not yet acknowledged.
        var outstanding = 0
    }
    struct Partition {
        var batches: [Batch] = []
        var flushes: [Flush] = []
        var lastSeq: UInt64 = 0
        /// The input offset after the last batch begun (nil: batches without offsets).
        var lastEnd: Int64?
        var isIdle: Bool { batches.isEmpty && flushes.isEmpty }
    }
    /// A flush ready to be produced.
    struct Due {
        var owner: StateOwner
        var flush: UInt64
        var records: [StateChangelogRecord]
    }

    private(set) var partitions: [StateOwner: Partition] = [:]
    private var nextFlush: UInt64 = 0

    /// Batch `seq` (increasing over all partitions) of `owner`, ending before input offset `end`,
    /// was handed to the engine.
    mutating func began(_ owner: StateOwner, seq: UInt64, end: Int64?, acknowledgement: PointsAcknowledgement?) {
        partitions[owner, default: Partition()].batches.append(Batch(seq: seq, acknowledgement: acknowledgement))
        partitions[owner]?.lastSeq = seq
        if let end { partitions[owner]?.lastEnd = end }
    }

    /// The alerts of batch `seq` of `owner` are held.
    mutating func alertsHeld(_ owner: StateOwner, seq: UInt64) {
        guard let i = partitions[owner]?.batches.firstIndex(where: { $0.seq == seq }) else { return }
        partitions[owner]?.batches[i].alertsHeld = true
    }

    /// A flush of `owner`: `records` (may be empty) for the state after every batch begun so far,
    /// followed by the partition's resume marker when it covers new batches with offsets. Nothing
    /// is queued when there is neither a record nor an uncovered batch.
    mutating func flush(_ owner: StateOwner, records: [StateChangelogRecord]) {
        let p = partitions[owner] ?? Partition()
        let covered = p.flushes.last?.covers ?? 0
        let coversNew = p.batches.contains { $0.seq > covered }
        guard !records.isEmpty || coversNew else { return }
        var records = records
        if coversNew, let end = p.lastEnd { records.append(StateChangelogRecord.resumeMarker(topic: owner.topic, offset: end)) }
        nextFlush += 1
        partitions[owner, default: Partition()].flushes.append(Flush(id: nextFlush, covers: p.lastSeq, records: records))
    }

    /// The flushes that may be produced now (marked produced; their records handed over once).
    mutating func takeDue() -> [Due] {
        var due: [Due] = []
        for owner in partitions.keys {
            guard var p = partitions[owner] else { continue }
            for i in p.flushes.indices {
                if p.flushes[i].produced { continue }
                let covers = p.flushes[i].covers
                guard p.batches.allSatisfy({ $0.seq > covers || $0.alertsHeld }) else { break }
                p.flushes[i].produced = true
                p.flushes[i].outstanding = p.flushes[i].records.count
                due.append(Due(owner: owner, flush: p.flushes[i].id, records: p.flushes[i].records))
                p.flushes[i].records = []
            }
            partitions[owner] = p
        }
        return due
    }

    /// One record of flush `id` of `owner` was acknowledged; returns the acknowledgements to
    /// release (of the batches the flushes completed by it cover).
    mutating func delivered(_ owner: StateOwner, flush id: UInt64) -> [PointsAcknowledgement] {
        guard let i = partitions[owner]?.flushes.firstIndex(where: { $0.id == id }) else { return [] }
        partitions[owner]?.flushes[i].outstanding -= 1
        return complete(owner)
    }

    /// Completes the partition's leading flushes that are produced and fully acknowledged
    /// (a flush of no records completes as soon as it is produced).
    mutating func complete(_ owner: StateOwner) -> [PointsAcknowledgement] {
        guard var p = partitions[owner] else { return [] }
        var released: [PointsAcknowledgement] = []
        while let head = p.flushes.first, head.produced, head.outstanding == 0 {
            p.flushes.removeFirst()
            let n = p.batches.prefix { $0.seq <= head.covers }.count
            released += p.batches.prefix(n).compactMap(\.acknowledgement)
            p.batches.removeFirst(n)
        }
        partitions[owner] = p.isIdle && p.lastSeq == 0 ? nil : p
        return released
    }

    /// Whether every flush of `owner` queued so far has completed.
    func isWritten(_ owner: StateOwner) -> Bool { partitions[owner]?.flushes.isEmpty ?? true }

    /// Forgets `owner` (its partition was revoked after its flushes completed): batches not
    /// covered by a flush are not released — their source replays them elsewhere.
    mutating func forget(_ owner: StateOwner) { partitions[owner] = nil }
}
