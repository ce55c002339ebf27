import Synchronization

/// What the systemd watchdog reads to tell a live engine thread from a stuck one: the engine
/// counts each turn of its loop, and marks the waits it makes on purpose (for room in a full
/// librdkafka queue or spool — each bounded, and the reason points back up to the sockets).
/// Stuck means neither: no turn since the last look although work was posted, and not in such
/// a wait (a rule that loops, a deadlock).
final class EngineLiveness: Sendable {
    private let turns = Atomic<UInt64>(0)
    private let waits = Atomic<Int>(0)

    /// One turn of the engine loop (engine thread).
    func turned() { turns.add(1, ordering: .relaxed) }

    /// Runs `body`, a bounded wait for room, marked as one (engine thread).
    func waitingForRoom<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        waits.add(1, ordering: .relaxed)
        defer { waits.subtract(1, ordering: .relaxed) }
        return try body()
    }

    /// Turns so far, and whether the engine is in a wait for room now.
    var state: (turns: UInt64, waitingForRoom: Bool) {
        (turns.load(ordering: .relaxed), waits.load(ordering: .relaxed) > 0)
    }
}
