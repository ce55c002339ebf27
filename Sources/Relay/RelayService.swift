import AlertRules
import Dispatch
import Foundation
import Ingest
import KafkaDispatch
import Logging
import NIOCore
import NIOPosix
import RelayConfig
import Synchronization
import Locking

/// `alertrelay run`: listeners → parser → rules → handlers → Kafka, with SIGTERM/SIGINT draining,
/// SIGHUP reloading (all or nothing), `/metrics`, `/health` and `/ready`.
public final class RelayService: @unchecked Sendable {
    let configPath: String
    let logger: Logger
    let metrics = RelayMetrics()
    private var loaded: LoadedRelay
    private var pipeline: RelayPipeline!
    /// The running listeners (read by `/metrics` on NIO threads, replaced by reloads).
    private let listeners = Locked<[RunningListener]>([])
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private let readiness = Locked<[String: String?]>([:])
    private let dispatcherBox = Locked<KafkaDispatcher?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private let onEvent: (@Sendable (AlertEvent) -> Void)?
    private var currentLatency: LatencyTracker?
    private var currentOutcomes: DeliveryOutcomes?
    /// Undeliverable messages (the file follows reloads).
    private let deadLetters: DeadLetters
    /// The process's log level and format, when `run` set up logging (reloads change them).
    private let logSettings: RelayLogSettings?
    /// The durable spool, when `[spool] dir` is set (opened at start; the directory is not reloaded).
    private var spool: Spool?
    /// With a spool: failed deliveries that may succeed later, sent again.
    private var retry: SpoolRetry?

    /// A relay for what `RelayLoader` loaded from `configPath` (reloads read that path again).
    public init(configPath: String, loaded: LoadedRelay, logger: Logger, logSettings: RelayLogSettings? = nil,
                onEvent: (@Sendable (AlertEvent) -> Void)? = nil) {
        self.configPath = configPath
        self.logger = logger
        self.logSettings = logSettings
        self.onEvent = onEvent
        self.loaded = loaded
        deadLetters = DeadLetters(path: loaded.configuration.relay.deadLetterFile, logger: logger)
    }

    var hostname: String {
        loaded.configuration.relay.hostname.isEmpty ? ProcessInfo.processInfo.hostName : loaded.configuration.relay.hostname
    }

    /// Whether messages in flight are kept until their delivery report (for the dead-letter file).
    func keepsMessages(_ c: RelayConfiguration) -> Bool { !c.relay.deadLetterFile.isEmpty || spool != nil }

    func makeOutputs(_ c: RelayConfiguration) throws -> RelayPipeline.Outputs {
        let clusters = c.enabledKafkaClusters
        var timeouts: [String: Duration] = [:]
        for k in clusters { timeouts[k.id] = k.effectiveMessageTimeout.swiftDuration }
        if clusters.isEmpty { return RelayPipeline.Outputs(dispatcher: nil, sendTimeouts: [:]) }
        let tracker = LatencyTracker(keepMessages: keepsMessages(c))
        let outcomes = DeliveryOutcomes(tracker: tracker, metrics: metrics, deadLetters: deadLetters, spool: spool, retry: retry)
        // With a spool, SpoolRetry keeps message-timeout (so that a re-send keeps per-key order).
        let dispatcher = try KafkaDispatcher(clusters: clusters, extraProperties: spool == nil ? [] : SpoolRetry.librdkafkaProperties,
                                             logger: logger) { cluster, report in
            outcomes.report(cluster: cluster, report)
        }
        return RelayPipeline.Outputs(dispatcher: dispatcher, sendTimeouts: timeouts, latency: tracker, deadLetters: deadLetters,
                                     spool: spool, outcomes: outcomes)
    }

    /// Starts everything and serves until SIGTERM/SIGINT; returns the exit status.
    public func run() async -> Int32 {
        let c = loaded.configuration
        var pending: [(SpoolID, Spool.Record)] = []
        if !c.spool.dir.isEmpty {
            do {
                let s = try Spool(c.spool, logger: logger)
                pending = try s.recover()
                spool = s
                retry = SpoolRetry(maxAge: c.spool.maxAge?.swiftDuration)
                logger.info("spool opened", metadata: ["dir": .string(c.spool.dir), "unacknowledged": .stringConvertible(pending.count)])
            } catch {
                logger.critical("cannot open the spool", metadata: ["dir": .string(c.spool.dir), "error": .string("\(error)")])
                return 1
            }
        }
        let outputs: RelayPipeline.Outputs
        do { outputs = try makeOutputs(c) } catch {
            logger.critical("cannot start the Kafka producers", metadata: ["error": .string("\(error)")])
            return 1
        }
        dispatcherBox.withLock { $0 = outputs.dispatcher }
        currentLatency = outputs.latency
        currentOutcomes = outputs.outcomes
        pipeline = RelayPipeline(rules: loaded.rules, outputs: outputs, capacity: c.relay.queueSize, hostname: hostname,
                                 logger: logger, limits: c.relay.groupLimits, persistence: Self.persistence(c), onEvent: onEvent)
        pipeline.replay(pending)
        pipeline.start()
        var started: [RunningListener] = []
        do {
            for spec in ListenerSpec.all(in: c) { started.append(try await startListener(spec)) }
        } catch {
            logger.critical("cannot start a listener", metadata: ["error": .string("\(error)")])
            for r in started { await r.stop() }
            _ = pipeline.drain(timeout: .seconds(1))
            outputs.dispatcher?.close(timeout: .zero)
            return 1
        }
        listeners.withLock { $0 = started }
        startReadinessChecks()
        logger.info("alertrelay started", metadata: [
            "config": .string(configPath), "rules": .stringConvertible(loaded.rules.rules.count),
            "handlers": .stringConvertible(loaded.rules.handlers.count),
            "kafka": .string(c.enabledKafkaClusters.map(\.id).joined(separator: ",")),
            "listeners": .string(started.map(\.describe).joined(separator: ",")),
        ])
        let signals = SignalWaiter()
        while true {
            switch await signals.next() {
            case SIGHUP: await reload()
            default:
                return await shutdown()
            }
        }
    }

