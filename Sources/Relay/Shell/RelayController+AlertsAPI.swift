import AlertRules
import Ingest
import KafkaDispatch

extension RelayController {
    /// The alerts API (Kapacitor's and the relay's per-rule view) and the status page's data,
    /// or nil for any other path. Reads the engine's published board and the applied
    /// generation; never waits for the engine thread.
    func alertsAPIResponse(_ request: HTTPRouteRequest) -> HTTPRouteResponse? {
        let path = request.path
        guard path.hasPrefix(KapacitorHTTP.basePath + "/alerts") || path.hasPrefix(RulesAPI.basePath + "/") else { return nil }
        if path == RulesAPI.basePath + "/status" {
            guard request.method == "GET" || request.method == "HEAD" else { return APIResponse(405, .error("method \(request.method) not allowed")).route }
            return APIResponse(200, statusJSON()).route
        }
        let rules = generation.loaded.rules
        let topics = AlertTopics(rules: rules.rules, handlers: rules.handlers)
        let board = pipeline.alerts.snapshot()
        if let r = KapacitorAlertsAPI(topics: topics, board: board).respond(request) { return r.route }
        let groups = pipeline.snapshot.rules.mapValues(\.groups)
        if let r = RulesAPI(rules: rules.rules, topics: topics, board: board, groups: groups).respond(request) { return r.route }
        return APIResponse(404, .error("not found: \(path)")).route
    }

    /// `/alertrelay/v1/status`: the relay, its Kafka clusters and spool, alert counts.
    func statusJSON() -> APIJSON {
        let g = generation
        let pipeline = self.pipeline.snapshot
        let states = readiness.withLock { $0 }
        let dispatcher = g.outputs.dispatcher
        let clusters: [APIJSON] = g.loaded.configuration.enabledKafkaClusters.map { k in
            let state: String
            switch states[k.id] {
            case .none: state = "not checked yet"
            case .some(.none): state = "reachable"
            case .some(.some(let reason)): state = "unreachable: " + reason
            }
            return .object([
                ("cluster", .string(k.id)),
                ("brokers", .array(k.brokers.map { .string($0) })),
                ("state", .string(state)),
                ("outstanding", .int(Int64(dispatcher?.producer(for: k.id)?.outstanding ?? 0))),
            ])
        }
        var active = [0, 0, 0, 0]
        for counts in self.pipeline.alerts.counts().levels.values { for i in 1..<4 { active[i] += counts[i] } }
        let spoolJSON: APIJSON = spool.map { s in
            .object([
                ("dir", .string(g.loaded.configuration.spool.dir)),
                ("bytes", .int(s.size)),
                ("blocked", .uint(s.blocked)),
                ("dropped", .uint(s.dropped)),
                ("waiting-resend", .int(Int64(retry?.waiting.values.reduce(0, +) ?? 0))),
                ("write-failure", s.lastWriteFailure.map(APIJSON.string) ?? .null),
            ])
        } ?? .null
        return .object([
            ("version", .string(RelayBuild.version)),
            ("kapacitor-version", .string(KapacitorHTTP.version)),
            ("hostname", .string(Self.hostname(g.loaded.configuration))),
            ("rules", .int(Int64(g.loaded.rules.rules.count))),
            ("handlers", .int(Int64(g.loaded.rules.handlers.count))),
            ("points-evaluated", .uint(pipeline.pointsProcessed)),
            ("queue", .object([("points", .int(Int64(pipeline.queuedPoints))), ("capacity", .int(Int64(pipeline.capacity)))])),
            ("active", .object(AlertLevel.allCases.filter { $0 != .ok }.map { ($0.description, .int(Int64(active[$0.rawValue]))) })),
            ("dead-letters", .uint(deadLetters.count)),
            ("kafka", .array(clusters)),
            ("consumers", .array(g.listeners.compactMap { $0.kafkaConsumer.map(Self.consumerJSON) })),
            ("ready", .array(readinessGate.reasons.map(APIJSON.string))),
            ("spool", spoolJSON),
        ])
    }

    /// One `[[kafka-consumer]]`: its group, topics and assigned partitions with their offsets and lag.
    static func consumerJSON(_ source: KafkaConsumerSource) -> APIJSON {
        let counts = source.statistics.snapshot
        func offset(_ o: Int64?) -> APIJSON { o.map { .int($0) } ?? .null }
        return .object([
            ("name", .string(source.statistics.name)),
            ("cluster", .string(source.config.cluster)),
            ("group-id", .string(source.config.settings.groupID)),
            ("topics", .array(source.config.settings.topics.map(APIJSON.string))),
            ("messages", .uint(counts.messages)),
            ("points", .uint(counts.pointsAccepted)),
            ("lines-rejected", .uint(counts.linesRejected)),
            ("partitions", .array(source.partitionStatus.map { p in
                .object([
                    ("topic", .string(p.partition.topic)), ("partition", .int(Int64(p.partition.partition))),
                    ("position", offset(p.position)), ("high-watermark", offset(p.highWatermark)), ("committed", offset(p.committed)),
                    ("lag", offset(p.lag)), ("in-flight-batches", .int(Int64(p.inFlightBatches))),
                ])
            })),
        ])
    }
}

extension RelayController {
    /// The series `/metrics` adds beside the counters: build, process, active alerts, every
    /// configured handler and topic from the start, librdkafka's statistics.
    func recordRuntimeMetrics(_ g: RelayGeneration) {
        metrics.recordBuildInfo()
        metrics.recordProcess(ProcessStatistics.current())
        let rules = g.loaded.rules
        let board = pipeline.alerts.counts()
        metrics.recordActiveAlerts(rules: rules.rules, counts: board.levels, refused: board.refused)
        let topics = AlertTopics(rules: rules.rules, handlers: rules.handlers)
        let topicEvents = topics.topics.mapValues { t in t.rules.reduce(0) { $0 + (board.collected[$1] ?? 0) } }
        metrics.recordConfiguredSeries(rules: rules, handlerFailures: pipeline.snapshot.handlerFailures, kafka: counters.kafkaTopics,
                                       topicEvents: topicEvents)
        var stats: [String: KafkaClientStatistics] = [:]
        if let d = g.outputs.dispatcher {
            for id in d.clusterIDs { if let s = d.producer(for: id)?.clientStatistics { stats[id] = s } }
        }
        metrics.recordKafkaClient(stats)
    }
}
