import AlertRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Ingest
import KafkaDispatch
import Logging
import NIOCore
import RelayConfig
import Locking

/// The owner of the applied generation (configuration, rules, producers, listeners) and the only
/// place it changes: the start builds the first one, ``reload()`` — called by one task, one
/// SIGHUP at a time — builds the next from it, switches the engine over and retires what only the
/// old one used. Everything else (the admin routes, readiness checks, shutdown) reads the applied
/// generation through its lock.
final class RelayController: Sendable {
    let configPath: String
    let logger: Logger
    let metrics: RelayMetrics
    let pipeline: RelayPipeline
    /// Writes the engine's state snapshots to `[relay] state-file`.
    let stateWriter: StateFileWriter
    let eventLoops: EventLoopGroup
    /// The durable spool, when `[spool] dir` is set (opened at start; the directory is not reloaded).
    let spool: Spool?
    /// With a spool: failed deliveries that may succeed later, sent again.
    let retry: SpoolRetry?
    /// Undeliverable messages (the file follows reloads).
    let deadLetters: DeadLetters
    /// The process's log level and format, when `run` set up logging (reloads change them).
    let logSettings: RelayLogSettings?
    /// Kafka and listener counters across generations.
    let counters = CumulativeCounters()
    /// Per cluster: nil when reachable at the last check, else why not (empty until the first check).
    let readiness = Locked<[String: String?]>([:])
    /// What else holds `/ready` false: a Kafka consumer until its first assignment was taken (and
    /// restored by the assignment observer).
    let readinessGate: ReadinessGate
    private let applied: Locked<RelayGeneration>

    /// What the relay runs now.
    var generation: RelayGeneration { applied.withLock { $0 } }

    /// Opens the spool, starts the producers and the engine, sends what the spool held, then binds
    /// every listener; on any failure what was started is stopped again.
    static func start(configPath: String, loaded: LoadedRelay, logger: Logger, logSettings: RelayLogSettings?,
                      eventLoops: EventLoopGroup, onEvent: (@Sendable (AlertEvent) -> Void)?) async throws(RelayStartError) -> RelayController {
        let c = loaded.configuration
        let metrics = RelayMetrics()
        let deadLetters = DeadLetters(path: c.relay.deadLetterFile, logger: logger)
        var spool: Spool?
        var retry: SpoolRetry?
        var pending: [(SpoolID, Spool.Record)] = []
        if !c.spool.dir.isEmpty {
            do {
                let s = try Spool(c.spool, logger: logger)
                pending = try s.recover()
                spool = s
                retry = SpoolRetry(maxAge: c.spool.maxAge?.swiftDuration)
                logger.info("spool opened", metadata: ["dir": .string(c.spool.dir), "unacknowledged": .stringConvertible(pending.count)])
            } catch {
                throw RelayStartError(what: "cannot open the spool \(c.spool.dir)", reason: "\(error)")
            }
        }
        let outputs: RelayPipeline.Outputs
        do {
            outputs = try makeOutputs(c, rules: loaded.rules, spooled: pending.map(\.1), previous: nil, kafkaChanged: true, metrics: metrics, deadLetters: deadLetters,
                                      spool: spool, retry: retry, group: eventLoops, logger: logger).outputs
        } catch {
            throw RelayStartError(what: "cannot start the Kafka producers", reason: "\(error)")
        }
        let stateWriter = StateFileWriter(logger: logger)
        let pipeline = RelayPipeline(rules: loaded.rules, outputs: outputs, capacity: c.relay.queueSize, hostname: hostname(c),
                                     logger: logger, limits: c.relay.groupLimits, persistence: persistence(c), stateWriter: stateWriter,
                                     onEvent: onEvent)
        let gate = ReadinessGate()
        let controller = RelayController(configPath: configPath, logger: logger, metrics: metrics, pipeline: pipeline, stateWriter: stateWriter,
                                         eventLoops: eventLoops, spool: spool, retry: retry, deadLetters: deadLetters,
                                         logSettings: logSettings, first: RelayGeneration(loaded: loaded, outputs: outputs, listeners: []),
                                         readinessGate: gate)
        controller.counters.track(outputs.dispatcher)
        controller.counters.track(outputs.asynchronous)
        pipeline.setUDPLinger(c.relay.udpLinger.swiftDuration)
        pipeline.replay(pending)
        pipeline.start()
        var started: [RunningListener] = []
        do {
            for spec in ListenerSpec.all(in: c) { started.append(try await controller.startListener(spec, of: c)) }
        } catch {
            for r in started { await r.stop() }
            _ = await onOwnThread("drain") { pipeline.drain(timeout: .seconds(1)) }
            outputs.dispatcher?.close(timeout: .zero)
            for o in outputs.asynchronous { o.close(timeout: .zero) }
            throw RelayStartError(what: "cannot start a listener", reason: "\(error)")
        }
        controller.applied.withLock { $0.listeners = started }
        return controller
    }

