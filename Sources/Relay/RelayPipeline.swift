import AlertRules
import Dispatch
import Foundation
import Ingest
import KafkaDispatch
import LineProtocol
import Logging
import Synchronization
import Locking

/// The pipeline between listeners and Kafka: a bounded queue of point batches (the listeners'
/// `PointSink`), one engine thread that runs the rules in arrival order, routes each event to its
/// handlers and hands the messages to Kafka (or to log files).
///
/// Full queue: `offer` refuses (UDP drops and counts; TCP and HTTP wait). Full librdkafka queue:
/// the engine thread waits (up to the cluster's message-timeout) rather than dropping an alert,
/// which in turn fills the point queue — backpressure all the way to the sockets.
public final class RelayPipeline: PointSink, @unchecked Sendable {
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
    }

    /// What the engine thread works with; replaced as a whole on reload.
    public struct Outputs: @unchecked Sendable {
        public var dispatcher: KafkaDispatcher?
        /// Receipt times of messages in flight, for the end-to-end latency.
        public var latency: LatencyTracker?
        /// Where undeliverable messages go.
        public var deadLetters: DeadLetters?
        /// The durable spool (messages kept until acknowledged).
        public var spool: Spool?
        /// Per cluster: how long to wait for room in librdkafka's queue (its message-timeout).
        public var sendTimeouts: [String: Duration]
        public init(dispatcher: KafkaDispatcher?, sendTimeouts: [String: Duration], latency: LatencyTracker? = nil,
                    deadLetters: DeadLetters? = nil, spool: Spool? = nil) {
            self.dispatcher = dispatcher
            self.latency = latency
            self.deadLetters = deadLetters
            self.spool = spool
            self.sendTimeouts = sendTimeouts
        }
    }

    /// Points the queue holds at most (guarded by `condition`; a reload may change it).
    public private(set) var capacity: Int
    private let logger: Logger
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [PointBatch] = []
    private var head = 0
    private var queued = 0
    private var controls: [() -> Void] = []
    private var stopping = false
    private var finished = false
    // Engine thread only.
    private var engine: RuleEngine
    private var router: AlertRouter
    private var outputs: Outputs
    private let logFiles = AlertLogFiles()
    private var counters = Snapshot()
    private var lastPublish = ContinuousClock.now
    private var dirty = false
    private let published = Locked(Snapshot())
    /// Called on the engine thread with each event (tests, latency measurement).
    private let onEvent: (@Sendable (AlertEvent) -> Void)?

    /// A pipeline for `rules`, sending through `outputs`.
    /// Where alert state is saved, and how often (nil: not kept).
    public struct StatePersistence: Sendable, Equatable {
        public var path: String
        public var interval: Duration
        public init(path: String, interval: Duration) {
            self.path = path
            self.interval = interval
        }
    }
    private var persistence: StatePersistence?
    private var lastSave = ContinuousClock.now

    public init(rules: RuleSet, outputs: Outputs, capacity: Int, hostname: String, logger: Logger,
                limits: GroupLimits = .unlimited, persistence: StatePersistence? = nil,
                onEvent: (@Sendable (AlertEvent) -> Void)? = nil) {
        self.capacity = capacity
        self.logger = logger
        self.persistence = persistence
        self.outputs = outputs
        self.onEvent = onEvent
        engine = RuleEngine(rules: rules.rules, hostname: hostname, limits: limits)
        router = AlertRouter(rules: rules.rules, handlers: rules.handlers, maxLevelsPerTopic: limits.maxGroups)
        counters.capacity = capacity
        configureEngine()
        restoreState()
    }

    /// Loads the saved state, if any (before the engine thread starts).
    private func restoreState() {
        guard let p = persistence else { return }
        do {
            guard let saved = try AlertStateSnapshot.read(from: p.path) else {
                logger.info("no saved alert state yet", metadata: ["state-file": .string(p.path)])
                return
            }
            let groups = engine.restore(saved)
            router.restore(topicLevels: saved.topics)
            logger.info("alert state restored", metadata: ["state-file": .string(p.path), "groups": .stringConvertible(groups)])
        } catch {
            logger.error("saved alert state unreadable; starting without it", metadata: ["state-file": .string(p.path), "error": .string("\(error)")])
        }
    }

    /// Saves the state (engine thread).
    private func saveState() {
        guard let p = persistence else { return }
        lastSave = ContinuousClock.now
        var s = engine.snapshot()
        s.topics = router.topicLevels
        do {
            try s.write(to: p.path)
        } catch {
            counters.stateSaveErrors += 1
            dirty = true
            logger.error("cannot save alert state", metadata: ["state-file": .string(p.path), "error": .string("\(error)")])
        }
    }

    private func configureEngine() {
        let logger = self.logger
        engine.onError = { rule, message in
            logger.warning("rule evaluation failed", metadata: ["task": .string(rule), "error": .string(message)])
        }
        let limits = engine.limits
        engine.onGroupRefused = { [unowned self] rule in
            // Every refusal is counted; a line per rule at most every 10 s says it is happening.
            let now = ContinuousClock.now
            if let last = lastRefusalLog[rule], now - last < .seconds(10) { return }
            lastRefusalLog[rule] = now
            let total = engine.statistics[rule]?.groupsRefused ?? 0
            logger.warning("points refused: a new alert group would exceed the group limit", metadata: [
                "task": .string(rule), "refused": .stringConvertible(total),
                "max-groups": .stringConvertible(limits.maxGroups), "max-groups-per-rule": .stringConvertible(limits.maxGroupsPerRule),
            ])
        }
    }

    /// When each rule last logged refused groups (engine thread).
    private var lastRefusalLog: [String: ContinuousClock.Instant] = [:]

    /// Starts the engine thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "rule-engine"
        thread.start()
    }

    public func offer(_ batch: PointBatch) -> Bool {
        let n = batch.points.count
        condition.lock()
        defer { condition.unlock() }
        if stopping { return false }
        if queued > 0 && queued + n > capacity { return false }
        queue.append(batch)
        queued += n
        condition.signal()
        return true
    }

    /// Replaces rules, handlers and outputs between two batches; alert state of rules kept by id.
    /// The queue's capacity changes at once; a new state file is written at the switch.
    /// `done` runs on the engine thread after the switch, with the outputs it replaced.
    public func reload(rules: RuleSet, outputs newOutputs: Outputs, hostname: String, capacity newCapacity: Int,
                       limits: GroupLimits = .unlimited, persistence newPersistence: StatePersistence?,
                       done: @escaping @Sendable (Outputs) -> Void) {
        condition.lock()
        capacity = newCapacity
        condition.unlock()
        post { [self] in
            counters.capacity = newCapacity
            let stateMoved = newPersistence != nil && newPersistence?.path != persistence?.path
            persistence = newPersistence
            let next = RuleEngine(rules: rules.rules, hostname: hostname, limits: limits)
            next.adoptState(from: engine)
            engine = next
            configureEngine()
            counters.levelsRefused += router.levelsRefused
            router = AlertRouter(rules: rules.rules, handlers: rules.handlers, maxLevelsPerTopic: limits.maxGroups)
            let old = outputs
            outputs = newOutputs
            logFiles.closeAll()
            counters.reloads.ok += 1
            publish(force: true)
            if stateMoved { saveState() }
            done(old)
        }
    }

    /// Counts a refused reload.
    public func reloadFailed() {
        post { [self] in
            counters.reloads.failed += 1
            publish(force: true)
        }
    }

    private func post(_ control: @escaping () -> Void) {
        condition.lock()
        controls.append(control)
        condition.signal()
        condition.unlock()
    }

    /// Stops taking points, processes what is queued, then returns true; false if `timeout` passed first.
    public func drain(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while !finished {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }

    /// The current counters.
    public var snapshot: Snapshot {
        var s = published.withLock { $0 }
        condition.lock()
        s.queuedPoints = queued
        condition.unlock()
        return s
    }

    private func run() {
        while true {
            condition.lock()
            while head == queue.count && controls.isEmpty && !stopping {
                // Idle: publish the last counters, then sleep until work arrives.
                if dirty {
                    condition.unlock()
                    publish(force: true)
                    dirty = false
                    condition.lock()
                    continue
                }
                if let p = persistence, ContinuousClock.now - lastSave >= p.interval {
                    condition.unlock()
                    saveState()
                    condition.lock()
                    continue
                }
                // Time-driven rules (deadman) run on the wall clock, also when no point arrives.
                if engine.hasClockedRules, let due = engine.nextClockDeadline, unixNanosecondsNow() >= due {
                    condition.unlock()
                    advanceClock()
                    condition.lock()
                    continue
                }
                var wake: Date?
                if persistence != nil { wake = Date().addingTimeInterval(1) }
                if engine.hasClockedRules, let due = engine.nextClockDeadline {
                    let at = Date(timeIntervalSince1970: Double(due) / 1e9)
                    wake = wake.map { min($0, at) } ?? at
                }
                if let wake { _ = condition.wait(until: wake) } else { condition.wait() }
            }
            let pendingControls = controls
            controls.removeAll()
            var batch: PointBatch?
            if head < queue.count {
                batch = queue[head]
                head += 1
                if head > 1024 && head * 2 > queue.count {
                    queue.removeFirst(head)
                    head = 0
                }
            } else if pendingControls.isEmpty && stopping {
                condition.unlock()
                outputs.spool?.sync()
                saveState()
                publish(force: true)
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            for c in pendingControls { c() }
            if engine.hasClockedRules { advanceClock() }
            if let batch {
                process(batch)
                condition.lock()
                queued -= batch.points.count
                condition.unlock()
                dirty = true
                publish(force: false)
                if let p = persistence, ContinuousClock.now - lastSave >= p.interval { saveState() }
            }
        }
    }

    private var currentReceivedAt: UInt64 = 0

    /// Runs the time-driven checks due by now (engine thread).
    private func advanceClock() {
        engine.advanceClock(to: unixNanosecondsNow()) { event in handle(event) }
    }

    private func handle(_ event: AlertEvent) {
        counters.events += 1
        logger.info("alert triggered", metadata: [
            "task": .string(event.ruleID), "level": .string(event.level.description), "id": .string(event.id),
            "event_message": .string(event.message),
        ])
        onEvent?(event)
        for d in router.route(event) { deliver(d) }
    }

    private func process(_ batch: PointBatch) {
        currentReceivedAt = batch.receivedAt
        counters.pointsProcessed += UInt64(batch.points.count)
        engine.process(batch.points) { event in handle(event) }
    }

    private func deliver(_ d: AlertDelivery) {
        switch d.output {
        case .kafka(let cluster, let message):
            guard let dispatcher = outputs.dispatcher, let producer = dispatcher.producer(for: cluster) else {
                fail(d, "cluster \"\(cluster)\" has no producer")
                return
            }
            let spoolID = spoolAppend(cluster: cluster, message: message)
            do throws(KafkaSendError) {
                var sequence: UInt64
                do throws(KafkaSendError) {
                    sequence = try producer.send(message)
                } catch .queueFull {
                    // Wait for room rather than drop the alert; the point queue fills meanwhile.
                    logger.debug("librdkafka queue full; waiting", metadata: ["cluster": .string(cluster)])
                    sequence = try producer.sendBlocking(message, waitingUpTo: outputs.sendTimeouts[cluster] ?? .seconds(300))
                }
                if outputs.latency?.sent(cluster: cluster, sequence: sequence, receivedAt: currentReceivedAt, message: message,
                                         spoolID: spoolID) == true, let spoolID {
                    outputs.spool?.ack(spoolID)  // the report beat us here
                }
                counters.messagesSent += 1
            } catch {
                fail(d, "kafka cluster \"\(cluster)\" topic \"\(message.topic)\": \(error)")
                outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic, reason: "\(error)")
                if let spoolID { outputs.spool?.ack(spoolID) }
            }
        case .log(let path, let mode, let line):
            do throws(AlertLogError) { try logFiles.append(line, to: path, mode: mode) } catch { fail(d, error.description) }
        case .failed(let reason):
            fail(d, reason)
        }
    }

    private var spoolFullLogged = false

    /// Appends to the spool, waiting while it is full (block policy); nil without a spool or when
    /// the disk refuses (logged: the message still goes to librdkafka).
    private func spoolAppend(cluster: String, message: KafkaMessage) -> SpoolID? {
        guard let spool = outputs.spool else { return nil }
        var waited = false
        while true {
            do throws(Spool.Failure) {
                return try spool.append(cluster: cluster, message: message)
            } catch {
                if case .full = error {
                    if !waited { spool.countBlocked() }
                    waited = true
                    if !spoolFullLogged {
                        logger.warning("spool full; waiting for Kafka acknowledgements", metadata: ["error": .string(error.description)])
                        spoolFullLogged = true
                    }
                    usleep(20_000)
                    continue
                }
                logger.error("cannot spool an alert message; sending it unspooled", metadata: ["error": .string(error.description)])
                return nil
            }
        }
    }

    /// Sends what the spool held from before a restart (first thing on the engine thread).
    public func replay(_ records: [(SpoolID, Spool.Record)]) {
        guard !records.isEmpty else { return }
        post { [self] in
            var sent = 0
            for (id, r) in records {
                guard let producer = outputs.dispatcher?.producer(for: r.cluster) else {
                    outputs.deadLetters?.record(cluster: r.cluster, message: r.message, topic: r.topic,
                                                reason: "cluster \"\(r.cluster)\" is no longer configured")
                    outputs.spool?.ack(id)
                    continue
                }
                do throws(KafkaSendError) {
                    let seq = try producer.sendBlocking(r.message, waitingUpTo: outputs.sendTimeouts[r.cluster] ?? .seconds(300))
                    if outputs.latency?.sent(cluster: r.cluster, sequence: seq, receivedAt: DispatchTime.now().uptimeNanoseconds,
                                             message: r.message, spoolID: id) == true {
                        outputs.spool?.ack(id)
                    }
                    sent += 1
                } catch {
                    outputs.deadLetters?.record(cluster: r.cluster, message: r.message, topic: r.topic, reason: "\(error)")
                    outputs.spool?.ack(id)
                }
            }
            logger.info("spooled alert messages sent again after a restart", metadata: ["messages": .stringConvertible(sent)])
        }
    }

    private func fail(_ d: AlertDelivery, _ reason: String) {
        counters.handlerFailures[d.handlerID, default: 0] += 1
        logger.error("alert not sent", metadata: ["handler": .string(d.handlerID), "id": .string(d.alertID),
                                                  "level": .string(d.level.description), "error": .string(reason)])
    }

    private func publish(force: Bool) {
        let now = ContinuousClock.now
        guard force || now - lastPublish > .milliseconds(250) else { return }
        lastPublish = now
        counters.rules = engine.statistics
        var c = counters
        c.levelsRefused += router.levelsRefused
        published.withLock { $0 = c }
    }
}

