import Logging

/// The changelog writer's error lines, at most one per kind of failure every ``interval``: a
/// changelog that cannot take records (a partition it lacks, a topic the broker refuses) fails
/// every record of every flush, and a line per record cost the writer's thread more than the
/// records themselves. Every failure is still counted (`recordsFailed`); each line says how many
/// of its kind were not logged since the last. Writer thread only.
struct ChangelogFailureLog {
    static let interval = Duration.seconds(10)

    private var last: [String: ContinuousClock.Instant] = [:]
    private var unlogged: [String: Int] = [:]

    /// Logs `message` with `metadata` unless a line of the same message was logged within the interval.
    mutating func error(_ message: String, _ metadata: Logger.Metadata, to logger: Logger, now: ContinuousClock.Instant = .now) {
        if let t = last[message], now - t < Self.interval {
            unlogged[message, default: 0] += 1
            return
        }
        last[message] = now
        var m = metadata
        if let n = unlogged.removeValue(forKey: message) { m["unlogged-since-last"] = .stringConvertible(n) }
        logger.error(Logger.Message(stringLiteral: message), metadata: m)
    }
}