    private init(configPath: String, logger: Logger, metrics: RelayMetrics, pipeline: RelayPipeline, stateWriter: StateFileWriter,
                 eventLoops: EventLoopGroup,
                 spool: Spool?, retry: SpoolRetry?, deadLetters: DeadLetters, logSettings: RelayLogSettings?, first: RelayGeneration,
                 readinessGate: ReadinessGate = ReadinessGate()) {
        self.readinessGate = readinessGate
        self.configPath = configPath
        self.logger = logger
        self.metrics = metrics
        self.pipeline = pipeline
        self.stateWriter = stateWriter
        self.eventLoops = eventLoops
        self.spool = spool
        self.retry = retry
        self.deadLetters = deadLetters
        self.logSettings = logSettings
        applied = Locked(first)
    }

    static func hostname(_ c: RelayConfiguration) -> String {
        c.relay.hostname.isEmpty ? ProcessInfo.processInfo.hostName : c.relay.hostname
    }

    static func persistence(_ c: RelayConfiguration) -> RelayPipeline.StatePersistence? {
        c.relay.stateFile.isEmpty ? nil : RelayPipeline.StatePersistence(path: c.relay.stateFile, interval: c.relay.stateInterval.swiftDuration)
    }

    /// Whether records in flight are kept until their report (for the dead-letter file and re-sends).
    static func keepsMessages(_ c: RelayConfiguration, spool: Spool?) -> Bool { !c.relay.deadLetterFile.isEmpty || spool != nil }

    /// What ``makeOutputs`` built: the outputs, those it made anew (closed if the switch is
    /// abandoned) and those of `previous` no longer used (closed once the engine has switched).
    struct BuiltOutputs {
        var outputs: RelayPipeline.Outputs
        var created: [any AlertOutput] = []
        var retired: [any AlertOutput] = []
    }

