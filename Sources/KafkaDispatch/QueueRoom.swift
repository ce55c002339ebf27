import Locking
import Synchronization

/// Wakes senders waiting for room in librdkafka's local queue: each delivery report frees a
/// message's place, and signals here — only when someone waits, so the report path costs one
/// atomic load otherwise. A generation number closes the gap between a refused send and the wait
/// (a report in between makes the wait return at once).
final class QueueRoom: Sendable {
    /// The generation: how many reports freed room while someone waited.
    private let generation = ConditionLocked<UInt64>(0)
    private let waiters = Atomic<Int>(0)

    /// A report freed room (librdkafka's thread serving reports).
    func freed() {
        guard waiters.load(ordering: .sequentiallyConsistent) > 0 else { return }
        generation.withLock { $0 &+= 1 }
        generation.broadcast()
    }

    /// Runs `attempt` until it returns a value, waiting for a report between refusals; gives up
    /// (returns nil) once `deadline` has passed.
    func retrying<T>(until deadline: ContinuousClock.Instant, _ attempt: () -> T?) -> T? {
        waiters.add(1, ordering: .sequentiallyConsistent)
        defer { waiters.subtract(1, ordering: .sequentiallyConsistent) }
        while true {
            let seen = generation.withLock { $0 }
            if let done = attempt() { return done }
            let now = ContinuousClock.now
            guard now < deadline else { return nil }
            generation.wait(timeout: deadline - now, until: { $0 == seen }) { _, _ in }
        }
    }
}
