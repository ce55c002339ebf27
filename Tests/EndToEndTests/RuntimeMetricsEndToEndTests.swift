import AlertRelayTestSupport
import Foundation
import Testing

/// The series issue 18 item 10 adds to `/metrics`: build and process, active alerts per rule and
/// level, every configured handler and topic from the start, librdkafka's statistics, latency
/// buckets fine from 1 ms to 10 s.
extension EndToEndTests {
    @Test func runtimeMetricsFromTheStartAndAfterAnAlert() async throws {
        let broker = try TestBroker(topics: ["cpu-alerts:1"])
        defer { broker.stop() }
        let relay = try Self.apiRelay(broker)
        defer { relay.stop() }
        func scrape() throws -> String {
            let r = try Self.api(relay, "/metrics")
            guard r.status == 200 else { throw TestSupportError("/metrics answered \(r.status): \(r.body)") }
            return r.body
        }
        /// The value of the first sample whose line starts with `prefix`.
        func value(_ metrics: String, _ prefix: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }

        let start = try scrape()
        #expect(start.contains("alertrelay_build_info{version=\"0.1.0\",swift=\""), "\(start)")
        #expect(value(start, "alertrelay_build_info{") == 1)
        #expect(value(start, "process_cpu_seconds_total ").map { $0 > 0 } == true)
        #expect(value(start, "process_resident_memory_bytes ").map { $0 > 1_000_000 } == true)
        #expect(value(start, "process_open_fds ").map { $0 >= 5 } == true)
        #expect(value(start, "process_threads ").map { $0 >= 3 } == true)
        #expect(value(start, "process_max_fds ").map { $0 > 0 } == true)
        #expect(value(start, "process_start_time_seconds ").map { abs($0 - Date().timeIntervalSince1970) < 600 } == true)
        // Present before anything happened.
        for rule in ["kafka-cpu-alert", "cpu_alert", "mem_alert"] {
            for level in ["INFO", "WARNING", "CRITICAL"] {
                #expect(value(start, "alertrelay_active_alerts{rule=\"\(rule)\",level=\"\(level)\"}") == 0, "\(rule) \(level)")
            }
        }
        #expect(value(start, "alertrelay_handler_failures_total{handler=\"kafka-cpu-alert\"}") == 0)
        #expect(value(start, "alertrelay_kafka_messages_queued_total{cluster=\"infra-monitoring\",topic=\"cpu-alerts\"}") == 0)
        #expect(value(start, "alertrelay_kafka_messages_delivered_total{cluster=\"infra-monitoring\",topic=\"cpu-alerts\"}") == 0)
        for topic in ["cpu", "main:kafka-cpu-alert:alert2", "mem"] {
            #expect(value(start, "alertrelay_topic_events_total{topic=\"\(topic)\"}") == 0, "\(topic)")
        }
        for le in ["0.001", "0.0015", "0.002", "0.003", "0.005", "0.01", "0.1", "1.0", "1.5", "2.0", "3.0", "5.0", "7.5", "10.0"] {
            #expect(start.contains("alertrelay_kafka_delivery_latency_seconds_bucket{le=\"\(le)\"}"), "bucket \(le)")
            #expect(start.contains("alertrelay_alert_latency_seconds_bucket{le=\"\(le)\"}"), "bucket \(le)")
        }

        try LoopbackClient.sendUDP([Array("cpu,host=a usage_idle=5 1764288010000000000\nmem,host=a used=95 1764288010000000000\n".utf8)],
                                   port: relay.udpPort)
        #expect(try await Self.consume(broker, "cpu-alerts", count: 2).count == 2)
        var after = ""
        // librdkafka reports every 5 s.
        #expect(await eventually(timeout: .seconds(15)) {
            after = (try? scrape()) ?? ""
            return after.contains("alertrelay_kafka_broker_rtt_avg_seconds{")
        }, "\(after)")
        #expect(value(after, "alertrelay_active_alerts{rule=\"mem_alert\",level=\"CRITICAL\"}") == 1)
        #expect(value(after, "alertrelay_active_alerts{rule=\"cpu_alert\",level=\"CRITICAL\"}") == 1)
        #expect(value(after, "alertrelay_active_alerts{rule=\"mem_alert\",level=\"WARNING\"}") == 0)
        #expect(value(after, "alertrelay_topic_events_total{topic=\"mem\"}") == 1)
        #expect(value(after, "alertrelay_kafka_messages_delivered_total{cluster=\"infra-monitoring\",topic=\"cpu-alerts\"}") == 2)
        #expect(value(after, "alertrelay_kafka_broker_up{cluster=\"infra-monitoring\",broker=\"") == 1)
        #expect(value(after, "alertrelay_kafka_broker_retries_total{cluster=\"infra-monitoring\",broker=\"") != nil)
        #expect(value(after, "alertrelay_kafka_broker_rtt_avg_seconds{cluster=\"infra-monitoring\",broker=\"").map { $0 >= 0 && $0 < 5 } == true)
        #expect(value(after, "alertrelay_kafka_queue_bytes{cluster=\"infra-monitoring\"}") != nil)
        #expect(value(after, "alertrelay_kafka_queue_max_bytes{cluster=\"infra-monitoring\"}").map { $0 > 0 } == true)
    }
}
