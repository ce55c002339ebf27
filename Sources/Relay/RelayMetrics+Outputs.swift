import Prometheus

/// The post and tcp outputs' metrics, beside the Kafka ones (which keep their
/// `alertrelay_kafka_*` names): `alertrelay_handler_messages_{sent,delivered,failed,dead_lettered}_total`,
/// `alertrelay_handler_outstanding_messages` and `alertrelay_handler_delivery_latency_seconds`, each
/// labelled `output` (`post:<endpoint or url>`, `tcp:<address>`).
extension RelayMetrics {
    /// The delivery-latency histogram of output `id` (made on first use).
    func handlerLatency(_ id: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "alertrelay", metricName: "handler_delivery_latency", unitName: "seconds",
                                             helpText: "Time from queueing an alert record on a post or tcp output to its delivery."),
            labels: [("output", id)],
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30)])
    }

    /// Brings the post and tcp outputs' counters up to date (`totals` across reloads).
    func handlerOutputs(_ totals: [String: OutputStatistics], live: [any AlertOutput], deadLetters: [String: UInt64]) {
        for (id, s) in totals {
            let labels = [("output", id)]
            total("handler_messages_sent", "total", "Records handed to a post or tcp output.", labels, s.sent)
            total("handler_messages_delivered", "total", "Records a post or tcp output delivered (2xx; written to the socket).", labels, s.delivered)
            total("handler_messages_failed", "total", "Records a post or tcp output reported failed (re-sent from the spool or dead-lettered).", labels, s.failed)
            total("handler_messages_dead_lettered", "total", "Records of a post or tcp output given up (permanent failure, max-age, or no spool).",
                  labels, deadLetters[id] ?? 0)
        }
        for o in live {
            gauge("handler_outstanding_messages", "Records queued or in flight in a post or tcp output.", [("output", o.id)], Double(o.outstanding))
        }
    }
}
