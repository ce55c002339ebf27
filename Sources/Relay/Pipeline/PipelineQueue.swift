import Ingest
import Locking

/// What listeners and the shell hand the engine thread, and the only state they share with it:
/// point batches (bounded by `capacity`, in arrival order), control work (reloads, replays, UDP
/// sockets to read or to stop reading), the spool's retry work, the listeners paused on a full
/// queue, and the stop request. Everything is behind one lock.
///
/// The engine thread sleeps in `poll` on its UDP sockets and ``wake`` (``take(_:poller:)``),
/// not on the condition: it reads datagrams itself, so a datagram costs one wake-up. Whoever
/// queues work writes ``wake`` only when the engine is asleep (or about to be) and no one has
/// written it since — one write per idle-to-busy change, not one per batch. The condition is
/// for a draining shell waiting until the engine finished.
final class PipelineQueue: Sendable {
    struct State: Sendable {
        var capacity: Int
        /// Queued batches from `head` on; a taken batch's slot is emptied at once, so the queue
        /// holds no point after the engine took it (it kept up to 1,024 taken batches' points
        /// alive until the array was compacted: a whole benchmark's input at 5,000-point batches).
        var batches: [PointBatch?] = []
        var head = 0
        var queued = 0
        var controls: [@Sendable (EngineLoop) -> Void] = []
        /// Purges and re-sends ``SpoolRetry`` asks for (run between batches, and while the engine
        /// waits for room in a full spool, where the re-send may be what frees it).
        var retryWork: [SpoolRetry.Work] = []
        /// Listeners paused on a full queue, with the size of the batch each holds.
        var roomWaiters: [(points: Int, resume: @Sendable () -> Void)] = []
        var stopping = false
        var finished = false
        /// The engine found nothing to do and sleeps (or is about to) in `poll`.
        var sleeping = false
        /// ``wake`` was written since the engine went to sleep.
        var signaled = false

        /// Whether the caller, having just queued work, must write ``wake`` (after unlocking).
        mutating func needsWake() -> Bool {
            guard sleeping && !signaled else { return false }
            signaled = true
            return true
        }

        /// Whether a paused listener's batch of `points` should be offered again: at the low
        /// watermark, so that a full queue resumes its readers once per half-queue drained, not
        /// once per batch.
        func hasRoom(for points: Int) -> Bool {
            queued == 0 || (queued + points <= capacity && queued <= capacity / 2)
        }

        /// The paused listeners whose batch now fits (the caller resumes them after unlocking).
        mutating func takeResumable() -> [@Sendable () -> Void] {
            guard !roomWaiters.isEmpty, !stopping else { return [] }
            var ready: [@Sendable () -> Void] = []
            var still: [(points: Int, resume: @Sendable () -> Void)] = []
            for w in roomWaiters {
                if hasRoom(for: w.points) { ready.append(w.resume) } else { still.append(w) }
            }
            roomWaiters = still
            return ready
        }
    }

    /// What one turn of the engine loop takes.
    struct Work {
        var controls: [@Sendable (EngineLoop) -> Void] = []
        var retry: [SpoolRetry.Work] = []
        var batch: PointBatch?
        /// Stopping, and nothing is left: the loop's last turn.
        var stop = false
        var isEmpty: Bool { controls.isEmpty && retry.isEmpty && batch == nil && !stop }
    }

    /// How long the engine may sleep when nothing is queued.
    enum Wait {
        case no
        case atMost(Duration)
        case untilWork
        /// Sleeps this long without reading the UDP sockets (work queued meanwhile still wakes it):
        /// the datagrams of that time are then read in one turn (``EngineLoop/udpLinger``).
        case linger(Duration)
    }

    private let state: ConditionLocked<State>
    /// What the engine polls beside its sockets, written when work arrives while it sleeps.
    let wake = WakeSignal()

    init(capacity: Int) { state = ConditionLocked(State(capacity: capacity)) }

    /// Points the queue holds at most.
    var capacity: Int { state.withLock { $0.capacity } }
    /// Points queued now.
    var queuedPoints: Int { state.withLock { $0.queued } }

    /// Takes `batch` if there is room (listeners' threads).
    func offer(_ batch: PointBatch) -> Bool {
        let n = batch.points.count
        let (taken, wakes) = state.withLock { s -> (Bool, Bool) in
            if s.stopping { return (false, false) }
            if s.queued > 0 && s.queued + n > s.capacity { return (false, false) }
            s.batches.append(batch)
            s.queued += n
            return (true, s.needsWake())
        }
        if wakes { wake.signal() }
        return taken
    }

