@testable import AlertRules
import Ingest
import Prometheus
import Testing
@testable import Relay

/// `/metrics`' scrape-time series, kept and rendered by the relay (``ScrapeSeries``), render as
/// they did when each scrape made them through the Prometheus registry.
@Suite struct RelayMetricsTests {
    /// The scrape-time series as they were brought up to date before: made through the registry
    /// at each call, the last total kept by a joined string.
    final class Reference {
        let registry = PrometheusCollectorRegistry()
        var lastTotals: [String: UInt64] = [:]

        func total(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)], _ total: UInt64) {
            let key = name + "|" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            let previous = lastTotals[key] ?? 0
            lastTotals[key] = total
            let delta = total >= previous ? total - previous : total
            let c = registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "alertrelay", metricName: name, unitName: unit, helpText: help),
                                         labels: labels)
            if delta > 0 { c.increment(by: Int64(clamping: delta)) }
        }

        func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "alertrelay", metricName: name, unitName: "", helpText: help),
                               labels: labels).set(value)
        }

        func removeGauge(_ name: String, _ help: String, _ labels: [(String, String)]) {
            registry.unregisterGauge(registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "alertrelay", metricName: name, unitName: "", helpText: help), labels: labels))
        }
    }

    /// The exposition's lines, sorted (the registry renders families in its dictionary's order),
    /// without the two latency histograms `RelayMetrics` makes at start.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.contains("_latency") }.sorted()
    }

    @Test func seriesRenderAsWhenEachScrapeMadeThem() {
        let metrics = RelayMetrics()
        let reference = Reference()
        let help = "Points evaluated by the rule (after measurement match)."
        // Three scrapes: new series, moved totals (one smaller: a reload reset its source),
        // a gauge removed and made again.
        let scrapes: [[UInt64]] = [[5, 0, 7], [9, 3, 2], [9, 3, 4]]
        for (i, totals) in scrapes.enumerated() {
            for (r, t) in totals.enumerated() {
                for target in [metrics.total, reference.total] as [(String, String, String, [(String, String)], UInt64) -> Void] {
                    target("rule_evaluations", "total", help, [("rule", "r\(r)")], t)
                    target("alerts", "total", "Alert events by rule and level.", [("rule", "r\(r)"), ("level", "OK")], t * 2)
                    target("points_evaluated", "total", "Points taken by the rule engine.", [], t + 1)
                }
                metrics.gauge("rule_groups", "Active alert groups of the rule.", [("rule", "r\(r)")], Double(t))
                reference.gauge("rule_groups", "Active alert groups of the rule.", [("rule", "r\(r)")], Double(t))
            }
            let lag = [("listener", "kafka-consumer:g@c"), ("topic", "lp"), ("partition", "3")]
            if i == 1 {
                metrics.removeGauge("kafka_consumer_lag_messages", lag)
                reference.removeGauge("kafka_consumer_lag_messages", "Lag.", lag)
            } else {
                metrics.gauge("kafka_consumer_lag_messages", "Lag.", lag, Double(10 * i))
                reference.gauge("kafka_consumer_lag_messages", "Lag.", lag, Double(10 * i))
            }
            let ours = Self.lines(metrics.exposition())
            #expect(ours == Self.lines(reference.registry.emitToString()), "scrape \(i)")
            #expect(!ours.isEmpty)
        }
        let last = Self.lines(metrics.exposition())
        #expect(last.contains(#"alertrelay_rule_evaluations_total{rule="r2"} 11"#), "7; 2 after a reset counts from zero (+2); 4 (+2)")
        #expect(last.contains(#"alertrelay_kafka_consumer_lag_messages{listener="kafka-consumer:g@c",topic="lp",partition="3"} 20.0"#))
    }

    /// Label values are escaped as the registry escapes them, and gauges that come and go (a
    /// rebalance moving partitions back and forth) are listed once each, also after the relay's
    /// lazily compacted lists drop what was removed.
    @Test func escapedLabelsAndGaugesThatComeAndGoRenderAsTheRegistry() {
        let metrics = RelayMetrics()
        let reference = Reference()
        let odd = [("rule", #"a "quoted" \ back\slash"#), ("level", "line\nfeed")]
        metrics.total("alerts", "total", "Alert events by rule and level.", odd, 3)
        reference.total("alerts", "total", "Alert events by rule and level.", odd, 3)
        for round in 0..<6 {
            for p in 0..<40 {
                let labels = [("listener", "kafka-consumer:g@c"), ("topic", "lp"), ("partition", String(p))]
                // Even rounds hold every partition; odd rounds give up all but a few.
                if round % 2 == 1 && p >= 3 {
                    metrics.removeGauge("kafka_consumer_lag_messages", labels)
                    reference.removeGauge("kafka_consumer_lag_messages", "Lag.", labels)
                } else {
                    metrics.gauge("kafka_consumer_lag_messages", "Lag.", labels, Double(round * 100 + p))
                    reference.gauge("kafka_consumer_lag_messages", "Lag.", labels, Double(round * 100 + p))
                }
            }
            #expect(Self.lines(metrics.exposition()) == Self.lines(reference.registry.emitToString()), "round \(round)")
        }
        #expect(Self.lines(metrics.exposition()).contains(#"alertrelay_alerts_total{rule="a \"quoted\" \\ back\\slash",level="line\nfeed"} 3"#))
    }

    /// A whole `render` twice with the same state gives the same exposition.
    @Test func theSameStateRendersTheSameExposition() {
        let metrics = RelayMetrics()
        var pipeline = RelayPipeline.Snapshot()
        pipeline.pointsProcessed = 1_000
        for r in 0..<20 {
            var s = RuleStatistics()
            s.evaluations = UInt64(100 + r)
            s.events = [UInt64(r), 1, 0, 2]
            s.groups = r
            pipeline.rules["rule-\(r)"] = s
        }
        let listeners = [(name: "udp:127.0.0.1:8089", counts: ListenerStatistics.Snapshot(messages: 10, bytes: 900, pointsAccepted: 30,
                                                                                           linesRejected: 1, pointsDropped: 0))]
        let first = metrics.render(listeners: listeners, pipeline: pipeline, kafka: [:], outstanding: ["c": 3])
        let second = metrics.render(listeners: listeners, pipeline: pipeline, kafka: [:], outstanding: ["c": 3])
        #expect(Self.lines(first) == Self.lines(second))
        #expect(Self.lines(first).contains(#"alertrelay_rule_evaluations_total{rule="rule-7"} 107"#))
        #expect(Self.lines(first).contains(#"alertrelay_alerts_total{rule="rule-3",level="OK"} 3"#))
        #expect(Self.lines(first).contains(#"alertrelay_points_evaluated_total 1000"#))
    }
}
