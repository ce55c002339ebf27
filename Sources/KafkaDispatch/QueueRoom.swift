import Foundation
import Synchronization

/// Wakes senders waiting for room in librdkafka's local queue: each delivery report frees a
/// message's place, and signals here — only when someone waits, so the report path costs one
/// atomic load otherwise. A generation number closes the gap between a refused send and the wait
/// (a report in between makes the wait return at once).
final class QueueRoom: Sendable {
    // NSCondition is documented thread-safe; `generation` is only touched while holding it.
    private let condition = NSCondition()
    private nonisolated(unsafe) var generation: UInt64 = 0
    private let waiters = Atomic<Int>(0)

    /// A report freed room (librdkafka's thread serving reports).
    func freed() {
        guard waiters.load(ordering: .sequentiallyConsistent) > 0 else { return }
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `attempt` until it returns a value, waiting for a report between refusals; gives up
    /// (returns nil) once `deadline` has passed.
    func retrying<T>(until deadline: ContinuousClock.Instant, _ attempt: () -> T?) -> T? {
        waiters.add(1, ordering: .sequentiallyConsistent)
        defer { waiters.subtract(1, ordering: .sequentiallyConsistent) }
        while true {
            condition.lock()
            let seen = generation
            condition.unlock()
            if let done = attempt() { return done }
            let now = ContinuousClock.now
            guard now < deadline else { return nil }
            let wake = Date().addingTimeInterval(Self.seconds(deadline - now))
            condition.lock()
            while generation == seen && condition.wait(until: wake) {}
            condition.unlock()
        }
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