    /// Producers for the enabled clusters and the post and tcp outputs the rules name, with the
    /// delivery bookkeeping around them. With `previous` (a reload) and Kafka unchanged, the
    /// producers, the bookkeeping and every post or tcp output whose settings did not change are
    /// kept; when Kafka changed, everything is new (producers' sequence numbers start again, so
    /// they need a tracker of their own).
    static func makeOutputs(_ c: RelayConfiguration, rules: RuleSet, spooled: [OutputRecord] = [], previous: RelayPipeline.Outputs?,
                            kafkaChanged: Bool, metrics: RelayMetrics, deadLetters: DeadLetters, spool: Spool?, retry: SpoolRetry?,
                            group: EventLoopGroup, logger: Logger) throws(KafkaProducerError) -> BuiltOutputs {
        let plan = OutputPlan(c, rules: rules, spooled: spooled)
        let clusters = c.enabledKafkaClusters
        var built: BuiltOutputs
        if let previous, !kafkaChanged, previous.outcomes != nil || plan.entries.isEmpty {
            built = BuiltOutputs(outputs: previous)
        } else {
            built = BuiltOutputs(outputs: RelayPipeline.Outputs(dispatcher: nil))
            if let previous, !kafkaChanged {
                built.outputs.dispatcher = previous.dispatcher
                built.outputs.all = previous.all.filter { OutputID.cluster(of: $0.key) != nil }
            }
            if clusters.isEmpty && plan.entries.isEmpty {
                built.retired = previous?.asynchronous ?? []
                return built
            }
            let tracker = LatencyTracker(keepMessages: keepsMessages(c, spool: spool))
            let outcomes = DeliveryOutcomes(tracker: tracker, metrics: metrics, deadLetters: deadLetters, spool: spool, retry: retry)
            built.outputs.latency = tracker
            built.outputs.outcomes = outcomes
            built.outputs.deadLetters = deadLetters
            built.outputs.spool = spool
            if built.outputs.dispatcher == nil && !clusters.isEmpty {
                // With a spool, SpoolRetry keeps message-timeout (so that a re-send keeps per-key order).
                let dispatcher = try KafkaDispatcher(clusters: clusters, extraProperties: spool == nil ? [] : SpoolRetry.librdkafkaProperties,
                                                     logger: logger, onDeliveries: { cluster, reports in
                    // One delivery event's reports at once: the bookkeeping takes its locks once per event.
                    for r in reports where r.isDelivered { metrics.deliveryLatency.recordNanoseconds(r.latencyMicroseconds * 1000) }
                    outcomes.report(output: OutputID.kafka(cluster), reports.map(OutputReport.init))
                })
                built.outputs.dispatcher = dispatcher
                for k in clusters {
                    guard let producer = dispatcher.producer(for: k.id) else { continue }
                    built.outputs.all[OutputID.kafka(k.id)] = KafkaOutput(cluster: k.id, producer: producer,
                                                                          sendTimeout: k.effectiveMessageTimeout.swiftDuration)
                }
            }
        }
        // Post and tcp outputs: kept when their settings and bookkeeping are, else new.
        let keepAsync = previous.map { built.outputs.outcomes === $0.outcomes } ?? false
        var fingerprints: [String: String] = [:]
        for (id, entry) in plan.entries {
            fingerprints[id] = entry.fingerprint
            if keepAsync, let old = previous?.all[id], previous?.fingerprints[id] == entry.fingerprint {
                built.outputs.all[id] = old
                continue
            }
            let outcomes = built.outputs.outcomes
            let output = entry.make(group, logger) { id, report in outcomes?.report(output: id, report) }
            built.outputs.all[id] = output
            built.created.append(output)
        }
        for id in built.outputs.all.keys where OutputID.cluster(of: id) == nil && plan.entries[id] == nil {
            built.outputs.all[id] = nil
        }
        for old in previous?.asynchronous ?? [] where built.outputs.all[old.id] !== old {
            built.retired.append(old)
        }
        built.outputs.fingerprints = fingerprints
        return built
    }

    /// Starts the listener for `spec`, one of those `c` asks for.
    func startListener(_ spec: ListenerSpec, of c: RelayConfiguration) async throws -> RunningListener {
        let streams = ListenerSpec.all(in: c).filter(\.isStream).count
        return try await RunningListener.start(spec, sink: pipeline, group: eventLoops, logger: logger, routes: adminRoutes(),
                                               connectionShare: DescriptorBudget.connectionShare(streamListeners: streams),
                                               consumers: ConsumerHooks(pipeline: pipeline, readiness: readinessGate))
    }