    /// See ``PointSink/whenRoom(for:_:)``.
    func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool? in
            if s.stopping { return nil }
            if s.hasRoom(for: points) { return true }
            s.roomWaiters.append((points, resume))
            return false
        }
        if now == true { resume() }
    }

    /// Changes the capacity at once (a reload); listeners that now fit resume.
    func setCapacity(_ capacity: Int) {
        let resumable = state.withLock { s in
            s.capacity = capacity
            return s.takeResumable()
        }
        for r in resumable { r() }
    }

    /// Runs `control` on the engine thread between two batches; false (and `control` never
    /// runs) once the engine's loop has ended.
    @discardableResult
    func post(_ control: @escaping @Sendable (EngineLoop) -> Void) -> Bool {
        let (queued, wakes) = state.withLock { s -> (Bool, Bool) in
            if s.finished { return (false, false) }
            s.controls.append(control)
            return (true, s.needsWake())
        }
        if wakes { wake.signal() }
        return queued
    }

    /// Queues retry work (once) and wakes the engine.
    func schedule(_ work: SpoolRetry.Work) {
        let wakes = state.withLock { s -> Bool in
            if !s.retryWork.contains(work) { s.retryWork.append(work) }
            return s.needsWake()
        }
        if wakes { wake.signal() }
    }

    /// The retry work queued now (the engine, while it waits for room in a full spool).
    func takeRetryWork() -> [SpoolRetry.Work] {
        state.withLock { s in
            defer { s.retryWork.removeAll() }
            return s.retryWork
        }
    }

    /// The engine's next turn: every control and retry work queued, and the next batch. While
    /// nothing is queued it first sleeps in `poller`'s `poll` as `wait` allows — until work is
    /// queued (``wake``), a UDP socket is readable or the timeout passes — and returns what is
    /// queued then (perhaps nothing: the turn reads the sockets or runs its timers). With work
    /// queued it only looks whether a socket became readable, so that neither a flood of queued
    /// batches hides the UDP sockets nor the reverse.
    func take(_ wait: Wait, poller: DatagramPoller) -> Work {
        var timeout: Duration?
        var sleeps = true
        var linger = false
        switch wait {
        case .no: sleeps = false
        case .atMost(let d): timeout = d
        case .untilWork: break
        case .linger(let d):
            timeout = d
            linger = true
        }
        let work = state.withLock { s -> Work in
            let w = Self.next(&s)
            if w.isEmpty && sleeps { s.sleeping = true }
            return w
        }
        guard work.isEmpty && sleeps else {
            if !poller.isEmpty { poller.wait(timeout: .zero) }
            return work
        }
        if linger, let timeout { poller.linger(timeout: timeout, stopFill: LingerBound.stopFill) } else { poller.wait(timeout: timeout) }
        return state.withLock { s in
            s.sleeping = false
            s.signaled = false
            return Self.next(&s)
        }
    }

    /// Takes a turn's work out of `s`.
    private static func next(_ s: inout State) -> Work {
        var w = Work()
        w.controls = s.controls
        s.controls.removeAll()
        w.retry = s.retryWork
        s.retryWork.removeAll()
        if s.head < s.batches.count {
            w.batch = s.batches[s.head]
            s.batches[s.head] = nil
            s.head += 1
            if s.head > 1024 && s.head * 2 > s.batches.count {
                s.batches.removeFirst(s.head)
                s.head = 0
            }
        } else if w.controls.isEmpty && w.retry.isEmpty && s.stopping {
            w.stop = true
        }
        return w
    }

    /// The engine evaluated a batch of `points`: room for more; listeners that now fit resume.
    func evaluated(_ points: Int) {
        let resumable = state.withLock { s in
            s.queued -= points
            return s.takeResumable()
        }
        for r in resumable { r() }
    }

    /// The engine's loop ended (after its last save). Returns the controls posted since its
    /// last turn took them, for the engine to run (a UDP listener's stop, which closes its socket).
    @discardableResult
    func markFinished() -> [@Sendable (EngineLoop) -> Void] {
        let late = state.withLock { s in
            s.finished = true
            defer { s.controls.removeAll() }
            return s.controls
        }
        state.broadcast()
        return late
    }

    /// Stops taking points; waits until the engine evaluated what is queued and finished, at most
    /// `timeout`; true if it finished.
    func drain(timeout: Duration) -> Bool {
        let wakes = state.withLock { s -> Bool in
            s.stopping = true
            s.roomWaiters.removeAll()  // paused listeners stay paused: nothing more is taken
            return s.needsWake()
        }
        if wakes { wake.signal() }
        return state.wait(timeout: timeout, until: { !$0.finished }) { s, _ in s.finished }
    }
}
