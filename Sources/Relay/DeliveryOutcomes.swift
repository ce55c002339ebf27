import Dispatch
import KafkaDispatch

/// What a delivery report leads to: latency metrics and the spool record acknowledged for a
/// delivered message; for a failed one, with a spool and an error that may pass, another attempt
/// (``SpoolRetry``); otherwise a dead letter (and the spool record acknowledged, since the dead
/// letter now holds it).
///
/// Reports come from librdkafka's threads (``report(cluster:_:)``) or, when a report beat the
/// engine's bookkeeping, from the engine thread (``finish(cluster:_:_:)``).
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

    /// A delivery report from librdkafka. A report that arrives before the engine recorded its
    /// message is kept by the tracker, and the engine finishes it (with the message) instead.
    func report(cluster: String, _ report: KafkaDeliveryReport) {
        if report.isDelivered { metrics.deliveryLatency.recordNanoseconds(report.latencyMicroseconds * 1000) }
        guard let entry = tracker.delivered(cluster: cluster, report: report) else { return }
        finish(cluster: cluster, report, entry)
    }

    /// Acts on `report` for the message `entry` describes.
    func finish(cluster: String, _ report: KafkaDeliveryReport, _ entry: LatencyTracker.Entry) {
        guard let error = report.error else {
            let now = DispatchTime.now().uptimeNanoseconds
            metrics.endToEndLatency.recordNanoseconds(Int64(now &- entry.receivedAt))
            if let id = entry.spoolID { spool?.ack(id) }
            retry?.delivered(cluster: cluster, order: entry.order)
            return
        }
        if let retry, !error.isPermanent, entry.spoolID != nil || entry.message != nil {
            retry.failed(SpoolRetry.Pending(order: entry.order, id: entry.spoolID, message: entry.spoolID == nil ? entry.message : nil,
                                            receivedAt: entry.receivedAt, lastError: error.description), cluster: cluster)
            return
        }
        deadLetters.record(cluster: cluster, message: entry.message, topic: report.topic, reason: error.description)
        if let id = entry.spoolID { spool?.ack(id) }
        retry?.abandoned(cluster: cluster, order: entry.order)
    }
}
