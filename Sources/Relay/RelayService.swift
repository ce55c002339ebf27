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

/// `alertrelay run`: listeners → parser → rules → handlers → Kafka, with SIGTERM/SIGINT draining,
/// SIGHUP reloading (all or nothing), `/metrics`, `/health` and `/ready`.
public final class RelayService: @unchecked Sendable {
    let configPath: String
    let logger: Logger
    let metrics = RelayMetrics()
    private var loaded: LoadedRelay
    private var pipeline: RelayPipeline!
    private var udp: [UDPListener] = []
    private var tcp: [TCPListener] = []
    private var http: HTTPWriteListener?
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private let readiness = Mutex<[String: String?]>([:])
    private let dispatcherBox = Mutex<KafkaDispatcher?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private let reloadLock = NSLock()
    private let onEvent: (@Sendable (AlertEvent) -> Void)?
    private var currentLatency: LatencyTracker?
    /// Undeliverable messages (one file for the process; a changed path applies at the next start).
    private let deadLetters: DeadLetters
    /// The durable spool, when `[spool] dir` is set (opened at start; the directory is not reloaded).
    private var spool: Spool?

    /// A relay for what `RelayLoader` loaded from `configPath` (reloads read that path again).
    public init(configPath: String, loaded: LoadedRelay, logger: Logger, onEvent: (@Sendable (AlertEvent) -> Void)? = nil) {
        self.configPath = configPath
        self.logger = logger
        self.onEvent = onEvent
        self.loaded = loaded
        deadLetters = DeadLetters(path: loaded.configuration.relay.deadLetterFile, logger: logger)
    }

    var hostname: String {
        loaded.configuration.relay.hostname.isEmpty ? ProcessInfo.processInfo.hostName : loaded.configuration.relay.hostname
    }

    func makeOutputs(_ c: RelayConfiguration) throws -> RelayPipeline.Outputs {
        let clusters = c.enabledKafkaClusters
        var timeouts: [String: Duration] = [:]
        for k in clusters { timeouts[k.id] = k.effectiveMessageTimeout.swiftDuration }
        if clusters.isEmpty { return RelayPipeline.Outputs(dispatcher: nil, sendTimeouts: [:]) }
        let logger = self.logger
        let metrics = self.metrics
        let deadLetters = self.deadLetters
        let tracker = LatencyTracker(keepMessages: !c.relay.deadLetterFile.isEmpty || spool != nil)
        let spool = self.spool
        let dispatcher = try KafkaDispatcher(clusters: clusters, logger: logger) { cluster, report in
            let entry = tracker.delivered(cluster: cluster, sequence: report.sequence)
            defer { if let id = entry?.spoolID { spool?.ack(id) } }  // delivered, or dead-lettered below
            if report.isDelivered {
                metrics.deliveryLatency.recordNanoseconds(report.latencyMicroseconds * 1000)
                if let entry {
                    let now = DispatchTime.now().uptimeNanoseconds
                    metrics.endToEndLatency.recordNanoseconds(Int64(now &- entry.receivedAt))
                }
            } else {
                deadLetters.record(cluster: cluster, message: entry?.message, topic: report.topic,
                                   reason: report.error.map { "\($0)" } ?? "unknown delivery error")
            }
        }
        return RelayPipeline.Outputs(dispatcher: dispatcher, sendTimeouts: timeouts, latency: tracker, deadLetters: deadLetters, spool: spool)
    }

