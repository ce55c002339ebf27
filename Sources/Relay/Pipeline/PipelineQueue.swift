import Ingest
import Locking

/// What listeners and the shell hand the engine thread, and the only state they share with it:
/// point batches (bounded by `capacity`, in arrival order), control work (reloads, replays), the
/// spool's retry work, the listeners paused on a full queue, and the stop request. Everything is
/// behind one lock; the engine thread sleeps on its condition until work arrives or a timer it
/// asked for passes. (Only the engine and a draining shell wait on the condition; every change
/// broadcasts, so neither can take the other's wake-up.)
final class PipelineQueue: Sendable {
    struct State: Sendable {
        var capacity: Int
        var batches: [PointBatch] = []
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

        var hasWork: Bool { head < batches.count || !controls.isEmpty || !retryWork.isEmpty || stopping }

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
    }

    private let state: ConditionLocked<State>

    init(capacity: Int) { state = ConditionLocked(State(capacity: capacity)) }

    /// Points the queue holds at most.
    var capacity: Int { state.withLock { $0.capacity } }
    /// Points queued now.
    var queuedPoints: Int { state.withLock { $0.queued } }

    /// Takes `batch` if there is room (listeners' threads).
    func offer(_ batch: PointBatch) -> Bool {
        let n = batch.points.count
        let taken = state.withLock { s -> Bool in
            if s.stopping { return false }
            if s.queued > 0 && s.queued + n > s.capacity { return false }
            s.batches.append(batch)
            s.queued += n
            return true
        }
        if taken { state.broadcast() }
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

    /// Runs `control` on the engine thread between two batches.
    func post(_ control: @escaping @Sendable (EngineLoop) -> Void) {
        state.withLock { $0.controls.append(control) }
        state.broadcast()
    }

    /// Queues retry work (once) and wakes the engine.
    func schedule(_ work: SpoolRetry.Work) {
        state.withLock { s in if !s.retryWork.contains(work) { s.retryWork.append(work) } }
        state.broadcast()
    }

    /// The retry work queued now (the engine, while it waits for room in a full spool).
    func takeRetryWork() -> [SpoolRetry.Work] {
        state.withLock { s in
            defer { s.retryWork.removeAll() }
            return s.retryWork
        }
    }

    /// The engine's next turn: every control and retry work queued, and the next batch; sleeps
    /// first while nothing is queued, as `wait` allows.
    func take(_ wait: Wait) -> Work {
        let blocked: (State) -> Bool
        var timeout: Duration?
        switch wait {
        case .no: blocked = { _ in false }
        case .atMost(let d):
            blocked = { !$0.hasWork }
            timeout = d
        case .untilWork: blocked = { !$0.hasWork }
        }
        return state.wait(timeout: timeout, until: blocked) { s, _ in
            var w = Work()
            w.controls = s.controls
            s.controls.removeAll()
            w.retry = s.retryWork
            s.retryWork.removeAll()
            if s.head < s.batches.count {
                w.batch = s.batches[s.head]
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
    }

    /// The engine evaluated a batch of `points`: room for more; listeners that now fit resume.
    func evaluated(_ points: Int) {
        let resumable = state.withLock { s in
            s.queued -= points
            return s.takeResumable()
        }
        for r in resumable { r() }
    }

    /// The engine's loop ended (after its last save).
    func markFinished() {
        state.withLock { $0.finished = true }
        state.broadcast()
    }

    /// Stops taking points; waits until the engine evaluated what is queued and finished, at most
    /// `timeout`; true if it finished.
    func drain(timeout: Duration) -> Bool {
        state.withLock { s in
            s.stopping = true
            s.roomWaiters.removeAll()  // paused listeners stay paused: nothing more is taken
        }
        state.broadcast()
        return state.wait(timeout: timeout, until: { !$0.finished }) { s, _ in s.finished }
    }
}
