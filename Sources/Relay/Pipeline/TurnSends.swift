import AlertRules
import Ingest

/// The records one engine turn (a batch's alerts, or a clock tick's) raised, held until the turn
/// ends and then handed to each output at once (``EngineLoop/sendTurn()``): a Kafka output takes
/// them in `rd_kafka_produce_batch` calls. Grouped per output in the order they were raised, so
/// each output sees its records in send order. Owned by the engine thread.
struct TurnSends {
    /// One record with what its send needs.
    struct Entry {
        var record: OutputRecord
        var spoolID: SpoolID?
        var receivedAt: UInt64
        var order: UInt64
        /// The delivery it came from (its handler's failures are counted and logged by it).
        var handler: AlertDelivery
        /// The batch's acknowledgement, when this record holds it.
        var acknowledgement: PointsAcknowledgement?
    }

    /// Per output, in the order outputs first appeared this turn (a turn has few).
    private var groups: [(output: String, entries: [Entry])] = []

    var isEmpty: Bool { groups.isEmpty }

    mutating func append(_ entry: Entry) {
        if let i = groups.lastIndex(where: { $0.output == entry.record.output }) {
            groups[i].entries.append(entry)
        } else {
            groups.append((entry.record.output, [entry]))
        }
    }

    /// The records of `refused` (spool ids whose write failed) are no longer spooled: they go out
    /// as unspooled records do.
    mutating func unspool(_ refused: Set<SpoolID>) {
        for g in groups.indices {
            for e in groups[g].entries.indices {
                if let id = groups[g].entries[e].spoolID, refused.contains(id) { groups[g].entries[e].spoolID = nil }
            }
        }
    }

    /// Everything held, per output; empties the buffer.
    mutating func take() -> [(output: String, entries: [Entry])] {
        defer { groups = [] }
        return groups
    }
}
