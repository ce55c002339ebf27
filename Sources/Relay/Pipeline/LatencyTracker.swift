import Ingest
import Locking
import Synchronization

/// Receipt times of the records the outputs hold, per output identity, so each report can tell
/// how long the alert took from the socket to its acknowledgement.
/// With a dead-letter file or a spool it also keeps each record until its report, to write it
/// aside or send it again if it fails.
public final class LatencyTracker: Sendable {
    struct Entry: Sendable {
        var receivedAt: UInt64
        var record: OutputRecord?
        var spoolID: SpoolID?
        /// The engine's send order (kept for a re-send).
        var order: UInt64 = 0
        /// The acknowledgement of the batch that raised the message, when the message was not
        /// spooled: released when the message is delivered or dead-lettered.
        var acknowledgement: PointsAcknowledgement?
    }
    private struct State {
        var pending: [String: [UInt64: Entry]] = [:]
        /// Reports that arrived before `sent` recorded their record (a fast receiver, or a failure
        /// reported at once).
        var early: [String: [UInt64: OutputReport]] = [:]
    }
    private let state = Locked(State())
    private let keeping: Atomic<Bool>
    /// Whether records are kept for the dead-letter file (changes with a reloaded `dead-letter-file`).
    public var keepMessages: Bool {
        get { keeping.load(ordering: .relaxed) }
        set { keeping.store(newValue, ordering: .relaxed) }
    }
    public init(keepMessages: Bool = false) { keeping = Atomic(keepMessages) }

    /// Records a sent record; when its report already came, returns it with the entry, and the
    /// caller finishes the record (a failed report then still has the record for its dead letter).
    func sent(output: String, sequence: UInt64, receivedAt: UInt64, record: OutputRecord, spoolID: SpoolID? = nil,
              order: UInt64 = 0, acknowledgement: PointsAcknowledgement? = nil) -> (OutputReport, Entry)? {
        let entry = Entry(receivedAt: receivedAt, record: keepMessages ? record : nil, spoolID: spoolID, order: order,
                          acknowledgement: acknowledgement)
        return state.withLock { s in
            if let report = s.early[output]?.removeValue(forKey: sequence) { return (report, entry) }
            s.pending[output, default: [:]][sequence] = entry
            return nil
        }
    }

    /// A record an output took: its sequence number and what its send knew.
    struct Sent {
        var sequence: UInt64
        var record: OutputRecord
        var pending: SpoolRetry.Pending
    }

    /// Records what an output took in one turn, under one lock; returns those whose reports came
    /// already, with their entries (the caller finishes them).
    func sent(output: String, _ batch: [Sent]) -> [(OutputReport, Entry)] {
        let keep = keepMessages
        return state.withLock { s in
            var early: [(OutputReport, Entry)] = []
            let anyEarly = !(s.early[output]?.isEmpty ?? true)
            for t in batch {
                let entry = Entry(receivedAt: t.pending.receivedAt, record: keep ? t.record : nil, spoolID: t.pending.id,
                                  order: t.pending.order, acknowledgement: t.pending.acknowledgement)
                if anyEarly, let report = s.early[output]?.removeValue(forKey: t.sequence) {
                    early.append((report, entry))
                } else {
                    s.pending[output, default: [:]][t.sequence] = entry
                }
            }
            return early
        }
    }

    /// ``delivered(output:report:)`` for one delivery event's reports, under one lock: the
    /// entries found, with their reports, in report order.
    func delivered(output: String, reports: [OutputReport]) -> [(OutputReport, Entry)] {
        state.withLock { s in
            var found: [(OutputReport, Entry)] = []
            found.reserveCapacity(reports.count)
            for report in reports {
                if let e = s.pending[output]?.removeValue(forKey: report.sequence) {
                    found.append((report, e))
                } else {
                    s.early[output, default: [:]][report.sequence] = report
                }
            }
            return found
        }
    }

    /// What was recorded for the reported record, forgotten once asked; nil when `sent` has not
    /// recorded it yet (the report is kept for `sent`).
    func delivered(output: String, report: OutputReport) -> Entry? {
        state.withLock { s in
            if let e = s.pending[output]?.removeValue(forKey: report.sequence) { return e }
            s.early[output, default: [:]][report.sequence] = report
            return nil
        }
    }
}
