import Dispatch

/// What an output's report leads to: latency metrics and the spool record acknowledged for a
/// delivered record; for a failed one, with a spool and an error that may pass, another attempt
/// (``SpoolRetry``); otherwise a dead letter (and the spool record acknowledged, since the dead
/// letter now holds it). The same for every output kind, keyed by output identity.
///
/// Reports come from the outputs' threads (``report(output:_:)``) or, when a report beat the
/// engine's bookkeeping, from the engine thread (``finish(output:_:_:)``).
public final class DeliveryOutcomes: Sendable {
    let tracker: LatencyTracker
    let metrics: RelayMetrics
    let deadLetters: DeadLetters
    let spool: Spool?
    let retry: SpoolRetry?

    init(tracker: LatencyTracker, metrics: RelayMetrics, deadLetters: DeadLetters, spool: Spool?, retry: SpoolRetry?) {
        self.tracker = tracker
        self.metrics = metrics
        self.deadLetters = deadLetters
        self.spool = spool
        self.retry = retry
    }

    /// A report from output `output`. A report that arrives before the engine recorded its
    /// record is kept by the tracker, and the engine finishes it (with the record) instead.
    func report(output: String, _ report: OutputReport) {
        guard let entry = tracker.delivered(output: output, report: report) else { return }
        finish(output: output, report, entry)
    }

    /// The reports of one delivery event from output `output`: the tracker, the spool's
    /// acknowledgements and the retry state are each visited once for the lot.
    func report(output: String, _ reports: [OutputReport]) {
        let found = tracker.delivered(output: output, reports: reports)
        guard !found.isEmpty else { return }
        var acks: [SpoolID] = []
        var orders: [UInt64] = []
        let now = DispatchTime.now().uptimeNanoseconds
        let isKafka = OutputID.cluster(of: output) != nil
        for (report, entry) in found {
            guard report.error == nil else {
                finish(output: output, report, entry)
                continue
            }
            metrics.endToEndLatency.recordNanoseconds(Int64(now &- entry.receivedAt))
            if !isKafka { metrics.handlerLatency(output).recordNanoseconds(report.latencyMicroseconds * 1000) }
            if let id = entry.spoolID { acks.append(id) }
            orders.append(entry.order)
            entry.acknowledgement?.release()
        }
        if !acks.isEmpty { spool?.ack(acks) }
        if !orders.isEmpty { retry?.delivered(output: output, orders: orders) }
    }

    /// Acts on `report` for the record `entry` describes.
    func finish(output: String, _ report: OutputReport, _ entry: LatencyTracker.Entry) {
        guard let error = report.error else {
            let now = DispatchTime.now().uptimeNanoseconds
            metrics.endToEndLatency.recordNanoseconds(Int64(now &- entry.receivedAt))
            if OutputID.cluster(of: output) == nil { metrics.handlerLatency(output).recordNanoseconds(report.latencyMicroseconds * 1000) }
            if let id = entry.spoolID { spool?.ack(id) }
            retry?.delivered(output: output, order: entry.order)
            entry.acknowledgement?.release()
            return
        }
        if let retry, !error.isPermanent, entry.spoolID != nil || entry.record != nil {
            retry.failed(SpoolRetry.Pending(order: entry.order, id: entry.spoolID, record: entry.spoolID == nil ? entry.record : nil,
                                            receivedAt: entry.receivedAt, lastError: error.description,
                                            acknowledgement: entry.acknowledgement), output: output)
            return
        }
        deadLetters.record(output: output, record: entry.record, destination: report.destination, reason: error.description)
        if let id = entry.spoolID { spool?.ack(id) }
        retry?.abandoned(output: output, order: entry.order)
        entry.acknowledgement?.release()
    }
}
