import Ingest
import Logging

extension RelayController {
    /// The extra HTTP endpoints: the probes, `/metrics`, the alerts API and the status page.
    func adminRoutes() -> HTTPRoutes {
        { [self] request in
            if let r = alertsAPIResponse(request) { return r }
            guard request.method == "GET" || request.method == "HEAD" else { return nil }
            switch request.path {
            case "/":
                // The page holds no data (its script reads the API, sending the token the
                // operator types in), so it is served without the token.
                return HTTPRouteResponse(status: 200, contentType: "text/html; charset=utf-8", body: StatusPage.html)
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
                metrics.consumers(generation.listeners.compactMap(\.kafkaConsumer))
                let reachability = readiness.withLock { $0 }
                for (id, state) in reachability {
                    metrics.gauge("kafka_cluster_reachable", "1 when the cluster answered the last metadata request (every 5 s), else 0.",
                                  [("cluster", id)], state == nil ? 1 : 0)
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
                    for (output, n) in retry.waiting {
                        metrics.gauge("spool_waiting_messages", "Alert messages held for a re-send after a failed delivery.", [("cluster", OutputID.label(output))], Double(n))
                    }
                }
                let d = generation.outputs.dispatcher
                recordRuntimeMetrics(generation)
                metrics.handlerOutputs(counters.outputs, live: generation.outputs.asynchronous, deadLetters: deadLetters.countsByOutput)
                let body = metrics.render(listeners: counters.listeners(generation.listeners.map(\.statistics)), pipeline: pipeline.snapshot,
                                          kafka: counters.kafkaTopics,
                                          outstanding: Dictionary(uniqueKeysWithValues: (d?.clusterIDs ?? []).map { ($0, d?.producer(for: $0)?.outstanding ?? 0) }))
                return HTTPRouteResponse(status: 200, contentType: "text/plain; version=0.0.4", body: body, needsAuth: true)
            case "/health":
                return HTTPRouteResponse(status: 200, contentType: "application/json", body: "{\"status\":\"pass\"}\n")
            case "/ready":
                return readyResponse()
            default:
                return httpOutResponse(request.path)
            }
        }
    }


    /// `/ready`: the relay accepts and keeps points. Without a spool that needs every enabled
    /// Kafka cluster reachable (an alert raised now would otherwise wait in memory only); with a
    /// spool, alerts are kept on disk through an outage, so Kafka's state is reported beside the
    /// answer (and in `alertrelay_kafka_cluster_reachable`) but does not take the relay — and, as
    /// a sidecar, its pod — out of service.
    func readyResponse() -> HTTPRouteResponse {
        let states = readiness.withLock { $0 }
        let clusters = generation.loaded.configuration.enabledKafkaClusters.map(\.id)
        var kafka = "{"
        for (i, id) in clusters.enumerated() {
            let state: String
            switch states[id] {
            case .none: state = "not checked yet"
            case .some(.none): state = "reachable"
            case .some(.some(let reason)): state = "unreachable: " + reason
            }
            kafka += (i > 0 ? "," : "") + RelayLogHandler.quote(id) + ":" + RelayLogHandler.quote(state)
        }
        kafka += "}"
        func answer(_ status: Int, _ reason: String?) -> HTTPRouteResponse {
            let result = status == 200 ? "pass" : "fail"
            let why = reason.map { ",\"reason\":" + RelayLogHandler.quote($0) } ?? ""
            return HTTPRouteResponse(status: status, contentType: "application/json", body: "{\"status\":\"\(result)\"\(why),\"kafka\":\(kafka)}\n")
        }
        let held = readinessGate.reasons
        if !held.isEmpty { return answer(503, held.joined(separator: "; ")) }
        if let spool {
            if let failure = spool.lastWriteFailure { return answer(503, "the spool cannot be written: " + failure) }
            return answer(200, nil)
        }
        if !clusters.isEmpty && states.isEmpty { return answer(503, "kafka not checked yet") }
        let down = clusters.filter { states[$0].map { $0 != nil } ?? true }
        guard down.isEmpty else {
            let reasons = down.map { "\($0): \(states[$0].flatMap { $0 } ?? "not checked yet")" }.joined(separator: "; ")
            return answer(503, "kafka unreachable: " + reasons)
        }
        return answer(200, nil)
    }
}
