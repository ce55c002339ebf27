import Ingest
import Logging

extension RelayController {
    /// The extra HTTP endpoints.
    func adminRoutes() -> HTTPRoutes {
        { [self] method, path in
            guard method == "GET" || method == "HEAD" else { return nil }
            switch path {
            case "/metrics":
                let generation = self.generation
                for r in generation.listeners {
                    if r.spec.isStream {
                        metrics.gauge("listener_connections", "Connections open now.", [("listener", r.statistics.name)], Double(r.statistics.connections))
                    }
                    for (name, value) in r.source.extraTotals where name == "udp_kernel_drops" {
                        metrics.total(name, "total", "Datagrams the kernel dropped because the socket's receive buffer was full (raise read-buffer and net.core.rmem_max).",
                                      [("listener", r.statistics.name)], value)
                    }
                }
                for (id, n) in counters.kafkaClientErrors {
                    metrics.total("kafka_client_errors", "total", "Errors librdkafka reported for the connection to a cluster (TLS handshake, authentication, brokers down); the last one is logged and shown by /ready.",
                                  [("cluster", id)], n)
                }
                metrics.total("dead_letters", "total", "Alert messages that could not be delivered (written to the dead-letter file when set).",
                              [], deadLetters.count)
                if let spool {
                    metrics.gauge("spool_bytes", "Bytes held by spool segments with unacknowledged messages.", [], Double(spool.size))
                    metrics.total("spool_blocked", "total", "Alert messages that found the spool full and waited for acknowledgements (when-full = block).",
                                  [], spool.blocked)
                    metrics.total("spool_dropped", "total", "Unacknowledged messages forgotten by a full spool (when-full = drop-oldest); librdkafka still held them, a crash would lose them.",
                                  [], spool.dropped)
                    for (reason, n) in spool.unspooled {
                        metrics.total("spool_unspooled", "total", "Alert messages sent without being spooled (not kept across a crash), by reason: disk-full, read-only, descriptors, too-large, io-error.",
                                      [("reason", reason)], n)
                    }
                    metrics.total("spool_ack_write_failures", "total", "Acknowledgements the spool could not write at first (retried; a crash before they are written sends those messages again).",
                                  [], spool.ackWriteFailures)
                }
                if let retry {
                    metrics.total("spool_resent", "total", "Spooled alert messages sent again after a delivery failure that may pass (message-timeout, brokers down).",
                                  [], retry.resent)
                    metrics.total("spool_timeouts", "total", "Times a cluster's oldest spooled message in librdkafka outlived message-timeout (its queue was taken back, to be sent again).",
                                  [], retry.timeouts)
                    metrics.total("spool_expired", "total", "Alert messages given up after [spool] max-age without delivery (written as dead letters).",
                                  [], retry.expired)
                    for (cluster, n) in retry.waiting {
                        metrics.gauge("spool_waiting_messages", "Alert messages held for a re-send after a failed delivery.", [("cluster", cluster)], Double(n))
                    }
                }
                let d = generation.outputs.dispatcher
                let body = metrics.render(listeners: counters.listeners(generation.listeners.map(\.statistics)), pipeline: pipeline.snapshot,
                                          kafka: counters.kafkaTopics,
                                          outstanding: Dictionary(uniqueKeysWithValues: (d?.clusterIDs ?? []).map { ($0, d?.producer(for: $0)?.outstanding ?? 0) }))
                return HTTPRouteResponse(status: 200, contentType: "text/plain; version=0.0.4", body: body, needsAuth: true)
            case "/health":
                return HTTPRouteResponse(status: 200, contentType: "application/json", body: "{\"status\":\"pass\"}\n")
            case "/ready":
                let states = readiness.withLock { $0 }
                let down = states.filter { $0.value != nil }
                if states.isEmpty && !(generation.loaded.configuration.enabledKafkaClusters.isEmpty) {
                    return HTTPRouteResponse(status: 503, contentType: "application/json", body: "{\"status\":\"fail\",\"reason\":\"kafka not checked yet\"}\n")
                }
                if down.isEmpty {
                    return HTTPRouteResponse(status: 200, contentType: "application/json", body: "{\"status\":\"pass\"}\n")
                }
                let reasons = down.keys.sorted().map { "\($0): \(down[$0]!! )" }.joined(separator: "; ")
                return HTTPRouteResponse(status: 503, contentType: "application/json",
                                         body: "{\"status\":\"fail\",\"reason\":\(RelayLogHandler.quote("kafka unreachable: " + reasons))}\n")
            default:
                return nil
            }
        }
    }

}
