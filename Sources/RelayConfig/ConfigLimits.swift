import GoDuration

/// The accepted range of every size and duration option outside `[[kafka]]` (whose ranges are
/// librdkafka's, checked by `KafkaClusterConfig.problems()`). A value outside its range is a
/// load error at its line: a range keeps a typo (`"1ns"`, `"-5s"`, an extra zero) from turning
/// into a busy loop, a lost queue or a buffer the machine cannot hold.
enum Limits {
    /// `[[udp]] read-buffer`: 0 (the kernel's default) to 2 GiB.
    static let readBuffer = 0...(Int(Int32.max))
    /// `[[tcp]] max-line-length`: 1 byte to 64 MiB.
    static let maxLineLength = 1...(64 << 20)
    /// `[http] max-body-size`: 1 byte to 1 GiB.
    static let maxBodySize = 1...(1 << 30)
    /// `[relay] queue-size`: 1 to 10 million points.
    static let queueSize = 1...10_000_000
    /// `[spool] max-size`: 1 MiB to 1 TiB.
    static let spoolMaxSize = (1 << 20)...(1 << 40)
    /// `[relay] state-interval`: 1s to 24h (each save writes every group).
    static let stateInterval = GoDuration.second...GoDuration(nanoseconds: 24 * GoDuration.hour.nanoseconds)
    /// `[relay] max-groups` and `max-groups-per-rule`: 1 to 100 million groups.
    static let maxGroups = 1...100_000_000
    /// `[relay] udp-linger`: 0 (off) to 1s (it is added to UDP points' latency).
    static let udpLinger = GoDuration.zero...GoDuration.second
    /// `[relay] group-expiry`: 0 (never) to 8760h (a year).
    static let groupExpiry = GoDuration.zero...GoDuration(nanoseconds: 8760 * GoDuration.hour.nanoseconds)
    /// `[[tcp]]` and `[http]` `max-connections`: 1 to a million.
    static let maxConnections = 1...1_000_000
    /// `[[tcp]]` and `[http]` `idle-timeout` and `[http] read-header-timeout`: 0 (none) to 24h.
    static let connectionTimeout = GoDuration.zero...GoDuration(nanoseconds: 24 * GoDuration.hour.nanoseconds)
    /// `[relay] shutdown-timeout`: 1s to 1h (the time SIGTERM gives queued points and deliveries).
    static let shutdownTimeout = GoDuration.second...GoDuration.hour
    /// `[[kafka-consumer]] changelog-flush-interval`: 10ms (each flush writes every changed group
    /// of the partition) to 1m (offset commits wait for the flush).
    static let changelogFlushInterval = GoDuration(nanoseconds: 10_000_000)...GoDuration(nanoseconds: 60 * GoDuration.second.nanoseconds)
    /// `[[kafka-consumer]] revoke-timeout`: 1s to 10m (the consumer's poll thread waits meanwhile).
    static let revokeTimeout = GoDuration.second...GoDuration(nanoseconds: 600 * GoDuration.second.nanoseconds)
}