    /// SIGHUP: load config, rules and handlers again; switch only if everything loads, the new
    /// Kafka producers start and the new listeners bind. After a successful reload the relay runs
    /// what the files say, except `[spool] dir`, which only a restart can move (a reload that
    /// changes it is refused). Callers serialize reloads (``ReloadService`` is the one task that
    /// calls this). `trigger`: what asked for it (SIGHUP, a file change), for the log.
    @discardableResult
    func reload(trigger: String = "SIGHUP") async -> ReloadOutcome {
        logger.info("reloading", metadata: ["config": .string(configPath), "trigger": .string(trigger)])
        let current = generation
        let next: LoadedRelay
        do {
            next = try RelayLoader.load(configPath: configPath)
        } catch {
            return refuse("reload refused; the running configuration is kept", ["problems": .string(error.description)])
        }
        let old = current.loaded.configuration
        let c = next.configuration
        logger.configWarnings(c)
        if c.spool.dir != old.spool.dir {
            return refuse("reload refused: [spool] dir cannot change while running (it holds the unacknowledged alerts); restart alertrelay to move it",
                          ["running": .string(old.spool.dir.isEmpty ? "off" : old.spool.dir), "new": .string(c.spool.dir.isEmpty ? "off" : c.spool.dir)])
        }
        let kafkaChanged = c.kafka != old.kafka
        let built: BuiltOutputs
        do {
            built = try Self.makeOutputs(c, rules: next.rules, previous: current.outputs, kafkaChanged: kafkaChanged, metrics: metrics,
                                         deadLetters: deadLetters, spool: spool, retry: retry, group: eventLoops, logger: logger)
        } catch {
            return refuse("reload refused: cannot start the new Kafka producers", ["error": .string("\(error)")])
        }
        let outputs = built.outputs
        // Listeners last: a bind that fails rolls them back and drops the new producers.
        let switcher = ListenerSwitch { [self] spec in try await startListener(spec, of: c) }
        let (running, failure) = await switcher.apply(from: current.listeners, to: ListenerSpec.all(in: c))
        let stopped = current.listeners.filter { r in !running.contains { $0.statistics === r.statistics } }
        for r in stopped { counters.retire(r.statistics) }
        if let failure {
            applied.withLock { $0.listeners = running }
            if kafkaChanged { outputs.dispatcher?.close(timeout: .zero) }
            for o in built.created { o.close(timeout: .zero) }
            return refuse("reload refused: cannot start a listener; the previous listeners are kept", ["error": .string(failure.description)])
        }
        logSettings?.apply(level: c.logging.level, format: c.logging.format)
        deadLetters.setPath(c.relay.deadLetterFile)
        spool?.configure(c.spool)
        retry?.configure(maxAge: c.spool.maxAge?.swiftDuration)
        outputs.latency?.keepMessages = Self.keepsMessages(c, spool: spool)
        if kafkaChanged { counters.track(outputs.dispatcher) }
        counters.track(built.created)
        // The next reload starts from here, whether or not the engine has switched yet.
        applied.withLock { $0 = RelayGeneration(loaded: next, outputs: outputs, listeners: running) }
        let logger = self.logger, counters = self.counters
        let timeout = c.relay.shutdownTimeout.swiftDuration
        let retiredAsync = built.retired
        pipeline.setUDPLinger(c.relay.udpLinger.swiftDuration)
        pipeline.reload(rules: next.rules, outputs: outputs, hostname: Self.hostname(c), capacity: c.relay.queueSize,
                        limits: c.relay.groupLimits, persistence: Self.persistence(c)) { replaced in
            // The engine no longer sends to the replaced outputs: they deliver what they hold, then go
            // (a post or tcp output reports what it could not deliver in time, for the re-send).
            if !retiredAsync.isEmpty {
                DetachedThread.start("close-outputs") {
                    for o in retiredAsync { o.close(timeout: timeout) }
                    counters.retire(retiredAsync)
                }
            }
            guard kafkaChanged, let retired = replaced.dispatcher else { return }
            DetachedThread.start("close-kafka") {
                retired.close(timeout: timeout)
                counters.retire(retired)
                logger.info("previous Kafka producers closed")
            }
        }
        logger.info("reloaded", metadata: ["rules": .stringConvertible(next.rules.rules.count),
                                           "handlers": .stringConvertible(next.rules.handlers.count),
                                           "listeners": .string(running.map(\.describe).joined(separator: ","))])
        return .applied(rules: next.rules.rules.count, handlers: next.rules.handlers.count)
    }

    private func refuse(_ message: Logger.Message, _ metadata: Logger.Metadata) -> ReloadOutcome {
        logger.error(message, metadata: metadata)
        pipeline.reloadFailed()
        // One line for systemd's STATUS=: a single detail as its first line (the first problem), several as key=value.
        let details = metadata.sorted { $0.key < $1.key }.map { (key: $0.key, line: $0.value.description.split(separator: "\n").first.map(String.init) ?? "") }
        let detail = details.count == 1 ? details[0].line : details.map { "\($0.key)=\($0.line)" }.joined(separator: ", ")
        return .refused(detail.isEmpty ? "\(message)" : "\(message): \(detail)")
    }

    /// Stops every listener, each reading what its clients already sent first (bounded by `grace`).
    func stopListeners(grace: Duration) async {
        let listeners = generation.listeners
        await withTaskGroup(of: Void.self) { group in
            for r in listeners { group.addTask { await r.stop(grace: grace) } }
        }
    }
}

/// What a reload did.
enum ReloadOutcome: Sendable, Equatable {
    /// The new generation runs.
    case applied(rules: Int, handlers: Int)
    /// The running generation is kept; why, in one line.
    case refused(String)
}

/// Why `alertrelay run` could not start.
struct RelayStartError: Error, CustomStringConvertible {
    /// What failed, e.g. "cannot open the spool /var/lib/alertrelay/spool".
    var what: String
    /// The underlying reason.
    var reason: String
    var description: String { "\(what): \(reason)" }
}
