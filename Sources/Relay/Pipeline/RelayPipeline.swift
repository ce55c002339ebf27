import AlertRules
import Dispatch
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
import LineProtocol
import Logging
import Synchronization
import Locking

/// The pipeline between listeners and the outputs: a bounded queue of point batches (the listeners'
/// `PointSink`, ``PipelineQueue``), one engine thread (``EngineLoop``) that runs the rules in
/// arrival order, routes each event to its handlers and hands the records to the outputs (Kafka,
/// post, tcp) or to log files.
///
/// UDP listeners are read by the engine thread itself (``DatagramHost``): their points are
/// evaluated where they were read, never queued. Full queue: `offer` refuses (TCP and HTTP
/// wait). Full librdkafka queue: the engine thread waits (up to the cluster's message-timeout)
/// rather than dropping an alert, which in turn fills the point queue — backpressure all the way
/// to the sockets; datagrams wait in the kernel's socket buffer meanwhile (the kernel counts
/// what it drops when that is full).
public final class RelayPipeline: PointSink, DatagramHost, Sendable {
    /// Counters and sizes, safe to read from any thread.
    public struct Snapshot: Sendable {
        public var queuedPoints = 0
        public var capacity = 0
        public var pointsProcessed: UInt64 = 0
        public var rules: [String: RuleStatistics] = [:]
        public var handlerFailures: [String: UInt64] = [:]
        public var reloads: (ok: UInt64, failed: UInt64) = (0, 0)
        public var events: UInt64 = 0
        public var messagesSent: UInt64 = 0
        /// State-file saves that failed (each logged with the system's reason).
        public var stateSaveErrors: UInt64 = 0
        /// Events whose level a topic could not keep (its firing alert IDs at max-groups).
        public var levelsRefused: UInt64 = 0
        /// Group mode: state changelog records the broker acknowledged, and refused for good
        /// (nil in sidecar mode).
        public var changelogRecords: (written: UInt64, failed: UInt64)?
    }

    /// What the engine thread works with; replaced as a whole on reload.
    public struct Outputs: Sendable {
        /// The Kafka producers (their lifecycle and statistics; they send as ``KafkaOutput``s in `all`).
        public var dispatcher: KafkaDispatcher?
        /// Every output by identity: `kafka:<cluster>`, `post:<endpoint or url>`, `tcp:<address>`.
        public var all: [String: any AlertOutput]
        /// Receipt times of records in flight, for the end-to-end latency.
        public var latency: LatencyTracker?
        /// Where undeliverable records go.
        public var deadLetters: DeadLetters?
        /// The durable spool (records kept until acknowledged).
        public var spool: Spool?
        /// What reports do (acknowledge, dead-letter, send again).
        public var outcomes: DeliveryOutcomes?
        /// With a spool: records whose delivery may succeed later, sent again in order.
        public var retry: SpoolRetry? { outcomes?.retry }
        /// How each output is set up, to tell on reload which can be kept (post and tcp).
        var fingerprints: [String: String] = [:]
        public init(dispatcher: KafkaDispatcher?, all: [String: any AlertOutput] = [:], latency: LatencyTracker? = nil,
                    deadLetters: DeadLetters? = nil, spool: Spool? = nil, outcomes: DeliveryOutcomes? = nil) {
            self.dispatcher = dispatcher
            self.all = all
            self.latency = latency
            self.deadLetters = deadLetters
            self.spool = spool
            self.outcomes = outcomes
        }

        /// The outputs other than Kafka's (closed by whoever retires them; Kafka's go with the dispatcher).
        var asynchronous: [any AlertOutput] { all.values.filter { OutputID.cluster(of: $0.id) == nil } }
    }

    /// Where alert state is saved, and how often (nil: not kept).
    public struct StatePersistence: Sendable, Equatable {
        public var path: String
        public var interval: Duration
        public init(path: String, interval: Duration) {
            self.path = path
            self.interval = interval
        }
    }

    private let queue: PipelineQueue
    private let published = PublishedCounters()
    private let setup: EngineLoop.Setup
    /// What is firing now, as the engine publishes it (the alerts API, the status page).
    public let alerts: AlertBoard
    /// The engine thread's turns and waits (the systemd watchdog's evidence that it is alive).
    let liveness: EngineLiveness