    static func persistence(_ c: RelayConfiguration) -> RelayPipeline.StatePersistence? {
        c.relay.stateFile.isEmpty ? nil : RelayPipeline.StatePersistence(path: c.relay.stateFile, interval: c.relay.stateInterval.swiftDuration)
    }

    func startListener(_ spec: ListenerSpec) async throws -> RunningListener {
        try await RunningListener.start(spec, sink: pipeline, group: group, logger: logger, routes: routes())
    }

    /// The extra HTTP endpoints.
    func routes() -> HTTPRoutes {
        { [self] method, path in
            guard method == "GET" || method == "HEAD" else { return nil }
            switch path {
            case "/metrics":
                for r in listeners.withLock({ $0 }) {
                    if case .udp(let u) = r.socket, let drops = u.kernelDrops {
                        metrics.total("udp_kernel_drops", "total", "Datagrams the kernel dropped because the socket's receive buffer was full (raise read-buffer and net.core.rmem_max).",
                                      [("listener", u.statistics.name)], drops)
                    }
                }
                for (id, producer) in dispatcherBox.withLock({ d in (d?.clusterIDs ?? []).compactMap { id in d?.producer(for: id).map { (id, $0) } } }) {
                    metrics.total("kafka_client_errors", "total", "Errors librdkafka reported for the connection to a cluster (TLS handshake, authentication, brokers down); the last one is logged and shown by /ready.",
                                  [("cluster", id)], producer.clientErrors)
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
                let body = metrics.render(listeners: listenerStatistics(), pipeline: pipeline.snapshot,
                                          kafka: dispatcherBox.withLock { $0?.statistics } ?? [:],
                                          outstanding: dispatcherBox.withLock { d in
                                              Dictionary(uniqueKeysWithValues: (d?.clusterIDs ?? []).map { ($0, d?.producer(for: $0)?.outstanding ?? 0) })
                                          })
                return HTTPRouteResponse(status: 200, contentType: "text/plain; version=0.0.4", body: body, needsAuth: true)
            case "/health":
                return HTTPRouteResponse(status: 200, contentType: "application/json", body: "{\"status\":\"pass\"}\n")
            case "/ready":
                let states = readiness.withLock { $0 }
                let down = states.filter { $0.value != nil }
                if states.isEmpty && !(loaded.configuration.enabledKafkaClusters.isEmpty) {
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

    func listenerStatistics() -> [ListenerStatistics] {
        listeners.withLock { $0 }.map(\.statistics)
    }

    /// Checks every enabled cluster every 5 s (a metadata request) for `/ready`.
    func startReadinessChecks() {
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .relaxed) {
                if let d = dispatcherBox.withLock({ $0 }) {
                    var states: [String: String?] = [:]
                    for id in d.clusterIDs { states[id] = d.producer(for: id)?.checkReachable(timeout: .seconds(2)) }
                    readiness.withLock { $0 = states }
                } else {
                    readiness.withLock { $0 = [:] }
                }
                for _ in 0..<50 where !stopRequested.load(ordering: .relaxed) { usleep(100_000) }
            }
        }
        thread.name = "readiness"
        thread.start()
    }

    /// SIGHUP: load config, rules and handlers again; switch only if everything loads, the new
    /// Kafka producers start and the new listeners bind. After a successful reload the relay runs
    /// what the files say, except `[spool] dir`, which only a restart can move (a reload that
    /// changes it is refused).
    func reload() async {
        logger.info("reloading", metadata: ["config": .string(configPath)])
        let next: LoadedRelay
        do {
            next = try RelayLoader.load(configPath: configPath)
        } catch {
            refuse("reload refused; the running configuration is kept", ["problems": .string(error.description)])
            return
        }
        let old = loaded.configuration
        let c = next.configuration
        if c.spool.dir != old.spool.dir {
            refuse("reload refused: [spool] dir cannot change while running (it holds the unacknowledged alerts); restart alertrelay to move it",
                   ["running": .string(old.spool.dir.isEmpty ? "off" : old.spool.dir), "new": .string(c.spool.dir.isEmpty ? "off" : c.spool.dir)])
            return
        }
        var outputs = RelayPipeline.Outputs(dispatcher: dispatcherBox.withLock { $0 }, sendTimeouts: [:], latency: currentLatency,
                                            deadLetters: deadLetters, spool: spool, outcomes: currentOutcomes)
        let kafkaChanged = c.kafka != old.kafka
        if kafkaChanged {
            do { outputs = try makeOutputs(c) } catch {
                refuse("reload refused: cannot start the new Kafka producers", ["error": .string("\(error)")])
                return
            }
        } else {
            for k in c.enabledKafkaClusters { outputs.sendTimeouts[k.id] = k.effectiveMessageTimeout.swiftDuration }
        }
        // Listeners last: a bind that fails rolls them back and drops the new producers.
        let switcher = ListenerSwitch { [self] spec in try await startListener(spec) }
        let (running, failure) = await switcher.apply(from: listeners.withLock { $0 }, to: ListenerSpec.all(in: c))
        listeners.withLock { $0 = running }
        if let failure {
            if kafkaChanged { outputs.dispatcher?.close(timeout: .zero) }
            refuse("reload refused: cannot start a listener; the previous listeners are kept", ["error": .string(failure.description)])
            return
        }
        loaded = next
        logSettings?.apply(level: c.logging.level, format: c.logging.format)
        deadLetters.setPath(c.relay.deadLetterFile)
        spool?.configure(c.spool)
        retry?.configure(maxAge: c.spool.maxAge?.swiftDuration)
        outputs.latency?.keepMessages = keepsMessages(c)
        currentLatency = outputs.latency
        currentOutcomes = outputs.outcomes
        let newDispatcher = outputs.dispatcher
        let logger = self.logger
        let timeout = c.relay.shutdownTimeout.swiftDuration
        pipeline.reload(rules: next.rules, outputs: outputs, hostname: hostname, capacity: c.relay.queueSize,
                        limits: c.relay.groupLimits, persistence: Self.persistence(c)) { [self] replaced in
            self.dispatcherBox.withLock { $0 = newDispatcher }
            if kafkaChanged, let oldDispatcher = replaced.dispatcher {
                // The old producers deliver what they hold, then go.
                Thread.detachNewThread {
                    oldDispatcher.close(timeout: timeout)
                    logger.info("previous Kafka producers closed")
                }
            }
        }
        logger.info("reloaded", metadata: ["rules": .stringConvertible(next.rules.rules.count),
                                           "handlers": .stringConvertible(next.rules.handlers.count),
                                           "listeners": .string(running.map(\.describe).joined(separator: ","))])
    }

    private func refuse(_ message: Logger.Message, _ metadata: Logger.Metadata) {
        logger.error(message, metadata: metadata)
        pipeline.reloadFailed()
    }

    /// Stops every listener, each reading what its clients already sent first (bounded by `grace`).
    func stopListeners(grace: Duration = .seconds(2)) async {
        await withTaskGroup(of: Void.self) { group in
            for r in listeners.withLock({ $0 }) { group.addTask { await r.stop(grace: grace) } }
        }
    }

    /// SIGTERM/SIGINT: stop listening, evaluate what is queued, deliver what Kafka holds (bounded).
    func shutdown() async -> Int32 {
        let timeout = loaded.configuration.relay.shutdownTimeout.swiftDuration
        logger.info("stopping", metadata: ["timeout": .string("\(timeout)")])
        await stopListeners(grace: timeout)
        let drained = pipeline.drain(timeout: timeout)
        if !drained { logger.error("points still queued at the shutdown timeout were not evaluated") }
        stopRequested.store(true, ordering: .relaxed)
        if let d = dispatcherBox.withLock({ $0 }) {
            let flushed = d.flush(timeout: timeout)
            if !flushed {
                logger.error("alerts not yet acknowledged at the shutdown timeout", metadata: [
                    "outstanding": .stringConvertible(d.clusterIDs.map { d.producer(for: $0)?.outstanding ?? 0 }.reduce(0, +))])
            }
            d.close(timeout: .zero)
        }
        if let waiting = retry?.waiting.values.reduce(0, +), waiting > 0 {
            logger.warning("alert messages still waiting to be sent again stay in the spool; the next start sends them",
                           metadata: ["messages": .stringConvertible(waiting)])
        }
        try? await group.shutdownGracefully()
        let s = pipeline.snapshot
        logger.info("stopped", metadata: ["points": .stringConvertible(s.pointsProcessed), "events": .stringConvertible(s.events),
                                          "messages": .stringConvertible(s.messagesSent)])
        return 0
    }
}

/// SIGTERM, SIGINT and SIGHUP as an async sequence of signal numbers.
final class SignalWaiter: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private var iterator: AsyncStream<Int32>.Iterator
    private var sources: [DispatchSourceSignal] = []

    init() {
        var continuation: AsyncStream<Int32>.Continuation!
        stream = AsyncStream { continuation = $0 }
        iterator = stream.makeAsyncIterator()
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let c = continuation!
            source.setEventHandler { c.yield(sig) }
            source.resume()
            sources.append(source)
        }
    }

    func next() async -> Int32 {
        await iterator.next() ?? SIGTERM
    }
}
