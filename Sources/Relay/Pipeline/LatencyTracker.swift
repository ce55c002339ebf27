import KafkaDispatch
import Locking
import Synchronization

/// Receipt times of the messages librdkafka holds, so each delivery report can tell how long the
/// alert took from the socket to the broker's acknowledgement.
/// With a dead-letter file it also keeps each message until its report, to write it aside if it fails.
public final class LatencyTracker: Sendable {
    struct Entry: Sendable {
        var receivedAt: UInt64
        var message: KafkaMessage?
        var spoolID: SpoolID?
        /// The engine's send order (kept for a re-send).
        var order: UInt64 = 0
    }
    private struct State {
        var pending: [String: [UInt64: Entry]] = [:]
        /// Reports that arrived before `sent` recorded their message (a fast broker, or a failure
        /// librdkafka reports at once).
        var early: [String: [UInt64: KafkaDeliveryReport]] = [:]
    }
    private let state = Locked(State())
    private let keeping: Atomic<Bool>
    /// Whether messages are kept for the dead-letter file (changes with a reloaded `dead-letter-file`).
    public var keepMessages: Bool {
        get { keeping.load(ordering: .relaxed) }
        set { keeping.store(newValue, ordering: .relaxed) }
    }
    public init(keepMessages: Bool = false) { keeping = Atomic(keepMessages) }

    /// Records a sent message; when its report already came, returns it with the entry, and the
    /// caller finishes the message (a failed report then still has the message for its dead letter).
    func sent(cluster: String, sequence: UInt64, receivedAt: UInt64, message: KafkaMessage, spoolID: SpoolID? = nil,
              order: UInt64 = 0) -> (KafkaDeliveryReport, Entry)? {
        let entry = Entry(receivedAt: receivedAt, message: keepMessages ? message : nil, spoolID: spoolID, order: order)
        return state.withLock { s in
            if let report = s.early[cluster]?.removeValue(forKey: sequence) { return (report, entry) }
            s.pending[cluster, default: [:]][sequence] = entry
            return nil
        }
    }

    /// What was recorded for the reported message, forgotten once asked; nil when `sent` has not
    /// recorded it yet (the report is kept for `sent`).
    func delivered(cluster: String, report: KafkaDeliveryReport) -> Entry? {
        state.withLock { s in
            if let e = s.pending[cluster]?.removeValue(forKey: report.sequence) { return e }
            s.early[cluster, default: [:]][report.sequence] = report
            return nil
        }
    }
}
