import AlertRules
import KafkaDispatch
import Prometheus

extension RelayMetrics {
    /// `alertrelay_build_info{version,swift} 1`.
    func recordBuildInfo() {
        gauge("build_info", "Always 1; the labels say which build runs.", [("version", RelayBuild.version), ("swift", RelayBuild.swift)], 1)
    }

    /// Prometheus' standard `process_*` series, read from `/proc` now.
    func recordProcess(_ p: ProcessStatistics?) {
        guard let p else { return }
        let cpu = registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "process", metricName: "cpu_seconds", unitName: "total",
                                                                        helpText: "Total user and system CPU time spent in seconds."), labels: [])
        let delta = processCPUSeconds.withLock { last in
            defer { last = max(last, p.cpuSeconds) }
            return p.cpuSeconds - last
        }
        if delta > 0 { cpu.increment(by: delta) }
        func processGauge(_ name: String, _ unit: String, _ help: String, _ value: Double) {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "process", metricName: name, unitName: unit, helpText: help),
                               labels: []).set(value)
        }
        processGauge("resident_memory", "bytes", "Resident memory size in bytes.", Double(p.residentBytes))
        processGauge("open_fds", "", "Number of open file descriptors.", Double(p.openDescriptors))
        processGauge("max_fds", "", "Maximum number of open file descriptors (the soft limit).", Double(min(p.maxDescriptors, 1 << 53)))
        processGauge("threads", "", "Number of OS threads in the process.", Double(p.threads))
        processGauge("start_time", "seconds", "Start time of the process since unix epoch in seconds.", p.startTime)
    }

    /// `alertrelay_active_alerts{rule,level}`: every rule's alert IDs at each non-OK level now,
    /// 0 included, so every rule has its series from the start.
    func recordActiveAlerts(rules: [AlertRule], counts: [String: [Int]], refused: UInt64) {
        for r in rules {
            let c = counts[r.id] ?? [0, 0, 0, 0]
            for level in AlertLevel.allCases where level != .ok {
                gauge("active_alerts", "Alert IDs of the rule at the level now (what the alerts API lists).",
                      [("rule", r.id), ("level", level.description)], Double(c[level.rawValue]))
            }
        }
        total("alerts_api_refused", "total", "Events of new alert IDs the alerts API could not keep (max-groups firing IDs held).", [], refused)
    }

    /// Zero series for every configured handler, topic and Kafka destination that has not counted
    /// anything yet, so that dashboards and `rate()` see them from the start. Only names missing
    /// from the real counters are set (setting a counter to 0 first would count it twice).
    func recordConfiguredSeries(rules: RuleSet, handlerFailures: [String: UInt64], kafka: [String: [String: KafkaTopicStatistics]],
                                topicEvents: [String: Int64]) {
        let handlers = rules.rules.flatMap(\.handlers) + rules.handlers
        for h in handlers {
            if handlerFailures[h.id] == nil {
                total("handler_failures", "total", "Events a handler could not turn into a message (template, match or file errors).",
                      [("handler", h.id)], 0)
            }
            guard case .kafka(let k) = h.action, kafka[k.cluster]?[k.topic] == nil else { continue }
            let labels = [("cluster", k.cluster), ("topic", k.topic)]
            total("kafka_messages_queued", "total", "Messages handed to librdkafka.", labels, 0)
            total("kafka_messages_delivered", "total", "Messages the brokers acknowledged.", labels, 0)
            total("kafka_messages_failed", "total", "Messages reported failed.", labels, 0)
        }
        for (topic, n) in topicEvents {
            total("topic_events", "total", "Alert events that reached the alert topic (Kapacitor's topic `collected`; anonymous topics included).",
                  [("topic", topic)], UInt64(max(0, n)))
        }
    }

    /// librdkafka's statistics of each cluster's producer (its last report, every 5 s).
    func recordKafkaClient(_ stats: [String: KafkaClientStatistics]) {
        for (cluster, s) in stats {
            let c = [("cluster", cluster)]
            gauge("kafka_queue_messages", "Messages in librdkafka's producer queue (librdkafka statistics msg_cnt).", c, Double(s.queueMessages))
            gauge("kafka_queue_bytes", "Bytes of messages in librdkafka's producer queue (msg_size).", c, Double(s.queueBytes))
            gauge("kafka_queue_max_bytes", "The producer queue's limit in bytes (msg_size_max).", c, Double(s.queueMaxBytes))
            for b in s.brokers {
                let labels = c + [("broker", b.name)]
                gauge("kafka_broker_up", "1 when librdkafka's connection to the broker is UP.", labels, b.state == "UP" ? 1 : 0)
                gauge("kafka_broker_rtt_avg_seconds", "Broker round-trip time, average over the last statistics window (rtt.avg).",
                      labels, b.rttAverage)
                gauge("kafka_broker_rtt_p99_seconds", "Broker round-trip time, 99th percentile over the last statistics window (rtt.p99).",
                      labels, b.rttP99)
                total("kafka_broker_retries", "total", "Requests librdkafka sent the broker again (txretries).", labels, b.retries)
                total("kafka_broker_request_timeouts", "total", "Requests to the broker that timed out (req_timeouts).", labels, b.requestTimeouts)
                total("kafka_broker_disconnects", "total", "Connections to the broker lost (disconnects).", labels, b.disconnects)
                gauge("kafka_broker_outbuf_messages", "Messages waiting to be sent to the broker (outbuf_msg_cnt).", labels, Double(b.outbufMessages))
                gauge("kafka_broker_inflight_messages", "Messages sent to the broker awaiting its answer (waitresp_msg_cnt).", labels,
                      Double(b.inFlightMessages))
            }
        }
    }
}
