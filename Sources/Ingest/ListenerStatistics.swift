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
    /// Stream listeners: connections open now, closed at once over `max-connections`, closed
    /// idle, and accept failures (descriptors: EMFILE/ENFILE, the open-file limit reached).
    let openConnections = Atomic<Int>(0)
    let refusedConnections = Atomic<UInt64>(0)
    let idleClosed = Atomic<UInt64>(0)
    let descriptorErrors = Atomic<UInt64>(0)
    let acceptErrors = Atomic<UInt64>(0)

    init(name: String) { self.name = name }

    /// Connections open now (stream listeners).
    public var connections: Int { openConnections.load(ordering: .relaxed) }

    /// A copy of the counters.
    public var snapshot: Snapshot {
        Snapshot(messages: datagrams.load(ordering: .relaxed), bytes: bytes.load(ordering: .relaxed),
                 pointsAccepted: accepted.load(ordering: .relaxed), linesRejected: rejected.load(ordering: .relaxed),
                 pointsDropped: dropped.load(ordering: .relaxed), connectionsRefused: refusedConnections.load(ordering: .relaxed),
                 connectionsIdleClosed: idleClosed.load(ordering: .relaxed), descriptorErrors: descriptorErrors.load(ordering: .relaxed),
                 acceptErrors: acceptErrors.load(ordering: .relaxed))
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

        /// Connections closed at once because `max-connections` were open.
        public var connectionsRefused: UInt64
        /// Connections closed after `idle-timeout` (or `read-header-timeout`) without a byte or request.
        public var connectionsIdleClosed: UInt64
        /// Accepts that failed because the process had no file descriptor left (EMFILE, ENFILE).
        public var descriptorErrors: UInt64
        /// Accepts that failed otherwise.
        public var acceptErrors: UInt64

        /// Counts as given.
        public init(messages: UInt64, bytes: UInt64, pointsAccepted: UInt64, linesRejected: UInt64, pointsDropped: UInt64,
                    connectionsRefused: UInt64 = 0, connectionsIdleClosed: UInt64 = 0, descriptorErrors: UInt64 = 0, acceptErrors: UInt64 = 0) {
            self.messages = messages
            self.bytes = bytes
            self.pointsAccepted = pointsAccepted
            self.linesRejected = linesRejected
            self.pointsDropped = pointsDropped
            self.connectionsRefused = connectionsRefused
            self.connectionsIdleClosed = connectionsIdleClosed
            self.descriptorErrors = descriptorErrors
            self.acceptErrors = acceptErrors
        }
    }
}
