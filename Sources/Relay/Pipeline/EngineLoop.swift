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
import Locking

/// The rule engine's thread and everything only it touches: the engine (all rule and group
/// state), the topic router, the outputs it sends through, the log files, the counters it
/// publishes, the state snapshot in progress, and the UDP listeners' sockets, which it reads
/// itself (``DatagramPoller``). Made on that thread and never shared, so none of this needs a
/// lock; the rest of the relay reaches it through ``PipelineQueue`` (batches and controls,
/// which run here with the loop as their argument).
final class EngineLoop {
    /// What the loop is made from (crosses to the engine thread).
    struct Setup: Sendable {
        var rules: RuleSet
        var outputs: RelayPipeline.Outputs
        var capacity: Int
        var hostname: String
        var logger: Logger
        var limits: GroupLimits
        var persistence: RelayPipeline.StatePersistence?
        var stateWriter: StateFileWriter
        var onEvent: (@Sendable (AlertEvent) -> Void)?
        var alerts: AlertBoard
        /// Turns and waits, for the systemd watchdog.
        var liveness: EngineLiveness
    }

    /// How long one slice of a state snapshot may hold the engine thread.
    static let snapshotSlice: Duration = .milliseconds(5)
    /// Datagrams one turn reads at most before the queue's work runs again (~1,600 points of 25
    /// per datagram, a millisecond or two), so that controls, TCP and HTTP never wait long
    /// behind a UDP flood.
    static let datagramsPerTurn = 64
    /// Datagrams per recvmmsg call: 16 slots of 64 KiB, mapped once (resident: the pages
    /// datagrams were written to).
    static let datagramSlots = 16

    let queue: PipelineQueue
    /// The UDP sockets this thread reads, and its sleep (``PipelineQueue/take(_:poller:)``).
    let datagrams: DatagramPoller
    let logger: Logger
    let liveness: EngineLiveness
    private let published: PublishedCounters
    var engine: RuleEngine
    var router: AlertRouter
    var outputs: RelayPipeline.Outputs
    let logFiles = AlertLogFiles()
    var counters = RelayPipeline.Snapshot()
    private var lastPublish = ContinuousClock.now
    private var dirty = false
    private let onEvent: (@Sendable (AlertEvent) -> Void)?
    /// Where every event is published for the alerts API.
    let alerts: AlertBoard
    private var persistence: RelayPipeline.StatePersistence?
    private var lastSave = ContinuousClock.now
    private let stateWriter: StateFileWriter
    /// The snapshot being taken, a slice between batches.
    private var cursor: AlertStateSnapshotCursor?
    /// Group mode: the changelog writers of the running consumers and what waits for their flushes.
    var changelog = EngineChangelog()
    /// When each rule last logged refused groups.
    private var lastRefusalLog: [String: ContinuousClock.Instant] = [:]
    /// The receipt time of the batch being evaluated (the start of its alerts' latency).
    var currentReceivedAt: UInt64 = 0
    /// The acknowledgement of the batch being evaluated: its messages that are not spooled hold it.
    var currentAcknowledgement: PointsAcknowledgement?
    /// The last send order number given (the order re-sends keep).
    var sendOrder: UInt64 = 0
    /// The records this turn raised, handed to their outputs at its end (``sendTurn()``).
    var turnSends = TurnSends()
    var spoolFullLogged = false
    /// Messages sent unspooled since the last log line about it, and when that line was written.
    var unspooledSinceLog = 0
    var unspooledLoggedAt: ContinuousClock.Instant?
    /// `[relay] udp-linger`: the longest linger — a sleep without reading the UDP sockets after a
    /// turn that read datagrams arriving more often than one per linger (queued work still wakes
    /// it), so that one wake-up and one turn serve the datagrams of that time — bounded by what the
    /// sockets' receive buffers hold (``LingerBound``); zero reads each as it comes.
    var udpLinger: Duration {
        get { linger.cap }
        set { linger.cap = newValue }
    }
    private var linger = LingerBound(cap: .zero)
    /// Whether the next sleep lingers.
    private var lingers = false

    init(_ setup: Setup, queue: PipelineQueue, published: PublishedCounters) {
        self.queue = queue
        datagrams = DatagramPoller(wake: queue.wake, slots: Self.datagramSlots)
        liveness = setup.liveness
        self.published = published
        logger = setup.logger
        persistence = setup.persistence
        outputs = setup.outputs
        onEvent = setup.onEvent
        alerts = setup.alerts
        stateWriter = setup.stateWriter
        engine = RuleEngine(rules: setup.rules.rules, hostname: setup.hostname, limits: setup.limits)
        router = AlertRouter(rules: setup.rules.rules, handlers: setup.rules.handlers, maxLevelsPerTopic: setup.limits.maxGroups)
        counters.capacity = setup.capacity
        configureEngine()
        restoreState()
        attachRetry()
    }