    /// Starts everything and serves until SIGTERM/SIGINT; returns the exit status.
    public func run() async -> Int32 {
        let c = loaded.configuration
        var pending: [(SpoolID, Spool.Record)] = []
        if !c.spool.dir.isEmpty {
            do {
                let s = try Spool(dir: c.spool.dir, maxBytes: Int64(c.spool.maxSize), fsyncEach: c.spool.fsync == "always", logger: logger)
                pending = try s.recover()
                spool = s
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
        let persistence = c.relay.stateFile.isEmpty ? nil
            : RelayPipeline.StatePersistence(path: c.relay.stateFile, interval: c.relay.stateInterval.swiftDuration)
        pipeline = RelayPipeline(rules: loaded.rules, outputs: outputs, capacity: c.relay.queueSize, hostname: hostname,
                                 logger: logger, persistence: persistence, onEvent: onEvent)
        pipeline.replay(pending)
        pipeline.start()
        do {
            for u in c.udp { udp.append(try await UDPListener.start(u, sink: pipeline, group: group, logger: logger)) }
            for t in c.tcp { tcp.append(try await TCPListener.start(t, sink: pipeline, group: group, logger: logger)) }
            if let h = c.http {
                http = try await HTTPWriteListener.start(h, sink: pipeline, group: group, logger: logger, routes: routes())
            }
        } catch {
            logger.critical("cannot start a listener", metadata: ["error": .string("\(error)")])
            await stopListeners()
            _ = pipeline.drain(timeout: .seconds(1))
            outputs.dispatcher?.close(timeout: .zero)
            return 1
        }
        startReadinessChecks()
        logger.info("alertrelay started", metadata: [
            "config": .string(configPath), "rules": .stringConvertible(loaded.rules.rules.count),
            "handlers": .stringConvertible(loaded.rules.handlers.count),
            "kafka": .string(c.enabledKafkaClusters.map(\.id).joined(separator: ",")),
            "listeners": .string((udp.map { "udp:" + Self.describe($0.localAddress) } + tcp.map { "tcp:" + Self.describe($0.localAddress) }
                                  + (http.map { ["http:" + Self.describe($0.localAddress)] } ?? [])).joined(separator: ",")),
        ])
        let signals = SignalWaiter()
        while true {
            switch await signals.next() {
            case SIGHUP: reload()
            default:
                return await shutdown()
            }
        }
    }

    static func describe(_ a: SocketAddress) -> String { "\(a.ipAddress ?? "?"):\(a.port ?? 0)" }

    /// The extra HTTP endpoints.
    func routes() -> HTTPRoutes {
        { [self] method, path in
            guard method == "GET" || method == "HEAD" else { return nil }
            switch path {
            case "/metrics":
                for u in udp {
                    if let drops = u.kernelDrops {
                        metrics.total("udp_kernel_drops", "total", "Datagrams the kernel dropped because the socket's receive buffer was full (raise read-buffer and net.core.rmem_max).",
                                      [("listener", u.statistics.name)], drops)
                    }
                }
                metrics.total("dead_letters", "total", "Alert messages that could not be delivered (written to the dead-letter file when set).",
                              [], deadLetters.count)
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
        udp.map(\.statistics) + tcp.map(\.statistics) + (http.map { [$0.statistics] } ?? [])
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

    /// SIGHUP: load config, rules and handlers again; switch only if everything loads.
    func reload() {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        logger.info("reloading", metadata: ["config": .string(configPath)])
        let next: LoadedRelay
        do {
            next = try RelayLoader.load(configPath: configPath)
        } catch {
            logger.error("reload refused; the running configuration is kept", metadata: ["problems": .string(error.description)])
            pipeline.reloadFailed()
            return
        }
        let old = loaded.configuration
        if next.configuration.udp != old.udp || next.configuration.tcp != old.tcp || next.configuration.http != old.http {
            logger.warning("listener changes take effect at the next start; listeners kept as they are")
        }
        var outputs = RelayPipeline.Outputs(dispatcher: dispatcherBox.withLock { $0 }, sendTimeouts: [:], latency: currentLatency,
                                            deadLetters: deadLetters, spool: spool)
        let kafkaChanged = next.configuration.kafka != old.kafka
        if kafkaChanged {
            do { outputs = try makeOutputs(next.configuration) } catch {
                logger.error("reload refused: cannot start the new Kafka producers", metadata: ["error": .string("\(error)")])
                pipeline.reloadFailed()
                return
            }
        } else {
            for k in next.configuration.enabledKafkaClusters { outputs.sendTimeouts[k.id] = k.effectiveMessageTimeout.swiftDuration }
        }
        loaded = next
        currentLatency = outputs.latency
        let newDispatcher = outputs.dispatcher
        let logger = self.logger
        let timeout = next.configuration.relay.shutdownTimeout.swiftDuration
        pipeline.reload(rules: next.rules, outputs: outputs, hostname: hostname) { [self] replaced in
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
                                           "handlers": .stringConvertible(next.rules.handlers.count)])
    }

    func stopListeners() async {
        for u in udp { await u.stop() }
        for t in tcp { await t.stop() }
        await http?.stop()
    }

    /// SIGTERM/SIGINT: stop listening, evaluate what is queued, deliver what Kafka holds (bounded).
    func shutdown() async -> Int32 {
        let timeout = loaded.configuration.relay.shutdownTimeout.swiftDuration
        logger.info("stopping", metadata: ["timeout": .string("\(timeout)")])
        await stopListeners()
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
