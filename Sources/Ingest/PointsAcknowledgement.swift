import Locking

/// Tells a source when a batch it handed over is safe: every point evaluated, and every alert
/// message the points raised durably held — written to the spool, or, for a message that could
/// not be spooled (or with no spool), acknowledged by its output or written as a dead letter.
/// A source that can replay what is not yet safe (a Kafka consumer committing offsets) waits for
/// this; UDP, TCP and HTTP pass none.
///
/// `onHeld` runs once, on whichever thread resolves the last part: the engine thread when
/// nothing had to wait, else the thread of the last delivery report. It never runs if the relay
/// stops first (the source then replays the batch).
public final class PointsAcknowledgement: Sendable {
    private struct State: Sendable {
        var evaluated = false
        /// Messages raised by the batch and not yet held.
        var pending = 0
        var done = false
    }

    private let state = Locked(State())
    private let onHeld: @Sendable () -> Void

    public init(_ onHeld: @escaping @Sendable () -> Void) { self.onHeld = onHeld }

    /// A message of the batch that is not held yet (the engine, before it sends the message).
    public func hold() {
        state.withLock { $0.pending += 1 }
    }

    /// A message ``hold()`` counted is now held (delivered or dead-lettered).
    public func release() {
        resolve { $0.pending -= 1 }
    }

    /// The engine has evaluated every point of the batch.
    public func evaluated() {
        resolve { $0.evaluated = true }
    }

    /// Whether `onHeld` has run.
    public var isHeld: Bool { state.withLock { $0.done } }

    private func resolve(_ change: (inout State) -> Void) {
        let fire = state.withLock { s in
            change(&s)
            precondition(s.pending >= 0, "a points acknowledgement was released more often than held")
            guard s.evaluated, s.pending == 0, !s.done else { return false }
            s.done = true
            return true
        }
        if fire { onHeld() }
    }
}
