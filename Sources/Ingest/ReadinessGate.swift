import Locking

/// Reasons the relay is not ready yet that sources hold and drop (a Kafka consumer until its first
/// assignment was restored, a restore of changelog state): `/ready` fails while any is held and
/// names them.
///
/// ```swift
/// let token = gate.hold("restoring partitions telegraf[0,3]")
/// defer { gate.release(token) }
/// ```
public final class ReadinessGate: Sendable {
    /// A held reason, to be released once.
    public struct Token: Hashable, Sendable {
        fileprivate let id: UInt64
    }

    private struct State: Sendable {
        var next: UInt64 = 0
        var held: [UInt64: String] = [:]
    }

    private let state = Locked(State())

    /// A gate with nothing held (ready).
    public init() {}

    /// Holds the relay not ready for `reason` until ``release(_:)``.
    public func hold(_ reason: String) -> Token {
        state.withLock { s in
            s.next += 1
            s.held[s.next] = reason
            return Token(id: s.next)
        }
    }

    /// Drops a reason ``hold(_:)`` gave (again: nothing).
    public func release(_ token: Token) {
        state.withLock { _ = $0.held.removeValue(forKey: token.id) }
    }

    /// What holds the relay not ready, oldest first (empty: ready).
    public var reasons: [String] {
        state.withLock { s in s.held.sorted { $0.key < $1.key }.map(\.value) }
    }
}
