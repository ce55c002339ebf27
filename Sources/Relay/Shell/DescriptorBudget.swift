#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit, and how many connections each stream listener may hold within
/// it so that the spool, the Kafka sockets, the state file and `/health` always find a descriptor.
enum DescriptorBudget {
    /// Descriptors kept out of the listeners' share: the spool's segments, librdkafka's sockets
    /// and pipes, log and state files, the admin endpoints' own connections.
    static let reserved = 64

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (as Go's runtime and systemd services do;
    /// the soft default of 1024 is a relic of `select`). Returns the limit now in force.
    @discardableResult
    static func raiseSoftLimit() -> (before: UInt64, now: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (before, before) }
        return (before, UInt64(limit.rlim_max))
    }

    /// The soft open-file limit now.
    static var softLimit: UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return UInt64.max }
        return UInt64(limit.rlim_cur)
    }

    /// Connections each of `streamListeners` TCP/HTTP listeners may hold: an equal part of what
    /// the limit leaves after ``reserved`` (at least 8).
    static func connectionShare(streamListeners: Int) -> Int {
        let usable = softLimit > UInt64(reserved) ? softLimit - UInt64(reserved) : 0
        return max(8, Int(clamping: usable / UInt64(max(1, streamListeners))))
    }
}