    /// Has the retry state hand its work to the queue (at start and after a reload, which may
    /// bring the first Kafka cluster).
    private func attachRetry() {
        let spool = outputs.spool  // `[spool] dir` cannot change while running: this one stays
        let queue = self.queue
        outputs.retry?.setHandler { work in
            queue.schedule(work)
            spool?.wake()  // a full spool's wait may be what the re-send frees
        }
    }

    /// Loads the saved state, if any.
    private func restoreState() {
        guard let p = persistence else { return }
        do {
            guard let saved = try AlertStateSnapshot.read(from: p.path) else {
                logger.info("no saved alert state yet", metadata: ["state-file": .string(p.path)])
                return
            }
            let groups = engine.restore(saved)
            router.restore(topicLevels: saved.topics)
            alerts.restore(topicLevels: saved.topics, rules: engine.rules, savedAt: saved.takenAt)
            logger.info("alert state restored", metadata: ["state-file": .string(p.path), "groups": .stringConvertible(groups)])
        } catch {
            logger.error("saved alert state unreadable; starting without it", metadata: ["state-file": .string(p.path), "error": .string("\(error)")])
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

    // MARK: The loop

    /// Runs until the queue is drained after a stop request.
    func run() {
        while true {
            var work = queue.take(nextWait(), poller: datagrams)
            liveness.turned()
            for c in work.controls { c(self) }
            if engine.hasClockedRules { advanceClock() }
            if !work.retry.isEmpty { runRetryWork(work.retry) }
            var evaluated = false
            if var batch = work.batch {
                // The turn's only copy of the batch (the queue kept none), so that giving its
                // points back hands over their last reference.
                work.batch = nil
                process(batch)
                queue.evaluated(batch.points.count)
                batch.givePointsBack()
                evaluated = true
            }
            let read = datagrams.hasReadable ? readDatagrams() : 0
            if read > 0 {
                // The turn's datagrams' records go out together: one spool write and one send.
                sendTurn()
                evaluated = true
            }
            if evaluated {
                dirty = !publish(force: false)
                startSaveIfDue()
            }
            flushChangelog()
            continueSave()
            if work.stop {
                // Listeners stop before the engine; a socket still attached is read empty now.
                datagrams.drainAll(for: UDPListener.drainLimit) { evaluate($0, from: $1) }
                sendTurn()
                flushChangelog(force: true)
                outputs.spool?.sync()
                finishSave()
                publish(force: true)
                // Controls posted after the last turn (a listener's stop): they close its socket.
                for c in queue.markFinished() { c(self) }
                return
            }
            if work.isEmpty && !evaluated {
                // Idle (or a timer): publish the last counters once due, start a save that is due.
                if dirty, publish(force: false) { dirty = false }
                startSaveIfDue()
            }
        }
    }

    /// How long the loop may sleep with nothing queued: not at all while a snapshot is being
    /// taken; else until counters that wait to be published are due (at most every
    /// ``publishInterval``: publishing copies every rule's statistics, too much to do per
    /// datagram at a few hundred datagrams a second), the next clock deadline (deadman checks)
    /// or the next save check, or until work arrives.
    private func nextWait() -> PipelineQueue.Wait {
        if cursor != nil || datagrams.hasReadable { return .no }
        if lingers {
            lingers = false
            // Lingering is bounded by the timers too: a due publish or deadman check is not delayed.
            let allowed = linger.allowed
            if case .atMost(let d) = timedWait() { return .linger(min(d, allowed)) }
            return .linger(allowed)
        }
        return timedWait()
    }

    /// Reads up to a turn's datagrams; with a linger configured, measures the sockets' fill
    /// before and whether they were read empty after (``LingerBound``), which decides whether the
    /// next sleep lingers.
    private func readDatagrams() -> Int {
        guard udpLinger > .zero else {
            lingers = false
            return datagrams.read(budget: Self.datagramsPerTurn) { evaluate($0, from: $1) }
        }
        linger.readStarts(fill: datagrams.fill(), at: .now)
        let read = datagrams.read(budget: Self.datagramsPerTurn) { evaluate($0, from: $1) }
        lingers = linger.readEnded(datagrams: read, emptied: !datagrams.hasReadable, at: .now)
        return read
    }

    /// ``nextWait()`` without lingering: until the next timer, or until work arrives.
    private func timedWait() -> PipelineQueue.Wait {
        var wait: Duration?
        if dirty { wait = max(.zero, Self.publishInterval - (ContinuousClock.now - lastPublish)) }
        if persistence != nil { wait = wait.map { min($0, .seconds(1)) } ?? .seconds(1) }
        if engine.hasClockedRules, let due = engine.nextClockDeadline {
            let untilDue = Duration.nanoseconds(max(0, due - unixNanosecondsNow()))
            wait = wait.map { min($0, untilDue) } ?? untilDue
        }
        if let untilFlush = changelogWait { wait = wait.map { min($0, untilFlush) } ?? untilFlush }
        return wait.map { .atMost($0) } ?? .untilWork
    }

    /// Runs the time-driven checks due by now.
    private func advanceClock() {
        engine.advanceClock(to: unixNanosecondsNow()) { event in handle(event) }
        sendTurn()
    }

    private func process(_ batch: PointBatch) {
        currentReceivedAt = batch.receivedAt
        defer {
            currentAcknowledgement = nil
            sendTurn()
        }
        counters.pointsProcessed += UInt64(batch.points.count)
        engine.select(destination: batch.destination)
        let owned = processOwned(batch) { acknowledgement in
            currentAcknowledgement = acknowledgement
            engine.process(batch.points) { event in handle(event) }
        }
        if owned { return }
        currentAcknowledgement = batch.acknowledgement
        engine.process(batch.points) { event in handle(event) }
        batch.acknowledgement?.evaluated()
    }

    /// Evaluates one datagram's points where they were read (no batch, no queue).
    private func evaluate(_ points: [Point], from listener: UDPListener) {
        currentReceivedAt = DispatchTime.now().uptimeNanoseconds
        counters.pointsProcessed += UInt64(points.count)
        engine.select(destination: listener.destination)
        engine.process(points) { event in handle(event) }
    }

    /// Starts reading `listener`'s socket (a control: the listener started).
    func attach(_ listener: UDPListener) { datagrams.add(listener) }

    /// Reads `listener`'s socket empty (at most `limit`) and closes it (a control: it stops).
    func detach(_ listener: UDPListener, drainFor limit: Duration) {
        datagrams.remove(listener, drainFor: limit) { evaluate($0, from: $1) }
        sendTurn()
        if !dirty { dirty = !publish(force: false) }
    }

    private func handle(_ event: AlertEvent) {
        counters.events += 1
        logger.info("alert triggered", metadata: [
            "task": .string(event.ruleID), "level": .string(event.level.description), "id": .string(event.id),
            "event_message": .string(event.message),
        ])
        onEvent?(event)
        alerts.record(event)
        for d in router.route(event) { deliver(d) }
    }

    /// Runs retry work (purges and re-sends).
    func runRetryWork(_ work: [SpoolRetry.Work]) {
        sendTurn()  // a re-send or purge acts on what this turn raised too
        for w in work {
            switch w {
            case .purge(let output): outputs.all[output]?.purgeQueued()
            case .resend(let output): resend(output: output)
            }
        }
    }

    // MARK: Controls

    /// Replaces rules, handlers and outputs; alert state of rules kept by id; a moved state file
    /// is written at once. Returns the outputs it replaced.
    func apply(rules: RuleSet, outputs newOutputs: RelayPipeline.Outputs, hostname: String, capacity: Int, limits: GroupLimits,
               persistence newPersistence: RelayPipeline.StatePersistence?) -> RelayPipeline.Outputs {
        counters.capacity = capacity
        let stateMoved = newPersistence != nil && newPersistence?.path != persistence?.path
        persistence = newPersistence
        cursor = nil  // it holds the replaced engine's groups; the next save starts afresh
        let next = RuleEngine(rules: rules.rules, hostname: hostname, limits: limits)
        next.adoptState(from: engine)
        engine = next
        configureEngine()
        counters.levelsRefused += router.levelsRefused
        let previousRouter = router
        router = AlertRouter(rules: rules.rules, handlers: rules.handlers, maxLevelsPerTopic: limits.maxGroups)
        router.adoptLevels(from: previousRouter)
        alerts.configure(rules: rules.rules, maxFiring: limits.maxGroups)
        let old = outputs
        outputs = newOutputs
        attachRetry()
        logFiles.closeAll()
        counters.reloads.ok += 1
        publish(force: true)
        if stateMoved { finishSave() }
        return old
    }

    /// Counts a refused reload.
    func countRefusedReload() {
        counters.reloads.failed += 1
        publish(force: true)
    }

    // MARK: State file

    /// Starts a snapshot when one is due and the writer is free.
    private func startSaveIfDue() {
        guard cursor == nil, let p = persistence, ContinuousClock.now - lastSave >= p.interval, stateWriter.isIdle else { return }
        lastSave = ContinuousClock.now
        cursor = engine.beginSnapshot()
    }

    /// Copies one slice of the snapshot in progress; hands it to the writer once complete.
    private func continueSave() {
        guard var c = cursor else { return }
        let done = c.step(budget: Self.snapshotSlice)
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

    // MARK: Counters

    /// How stale the published counters may be while points arrive.
    static let publishInterval: Duration = .milliseconds(250)

    /// Publishes the counters when `force`d or due; true if it did.
    @discardableResult
    private func publish(force: Bool) -> Bool {
        let now = ContinuousClock.now
        guard force || now - lastPublish >= Self.publishInterval else { return false }
        lastPublish = now
        counters.rules = engine.statistics
        var c = counters
        c.stateSaveErrors = stateWriter.failed
        if engine.isTrackingChanges { c.changelogRecords = changelog.records }
        c.levelsRefused += router.levelsRefused
        published.set(c)
        return true
    }
}
