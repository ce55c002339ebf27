import Synchronization

/// Counters of one listener, safe to read from any thread.
public final class ListenerStatistics: Sendable {
    /// The listener's name, e.g. `udp:127.0.0.1:8089`.
    public let name: String
    let datagrams = Atomic<UInt64>(0)
    let bytes = Atomic<UInt64>(0)
    let accepted = Atomic<UInt64>(0)
    let rejected = Atomic<UInt64>(0)
    let dropped = Atomic<UInt64>(0)

    init(name: String) { self.name = name }

    /// A copy of the counters.
    public var snapshot: Snapshot {
        Snapshot(messages: datagrams.load(ordering: .relaxed), bytes: bytes.load(ordering: .relaxed),
                 pointsAccepted: accepted.load(ordering: .relaxed), linesRejected: rejected.load(ordering: .relaxed),
                 pointsDropped: dropped.load(ordering: .relaxed))
    }

    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Datagrams (UDP), reads (TCP) or requests (HTTP).
        public var messages: UInt64
        /// Bytes received.
        public var bytes: UInt64
        /// Points parsed and handed to the pipeline.
        public var pointsAccepted: UInt64
        /// Lines rejected by the parser (or too long).
        public var linesRejected: UInt64
        /// Points parsed but dropped because the pipeline was full (UDP only).
        public var pointsDropped: UInt64

        /// Counts as given.
        public init(messages: UInt64, bytes: UInt64, pointsAccepted: UInt64, linesRejected: UInt64, pointsDropped: UInt64) {
            self.messages = messages
            self.bytes = bytes
            self.pointsAccepted = pointsAccepted
            self.linesRejected = linesRejected
            self.pointsDropped = pointsDropped
        }
    }
}