    /// A pipeline for `rules`, sending through `outputs`; the engine thread starts with ``start()``.
    public init(rules: RuleSet, outputs: Outputs, capacity: Int, hostname: String, logger: Logger,
                limits: GroupLimits = .unlimited, persistence: StatePersistence? = nil, stateWriter: StateFileWriter,
                onEvent: (@Sendable (AlertEvent) -> Void)? = nil) {
        queue = PipelineQueue(capacity: capacity)
        alerts = AlertBoard(maxFiring: limits.maxGroups)
        let liveness = EngineLiveness()
        self.liveness = liveness
        setup = EngineLoop.Setup(rules: rules, outputs: outputs, capacity: capacity, hostname: hostname, logger: logger, limits: limits,
                                 persistence: persistence, stateWriter: stateWriter, onEvent: onEvent, alerts: alerts, liveness: liveness)
    }

    /// Starts the engine thread: it makes the ``EngineLoop`` (restoring the saved state) and runs it.
    public func start() {
        let setup = self.setup, queue = self.queue, published = self.published
        DetachedThread.start("rule-engine") { EngineLoop(setup, queue: queue, published: published).run() }
    }

    /// Points the queue holds at most (a reload may change it).
    public var capacity: Int { queue.capacity }

    public func offer(_ batch: PointBatch) -> Bool { queue.offer(batch) }

    public func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) { queue.whenRoom(for: points, resume) }

    /// The engine thread reads `listener`'s socket from its next turn (a reload's new listener
    /// as much as a start's).
    public func attach(_ listener: UDPListener) {
        // An ended engine reads nothing more: the socket waits for the listener's stop.
        queue.post { $0.attach(listener) }
    }

    /// The engine thread reads `listener`'s socket empty, closes it, then calls `done`; at once
    /// when the engine's loop has ended.
    public func detach(_ listener: UDPListener, drainFor limit: Duration, done: @escaping @Sendable () -> Void) {
        let queued = queue.post { loop in
            loop.detach(listener, drainFor: limit)
            done()
        }
        if !queued {
            listener.socket.close()
            done()
        }
    }

    /// Replaces rules, handlers and outputs between two batches; alert state of rules kept by id.
    /// The queue's capacity changes at once; a new state file is written at the switch.
    /// `done` runs on the engine thread after the switch, with the outputs it replaced.
    public func reload(rules: RuleSet, outputs newOutputs: Outputs, hostname: String, capacity newCapacity: Int,
                       limits: GroupLimits = .unlimited, persistence newPersistence: StatePersistence?,
                       done: @escaping @Sendable (Outputs) -> Void) {
        queue.setCapacity(newCapacity)
        queue.post { loop in
            done(loop.apply(rules: rules, outputs: newOutputs, hostname: hostname, capacity: newCapacity, limits: limits,
                            persistence: newPersistence))
        }
    }

    /// Sets `[relay] udp-linger` (``EngineLoop/udpLinger``) from the next turn on.
    public func setUDPLinger(_ linger: Duration) {
        queue.post { $0.udpLinger = linger }
    }

    /// Wakes the engine thread for one turn that does nothing else (the watchdog's probe: an idle
    /// engine sleeps until work arrives, and a turn is what shows it alive).
    func wake() {
        queue.post { _ in }
    }

    /// Runs `control` on the engine thread between two batches.
    func post(_ control: @escaping @Sendable (EngineLoop) -> Void) { queue.post(control) }

    /// Counts a refused reload.
    public func reloadFailed() {
        queue.post { $0.countRefusedReload() }
    }

    /// Sends what the spool held from before a restart (first thing on the engine thread).
    public func replay(_ records: [(SpoolID, Spool.Record)]) {
        guard !records.isEmpty else { return }
        queue.post { $0.replay(records) }
    }

    /// Stops taking points, processes what is queued, then returns true; false if `timeout` passed first.
    public func drain(timeout: Duration) -> Bool { queue.drain(timeout: timeout) }

    /// The current counters.
    public var snapshot: Snapshot {
        var s = published.current
        s.queuedPoints = queue.queuedPoints
        return s
    }
}
