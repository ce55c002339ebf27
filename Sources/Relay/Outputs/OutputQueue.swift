import Locking
import Synchronization

/// Sequence numbers of asynchronous outputs' records, unique in the process: an output a reload
/// replaces and its successor (same identity) share the latency tracker without colliding.
private let outputSequences = Atomic<UInt64>(0)

/// The bounded queue between the engine thread and an asynchronous output's worker (post, tcp):
/// the engine pushes (never waiting unless it asks to), the worker takes one record at a time and
/// says when it is done with it. `capacity` bounds what is queued and in flight together, so a slow
/// receiver fills it and the engine waits in ``pushBlocking(_:waitingUpTo:)`` — backpressure, not
/// loss. One lock guards the state; the engine waits on its condition, the worker on a
/// continuation the next push resumes.
final class OutputQueue: Sendable {
    struct Item: Sendable {
        var sequence: UInt64
        var record: OutputRecord
        var queuedAt: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var items: [Item] = []
        var head = 0
        /// Queued plus the one the worker holds.
        var outstanding = 0
        var closed = false
        var waiter: CheckedContinuation<Item?, Never>?
        var statistics = OutputStatistics()

        mutating func pop() -> Item? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    let capacity: Int
    private let state = ConditionLocked(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Queues `record`; throws when full or closed.
    func push(_ record: OutputRecord) throws(OutputSendError) -> UInt64 {
        let (result, wake): (Result<UInt64, OutputSendError>, (CheckedContinuation<Item?, Never>, Item)?) = state.withLock { s in
            if s.closed { return (.failure(.closed), nil) }
            if s.outstanding >= capacity { return (.failure(.queueFull), nil) }
            s.outstanding += 1
            s.statistics.sent += 1
            let item = Item(sequence: outputSequences.add(1, ordering: .relaxed).newValue, record: record, queuedAt: .now)
            if let w = s.waiter {
                s.waiter = nil
                return (.success(item.sequence), (w, item))
            }
            s.items.append(item)
            return (.success(item.sequence), nil)
        }
        if let (w, item) = wake { w.resume(returning: item) }
        return try result.get()
    }

    /// Queues `record`, waiting up to `timeout` for room.
    func pushBlocking(_ record: OutputRecord, waitingUpTo timeout: Duration) throws(OutputSendError) -> UInt64 {
        do throws(OutputSendError) {
            return try push(record)
        } catch .queueFull {
            let deadline = ContinuousClock.now + timeout
            while true {
                let left = deadline - .now
                let room = state.wait(timeout: left, until: { $0.outstanding >= capacity && !$0.closed }) { _, timedOut in !timedOut }
                if !room { throw .queueFull }
                do throws(OutputSendError) { return try push(record) } catch .queueFull { continue }
            }
        }
    }

    /// The next record for the worker; nil once closed (what is still queued is left for
    /// ``drainClosed()``).
    func next() async -> Item? {
        await withCheckedContinuation { (c: CheckedContinuation<Item?, Never>) in
            let now: Item?? = state.withLock { s in
                if s.closed { return .some(nil) }
                if let item = s.pop() { return .some(item) }
                s.waiter = c
                return .none
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// The worker finished an item (`delivered` or not).
    func done(delivered: Bool) {
        state.withLock { s in
            s.outstanding -= 1
            if delivered { s.statistics.delivered += 1 } else { s.statistics.failed += 1 }
        }
        state.broadcast()
    }

    /// Removes what is queued but not taken by the worker (each is then reported by the caller).
    func purge() -> [Item] {
        let taken: [Item] = state.withLock { s in
            let rest = Array(s.items[s.head...])
            s.items = []
            s.head = 0
            s.outstanding -= rest.count
            s.statistics.failed += UInt64(rest.count)
            return rest
        }
        state.broadcast()
        return taken
    }

    /// Stops the worker (its `next()` returns nil) and wakes the engine's waits.
    func close() {
        let w: CheckedContinuation<Item?, Never>? = state.withLock { s in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume(returning: nil)
        state.broadcast()
    }

    var isClosed: Bool { state.withLock { $0.closed } }
    var outstanding: Int { state.withLock { $0.outstanding } }
    var statistics: OutputStatistics { state.withLock { $0.statistics } }

    /// Waits until nothing is outstanding, up to `timeout`.
    func waitEmpty(timeout: Duration) -> Bool {
        state.wait(timeout: timeout, until: { $0.outstanding > 0 }) { _, timedOut in !timedOut }
    }
}
