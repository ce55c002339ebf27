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
        /// What delivery reports do (acknowledge, dead-letter, send again).
        public var outcomes: DeliveryOutcomes?
        /// With a spool: messages whose delivery may succeed later, sent again in order.
        public var retry: SpoolRetry? { outcomes?.retry }
        public init(dispatcher: KafkaDispatcher?, sendTimeouts: [String: Duration], latency: LatencyTracker? = nil,
                    deadLetters: DeadLetters? = nil, spool: Spool? = nil, outcomes: DeliveryOutcomes? = nil) {
            self.dispatcher = dispatcher
            self.latency = latency
            self.deadLetters = deadLetters
            self.spool = spool
            self.sendTimeouts = sendTimeouts
            self.outcomes = outcomes
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
    /// Listeners paused on a full queue, with the size of the batch each holds.
    private var roomWaiters: [(points: Int, resume: @Sendable () -> Void)] = []
    /// Purges and re-sends ``SpoolRetry`` asks for (run between batches, and while waiting for
    /// room in a full spool, where the re-send may be what frees it).
    private var retryWork: [SpoolRetry.Work] = []
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
    /// Encodes and writes the snapshots, off this thread.
    private let stateWriter: StateFileWriter

    public init(rules: RuleSet, outputs: Outputs, capacity: Int, hostname: String, logger: Logger,
                limits: GroupLimits = .unlimited, persistence: StatePersistence? = nil, stateWriter: StateFileWriter,
                onEvent: (@Sendable (AlertEvent) -> Void)? = nil) {
        self.capacity = capacity
        self.stateWriter = stateWriter
        self.logger = logger
        self.persistence = persistence
        self.outputs = outputs
        self.onEvent = onEvent
        engine = RuleEngine(rules: rules.rules, hostname: hostname, limits: limits)
        router = AlertRouter(rules: rules.rules, handlers: rules.handlers, maxLevelsPerTopic: limits.maxGroups)
        counters.capacity = capacity
        configureEngine()
        restoreState()
        attachRetry()
    }

    /// Has the retry state hand its work to this pipeline (at start and after a reload, which may
    /// bring the first Kafka cluster).
    private func attachRetry() {
        let spool = outputs.spool  // `[spool] dir` cannot change while running: this one stays
        outputs.retry?.setHandler { [weak self] work in self?.schedule(work, waking: spool) }
    }

    /// Queues retry work for the engine thread and wakes it (also from a full spool's wait).
    private func schedule(_ work: SpoolRetry.Work, waking spool: Spool?) {
        condition.lock()
        if !retryWork.contains(work) { retryWork.append(work) }
        condition.signal()
        condition.unlock()
        spool?.wake()
    }

    /// Runs the queued retry work (engine thread).
    private func runRetryWork() {
        condition.lock()
        let work = retryWork
        retryWork.removeAll()
        condition.unlock()
        for w in work {
            switch w {
            case .purge(let cluster): outputs.dispatcher?.producer(for: cluster)?.purgeQueued()
            case .resend(let cluster): resend(cluster: cluster)
            }
        }
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

    /// How long one slice of a state snapshot may hold the engine thread.
    static let snapshotSlice: Duration = .milliseconds(5)
    /// The snapshot being taken, a slice between batches (engine thread).
    private var cursor: AlertStateSnapshotCursor?

    /// Starts a snapshot when one is due and the writer is free (engine thread).
    private func startSaveIfDue() {
        guard cursor == nil, let p = persistence, ContinuousClock.now - lastSave >= p.interval, stateWriter.isIdle else { return }
        lastSave = ContinuousClock.now
        cursor = engine.beginSnapshot()
    }

    /// Copies one slice of the snapshot in progress; hands it to the writer once complete.
    private func continueSave(budget: Duration = RelayPipeline.snapshotSlice) {
        guard var c = cursor else { return }
        let done = c.step(budget: budget)
        cursor = c
        if done { finishSave() }
    }

    /// Completes the snapshot in progress (or takes a whole one) and hands it to the writer.
    private func finishSave() {
        guard let p = persistence else {
            cursor = nil
            return
        }
        var c = cursor ?? engine.beginSnapshot()
        cursor = nil
        var s = c.finish()
        s.topics = router.topicLevels  // the firing alert IDs only (OK ones are not kept)
        stateWriter.submit(s, to: p.path)
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

    public func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) {
        condition.lock()
        if stopping {
            condition.unlock()
            return
        }
        if hasRoom(for: points) {
            condition.unlock()
            resume()
            return
        }
        roomWaiters.append((points, resume))
        condition.unlock()
    }

    /// Whether a paused listener's batch of `points` should be offered again (holding `condition`):
    /// at the low watermark, so that a full queue resumes its readers once per half-queue drained,
    /// not once per batch.
    private func hasRoom(for points: Int) -> Bool {
        queued == 0 || (queued + points <= capacity && queued <= capacity / 2)
    }

    /// The paused listeners whose batch now fits (holding `condition`); the caller resumes them
    /// after unlocking.
    private func takeResumable() -> [@Sendable () -> Void] {
        guard !roomWaiters.isEmpty, !stopping else { return [] }
        var ready: [@Sendable () -> Void] = []
        roomWaiters.removeAll { w in
            guard hasRoom(for: w.points) else { return false }
            ready.append(w.resume)
            return true
        }
        return ready
    }

    /// Replaces rules, handlers and outputs between two batches; alert state of rules kept by id.
    /// The queue's capacity changes at once; a new state file is written at the switch.
    /// `done` runs on the engine thread after the switch, with the outputs it replaced.
    public func reload(rules: RuleSet, outputs newOutputs: Outputs, hostname: String, capacity newCapacity: Int,
                       limits: GroupLimits = .unlimited, persistence newPersistence: StatePersistence?,
                       done: @escaping @Sendable (Outputs) -> Void) {
        condition.lock()
        capacity = newCapacity
        let resumable = takeResumable()
        condition.unlock()
        for r in resumable { r() }
        post { [self] in
            counters.capacity = newCapacity
            let stateMoved = newPersistence != nil && newPersistence?.path != persistence?.path
            persistence = newPersistence
            cursor = nil  // it holds the replaced engine's groups; the next save starts afresh
            let next = RuleEngine(rules: rules.rules, hostname: hostname, limits: limits)
            next.adoptState(from: engine)
            engine = next
            configureEngine()
            counters.levelsRefused += router.levelsRefused
            router = AlertRouter(rules: rules.rules, handlers: rules.handlers, maxLevelsPerTopic: limits.maxGroups)
            let old = outputs
            outputs = newOutputs
            attachRetry()
            logFiles.closeAll()
            counters.reloads.ok += 1
            publish(force: true)
            if stateMoved { finishSave() }
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
        roomWaiters.removeAll()  // paused listeners stay paused: nothing more is taken
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
            while head == queue.count && controls.isEmpty && retryWork.isEmpty && !stopping && cursor == nil {
                // Idle: publish the last counters, then sleep until work arrives.
                if dirty {
                    condition.unlock()
                    publish(force: true)
                    dirty = false
                    condition.lock()
                    continue
                }
                if let p = persistence, ContinuousClock.now - lastSave >= p.interval, stateWriter.isIdle {
                    condition.unlock()
                    startSaveIfDue()
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
            let hasRetryWork = !retryWork.isEmpty
            var batch: PointBatch?
            if head < queue.count {
                batch = queue[head]
                head += 1
                if head > 1024 && head * 2 > queue.count {
                    queue.removeFirst(head)
                    head = 0
                }
            } else if pendingControls.isEmpty && !hasRetryWork && stopping {
                condition.unlock()
                outputs.spool?.sync()
                finishSave()
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
            if hasRetryWork { runRetryWork() }
            if let batch {
                process(batch)
                condition.lock()
                queued -= batch.points.count
                let resumable = takeResumable()
                condition.unlock()
                for r in resumable { r() }
                dirty = true
                publish(force: false)
                startSaveIfDue()
            }
            continueSave()
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
            guard let dispatcher = outputs.dispatcher, dispatcher.producer(for: cluster) != nil else {
                fail(d, "cluster \"\(cluster)\" has no producer")
                return
            }
            let spoolID = spoolAppend(cluster: cluster, message: message)
            send(message, to: cluster, spoolID: spoolID, receivedAt: currentReceivedAt, order: nextOrder(), handler: d)
        case .log(let path, let mode, let line):
            do throws(AlertLogError) { try logFiles.append(line, to: path, mode: mode) } catch { fail(d, error.description) }
        case .failed(let reason):
            fail(d, reason)
        }
    }

    /// Engine thread only.
    private var sendOrder: UInt64 = 0

    /// The next send order number (engine thread): the order re-sends keep.
    private func nextOrder() -> UInt64 {
        sendOrder += 1
        return sendOrder
    }

    /// Hands one message to librdkafka (engine thread), unless its cluster is held for a re-send,
    /// where it waits its turn. `handler` is the delivery it came from (nil for replays and re-sends).
    private func send(_ message: KafkaMessage, to cluster: String, spoolID: SpoolID?, receivedAt: UInt64, order: UInt64,
                      handler d: AlertDelivery?) {
        let pending = SpoolRetry.Pending(order: order, id: spoolID, message: spoolID == nil ? message : nil, receivedAt: receivedAt)
        if let retry = outputs.retry, !retry.admit(pending, cluster: cluster, timeout: outputs.sendTimeouts[cluster] ?? .seconds(300)) { return }
        guard let producer = outputs.dispatcher?.producer(for: cluster) else {
            let reason = "cluster \"\(cluster)\" is no longer configured"
            if let d { fail(d, reason) }
            outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic, reason: reason)
            if let spoolID { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(cluster: cluster, order: order)
            return
        }
        do throws(KafkaSendError) {
            var sequence: UInt64
            do throws(KafkaSendError) {
                sequence = try producer.send(message)
            } catch .queueFull {
                // Wait for room rather than drop the alert; the point queue fills meanwhile.
                logger.debug("librdkafka queue full; waiting", metadata: ["cluster": .string(cluster)])
                sequence = try producer.sendBlocking(message, waitingUpTo: outputs.sendTimeouts[cluster] ?? .seconds(300))
            }
            if let (early, entry) = outputs.latency?.sent(cluster: cluster, sequence: sequence, receivedAt: receivedAt,
                                                         message: message, spoolID: spoolID, order: order) {
                // The report beat us here: finish it now, with the message.
                if let outcomes = outputs.outcomes {
                    outcomes.finish(cluster: cluster, early, entry)
                } else if let spoolID {
                    outputs.spool?.ack(spoolID)
                }
            }
            counters.messagesSent += 1
        } catch {
            if let retry = outputs.retry, error == .queueFull || error == .closed {
                // Still no room after message-timeout (or a reload closed the producer): like a
                // timed-out delivery, it waits for the re-send.
                var p = pending
                p.lastError = error.description
                retry.failed(p, cluster: cluster)
                return
            }
            if let d { fail(d, "kafka cluster \"\(cluster)\" topic \"\(message.topic)\": \(error)") }
            outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic, reason: "\(error)")
            if let spoolID { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(cluster: cluster, order: order)
        }
    }

    private var spoolFullLogged = false
    /// Messages sent unspooled since the last log line about it, and when that line was written
    /// (engine thread only).
    private var unspooledSinceLog = 0
    private var unspooledLoggedAt: ContinuousClock.Instant?

    /// Appends to the spool, waiting while it is full (block policy); nil without a spool or when
    /// the disk refuses (counted by reason, logged at most every 10 s: the message still goes to
    /// librdkafka, it is just not kept across a crash).
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
                    // Acknowledgements free room (the spool signals it); a due re-send may be what
                    // frees it, so it runs from here too.
                    spool.waitForRoom(until: Date().addingTimeInterval(1))
                    runRetryWork()
                    continue
                }
                spool.countUnspooled(error)
                unspooledSinceLog += 1
                let now = ContinuousClock.now
                if unspooledLoggedAt.map({ now - $0 >= .seconds(10) }) ?? true {
                    logger.error("cannot spool alert messages; sending them unspooled (not kept across a crash)", metadata: [
                        "error": .string(error.description), "reason": .string(error.unspooledReason),
                        "messages": .stringConvertible(unspooledSinceLog)])
                    unspooledLoggedAt = now
                    unspooledSinceLog = 0
                }
                return nil
            }
        }
    }

    /// Sends again what a held cluster kept (engine thread): in first-send order, spooled records
    /// read back from disk; those older than `max-age` become dead letters instead.
    private func resend(cluster: String) {
        guard let retry = outputs.retry else { return }
        let batch = retry.takeResend(cluster: cluster)
        guard !batch.isEmpty else { return }
        let maxAge = retry.maxAge
        let now = DispatchTime.now().uptimeNanoseconds
        var sent = 0, expired = 0
        // Read back a chunk at a time: a long outage can hold most of the spool.
        var start = 0
        while start < batch.count {
            let chunk = batch[start..<min(batch.count, start + 1024)]
            start = chunk.endIndex
            var byID: [SpoolID: Spool.Record] = [:]
            for (id, r) in outputs.spool?.read(chunk.compactMap(\.id)) ?? [] { if let r { byID[id] = r } }
            for p in chunk {
                guard let message = p.message ?? p.id.flatMap({ byID[$0]?.message }) else { continue }  // dropped by drop-oldest (counted there)
                if let maxAge, Int64(clamping: now &- p.receivedAt) > maxAge.nanoseconds {
                    outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic,
                                                reason: "not delivered within [spool] max-age \(maxAge) (last error: \(p.lastError ?? "none"))")
                    if let id = p.id { outputs.spool?.ack(id) }
                    retry.countExpired()
                    expired += 1
                    continue
                }
                send(message, to: cluster, spoolID: p.id, receivedAt: p.receivedAt, order: p.order, handler: nil)
                sent += 1
            }
        }
        logger.info("alert messages sent again after failed deliveries", metadata: [
            "cluster": .string(cluster), "messages": .stringConvertible(sent), "expired": .stringConvertible(expired)])
    }

    /// Sends what the spool held from before a restart (first thing on the engine thread).
    public func replay(_ records: [(SpoolID, Spool.Record)]) {
        guard !records.isEmpty else { return }
        post { [self] in
            for (id, r) in records {
                send(r.message, to: r.cluster, spoolID: id, receivedAt: DispatchTime.now().uptimeNanoseconds, order: nextOrder(), handler: nil)
            }
            logger.info("spooled alert messages sent again after a restart", metadata: ["messages": .stringConvertible(records.count)])
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
        c.stateSaveErrors = stateWriter.failed
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
        /// The engine's send order (kept for a re-send).
        var order: UInt64 = 0
    }
    private struct State {
        var pending: [String: [UInt64: Entry]] = [:]
        /// Reports that arrived before `sent` recorded their message (a fast broker, or a failure
        /// librdkafka reports at once).
        var early: [String: [UInt64: KafkaDeliveryReport]] = [:]
    }
    private let state = Locked(State())
    private let keeping: Atomic<Bool>
    /// Whether messages are kept for the dead-letter file (changes with a reloaded `dead-letter-file`).
    public var keepMessages: Bool {
        get { keeping.load(ordering: .relaxed) }
        set { keeping.store(newValue, ordering: .relaxed) }
    }
    public init(keepMessages: Bool = false) { keeping = Atomic(keepMessages) }

    /// Records a sent message; when its report already came, returns it with the entry, and the
    /// caller finishes the message (a failed report then still has the message for its dead letter).
    func sent(cluster: String, sequence: UInt64, receivedAt: UInt64, message: KafkaMessage, spoolID: SpoolID? = nil,
              order: UInt64 = 0) -> (KafkaDeliveryReport, Entry)? {
        let entry = Entry(receivedAt: receivedAt, message: keepMessages ? message : nil, spoolID: spoolID, order: order)
        return state.withLock { s in
            if let report = s.early[cluster]?.removeValue(forKey: sequence) { return (report, entry) }
            s.pending[cluster, default: [:]][sequence] = entry
            return nil
        }
    }

    /// What was recorded for the reported message, forgotten once asked; nil when `sent` has not
    /// recorded it yet (the report is kept for `sent`).
    func delivered(cluster: String, report: KafkaDeliveryReport) -> Entry? {
        state.withLock { s in
            if let e = s.pending[cluster]?.removeValue(forKey: report.sequence) { return e }
            s.early[cluster, default: [:]][report.sequence] = report
            return nil
        }
    }
}
