import Ingest
import KafkaDispatch
import Prometheus
import Synchronization
import Locking

/// The relay's Prometheus metrics (`GET /metrics`). Counters kept elsewhere as totals (listener,
/// rule and Kafka statistics) are brought up to date at each scrape; the delivery latency is
/// recorded as reports arrive.
public final class RelayMetrics: Sendable {
    /// The registry behind `/metrics` (also swift-metrics' backend).
    public let registry = PrometheusCollectorRegistry()
    /// The scrape-time series (see ``ScrapeSeries``).
    private let series = Locked(ScrapeSeries())
    let deliveryLatency: DurationHistogram
    let endToEndLatency: DurationHistogram

    /// Latency buckets, ms: fine from a fraction of a millisecond to tens of seconds (a fast local
    /// broker, a slow remote one, a spool re-send after an outage).
    static let latencyBuckets: [Double] = [0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300,
                                           500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000]
    /// The process CPU seconds last exported (`process_cpu_seconds_total` moves by the difference).
    let processCPUSeconds = Locked<Double>(0)
    /// The Kafka consumers' per-partition gauges exported at the last scrape (see ``consumers(_:)``).
    let consumerPartitionSeries = Locked<Set<ScrapeSeries.Series>>([])

    public init() {
        let buckets = Self.latencyBuckets.map { Duration.microseconds(Int64($0 * 1000)) }
        deliveryLatency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "alertrelay", metricName: "kafka_delivery_latency", unitName: "seconds",
                                             helpText: "Time from queueing an alert message to the broker's acknowledgement."),
            labels: [], buckets: buckets)
        endToEndLatency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "alertrelay", metricName: "alert_latency", unitName: "seconds",
                                             helpText: "Time from receiving the point that raised an alert to the broker's acknowledgement of its message."),
            labels: [], buckets: buckets)
    }

    /// Sets counter `name{labels}` to `total` (counters only move forward: a smaller total, after a
    /// reload resets a source, counts from zero again); `unit` and `help` are read only the first time.
    func total(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)], _ total: UInt64) {
        series.withLock { $0.total(name, unit, help, labels, total) }
    }

    /// Sets gauge `name{labels}` to `value`.
    func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
        series.withLock { $0.gauge(name, help, labels, value) }
    }

    /// Drops gauge `name{labels}` from `/metrics`; a later ``gauge(_:_:_:_:)`` makes it again.
    func removeGauge(_ name: String, _ labels: [(String, String)]) {
        series.withLock { $0.removeGauge(name, labels) }
    }

    /// Brings every counter up to date and renders the exposition text: the scrape-time series,
    /// then the registry's (histograms, `process_*`).
    func render(listeners: [(name: String, counts: ListenerStatistics.Snapshot)], pipeline: RelayPipeline.Snapshot,
                kafka: [String: [String: KafkaTopicStatistics]], outstanding: [String: Int]) -> String {
        for (name, s) in listeners {
            let labels = [("listener", name)]
            total("listener_messages", "total", "Datagrams, connections' reads or requests received.", labels, s.messages)
            total("listener_bytes", "total", "Bytes received.", labels, s.bytes)
            total("points_received", "total", "Points parsed and handed to the pipeline.", labels, s.pointsAccepted)
            total("lines_rejected", "total", "Lines the line-protocol parser rejected.", labels, s.linesRejected)
            total("points_dropped", "total", "Points dropped because the pipeline was full (UDP).", labels, s.pointsDropped)
            if name.hasPrefix("tcp:") || name.hasPrefix("http:") {
                total("connections_refused", "total", "Connections closed at once because max-connections (or the open-file limit's share) were open.",
                      labels, s.connectionsRefused)
                total("connections_idle_closed", "total", "Connections closed after idle-timeout or read-header-timeout.", labels, s.connectionsIdleClosed)
                total("accept_errors", "total", "Accepts that failed, by reason (descriptors: the open-file limit reached); accepting pauses 1 s after each.",
                      labels + [("reason", "descriptors")], s.descriptorErrors)
                total("accept_errors", "total", "Accepts that failed, by reason (descriptors: the open-file limit reached); accepting pauses 1 s after each.",
                      labels + [("reason", "other")], s.acceptErrors)
            }
        }
        gauge("queue_points", "Points waiting for the rule engine.", [], Double(pipeline.queuedPoints))
        gauge("queue_capacity_points", "The pipeline queue's capacity ([relay] queue-size).", [], Double(pipeline.capacity))
        total("points_evaluated", "total", "Points taken by the rule engine.", [], pipeline.pointsProcessed)
        for (rule, s) in pipeline.rules {
            total("rule_evaluations", "total", "Points evaluated by the rule (after measurement match).", [("rule", rule)], s.evaluations)
            total("rule_expression_errors", "total", "Expression errors (e.g. a missing field).", [("rule", rule)], s.expressionErrors)
            total("rule_template_errors", "total", "Template errors while making an event.", [("rule", rule)], s.templateErrors)
            for level in ["OK", "INFO", "WARNING", "CRITICAL"].enumerated() {
                total("alerts", "total", "Alert events by rule and level.", [("rule", rule), ("level", level.element)], s.events[level.offset])
            }
            gauge("rule_groups", "Active alert groups of the rule.", [("rule", rule)], Double(s.groups))
            total("rule_groups_refused", "total", "Points not evaluated because they would open a group beyond [relay] max-groups or the rule's limit.",
                  [("rule", rule)], s.groupsRefused)
            total("rule_groups_expired", "total", "Idle OK groups dropped after [relay] group-expiry.", [("rule", rule)], s.groupsExpired)
            total("rule_alerts_inhibited", "total", "Alert events held back by another rule's inhibit (its category, same tags).", [("rule", rule)], s.inhibited)
        }
        for (handler, n) in pipeline.handlerFailures {
            total("handler_failures", "total", "Events a handler could not turn into a message (template, match or file errors).",
                  [("handler", handler)], n)
        }
        for (cluster, topics) in kafka {
            for (topic, s) in topics {
                let labels = [("cluster", cluster), ("topic", topic)]
                total("kafka_messages_queued", "total", "Messages handed to librdkafka.", labels, s.queued)
                total("kafka_messages_delivered", "total", "Messages the brokers acknowledged.", labels, s.delivered)
                total("kafka_messages_failed", "total", "Messages reported failed.", labels, s.failed)
            }
        }
        for (cluster, n) in outstanding {
            gauge("kafka_outstanding_messages", "Messages queued or in flight in librdkafka.", [("cluster", cluster)], Double(n))
        }
        total("topic_levels_refused", "total", "Alert events whose level a topic could not keep (its firing alert IDs at max-groups).", [], pipeline.levelsRefused)
        total("state_save_errors", "total", "Alert-state saves to [relay] state-file that failed (the log says why).", [], pipeline.stateSaveErrors)
        if let records = pipeline.changelogRecords {
            let help = "Group mode: alert-state changelog records the broker acknowledged, or refused for good (the partition's offsets then stay uncommitted)."
            total("state_changelog_records", "total", help, [("result", "written")], records.written)
            total("state_changelog_records", "total", help, [("result", "failed")], records.failed)
        }
        let reloadHelp = "SIGHUP reloads: ok, or error (refused; the running set was kept)."
        total("config_reloads", "total", reloadHelp, [("result", "ok")], pipeline.reloads.ok)
        total("config_reloads", "total", reloadHelp, [("result", "error")], pipeline.reloads.failed)
        return exposition()
    }

    /// The exposition text as it stands: the scrape-time series, then the registry's.
    func exposition() -> String {
        var text: [UInt8] = []
        series.withLock { $0.render(into: &text) }
        text += registry.emitToBuffer()
        return String(decoding: text, as: UTF8.self)
    }
}
