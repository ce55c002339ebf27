import GoDuration

/// `[spool]`: `dir` (empty: off) holds every Kafka message until the broker acknowledges it, so a
/// crash (SIGKILL) loses nothing: at the next start what was not acknowledged is sent again.
/// `max-size` (bytes, default 1 GiB, at least 1 MiB) and `when-full`: `block` (default; the rule
/// engine waits for acknowledgements, which fills the point queue: UDP then drops and counts,
/// TCP/HTTP wait) or `drop-oldest` (the oldest unacknowledged messages are no longer kept across a
/// crash; counted). `fsync`: `os` (default; written with every message, flushed by the OS — a
/// process crash loses nothing, a power loss may lose the last seconds) or `always` (fsync per
/// message). `max-age`: a message not delivered within it becomes a dead letter (default: kept
/// until delivered).
public struct SpoolConfig: Sendable, Equatable {
    /// `fsync`.
    public enum Fsync: String, Sendable, Equatable, CaseIterable {
        /// Written with every message, flushed by the OS.
        case os
        /// `fsync` after every message.
        case always
    }
    /// `when-full`.
    public enum WhenFull: String, Sendable, Equatable, CaseIterable {
        /// Wait for acknowledgements (nothing leaves the spool unacknowledged).
        case block
        /// Forget the oldest segment's unacknowledged messages to make room.
        case dropOldest = "drop-oldest"
    }
    public var dir = ""
    public var maxSize: Int = 1 << 30
    public var fsync = Fsync.os
    public var whenFull = WhenFull.block
    public var maxAge: GoDuration?
    public init() {}
}