/// Receipt times of the messages librdkafka holds, so each delivery report can tell how long the
/// alert took from the socket to the broker's acknowledgement.
/// With a dead-letter file it also keeps each message until its report, to write it aside if it fails.
public final class LatencyTracker: Sendable {
    struct Entry: Sendable {
        var receivedAt: UInt64
        var message: KafkaMessage?
        var spoolID: SpoolID?
    }
    private struct State {
        var pending: [String: [UInt64: Entry]] = [:]
        /// Reports that arrived before `sent` recorded their message (a fast broker).
        var early: [String: Set<UInt64>] = [:]
    }
    private let state = Locked(State())
    private let keeping: Atomic<Bool>
    /// Whether messages are kept for the dead-letter file (changes with a reloaded `dead-letter-file`).
    public var keepMessages: Bool {
        get { keeping.load(ordering: .relaxed) }
        set { keeping.store(newValue, ordering: .relaxed) }
    }
    public init(keepMessages: Bool = false) { keeping = Atomic(keepMessages) }

    /// Records a sent message; returns true when its report already came (the caller then
    /// finishes it: the spool record is acknowledged).
    @discardableResult
    func sent(cluster: String, sequence: UInt64, receivedAt: UInt64, message: KafkaMessage, spoolID: SpoolID? = nil) -> Bool {
        let entry = Entry(receivedAt: receivedAt, message: keepMessages ? message : nil, spoolID: spoolID)
        return state.withLock { s in
            if s.early[cluster]?.remove(sequence) != nil { return true }
            s.pending[cluster, default: [:]][sequence] = entry
            return false
        }
    }

    /// What was recorded for message `sequence`, forgotten once asked.
    func delivered(cluster: String, sequence: UInt64) -> Entry? {
        state.withLock { s in
            if let e = s.pending[cluster]?.removeValue(forKey: sequence) { return e }
            s.early[cluster, default: []].insert(sequence)
            return nil
        }
    }
}
