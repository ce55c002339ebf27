import Dispatch
import KafkaDispatch
import Locking

/// With a spool, Kafka messages whose delivery failed for a reason that may pass (librdkafka's
/// `message-timeout` ran out, the brokers were down, the queue was purged) stay spooled and are
/// sent again, with back-off, until delivered or older than `[spool] max-age`.
///
/// Per-key order: librdkafka times messages out oldest first, so when one fails, later messages of
/// its partition are still queued behind it. Sending the failed one again would put it behind them.
/// So the first retriable failure *holds* the cluster: the engine purges librdkafka's queue (those
/// messages come back as retriable failures too) and queues its own new messages here instead of
/// sending them; once every message the cluster had in librdkafka has reported, everything held
/// is sent again in the order the engine first sent it, then the hold ends. A failure during
/// that re-send holds the cluster again. What was acknowledged stays acknowledged, so the topic
/// sees each key's messages in order (see ``SpoolRetry/Work`` for the one exception).
///
/// Thread-safe: reports arrive on librdkafka's threads, sends happen on the engine thread.
public final class SpoolRetry: Sendable {
    /// A message waiting to be sent again.
    struct Pending: Sendable {
        /// The engine's send order (per process): the order the re-send keeps.
        var order: UInt64
        /// Its spool record (read back for the re-send), or nil when it could not be spooled.
        var id: SpoolID?
        /// The message itself when it is not spooled (kept in memory instead).
        var message: KafkaMessage?
        /// When its point arrived (`DispatchTime` nanoseconds): `max-age` counts from here.
        var receivedAt: UInt64
        /// Why it last failed, for the dead letter if it expires.
        var lastError: String?
    }

    /// Work the engine thread must do for a cluster. `purge`: drop librdkafka's queued (not yet
    /// transmitted) messages so none overtakes a failed one. Messages already in flight to a broker
    /// are not purged (their outcome would be unknown, causing duplicates); if the brokers come back
    /// in the moment between a time-out and the purge, a later message of the same key can be
    /// acknowledged ahead of the re-sent one: the one case this order guarantee does not cover.
    enum Work: Sendable, Equatable {
        case purge(cluster: String)
        case resend(cluster: String)
    }

    private struct ClusterState {
        /// Messages of this cluster in librdkafka (sent, no report yet).
        var inFlight = 0
        var held = false
        var waiting: [Pending] = []
        /// Re-sends since the last acknowledgement (the back-off's exponent).
        var attempt = 0
        var resendScheduled = false
    }

    private struct State {
        var clusters: [String: ClusterState] = [:]
        var resent: UInt64 = 0
        var expired: UInt64 = 0
        var maxAge: Duration?
    }

    private let state: Locked<State>
    private let handler = Locked<(@Sendable (Work) -> Void)?>(nil)
    /// The first re-send waits `baseDelay`, each further one twice as long, up to `maxDelay`.
    let baseDelay: Duration
    let maxDelay: Duration

    /// A retry state with `max-age` (nil: messages are kept until delivered).
    public init(maxAge: Duration?, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30)) {
        state = Locked(State(maxAge: maxAge))
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Applies a reloaded `[spool] max-age`.
    public func configure(maxAge: Duration?) { state.withLock { $0.maxAge = maxAge } }

    var maxAge: Duration? { state.withLock { $0.maxAge } }

    /// Where purges and due re-sends go (the pipeline hands them to its engine thread).
    func setHandler(_ h: @escaping @Sendable (Work) -> Void) { handler.withLock { $0 = h } }

    /// Messages sent again so far.
    public var resent: UInt64 { state.withLock { $0.resent } }
    /// Messages given up after `max-age` (written as dead letters).
    public var expired: UInt64 { state.withLock { $0.expired } }
    /// Messages waiting to be sent again, per cluster.
    public var waiting: [String: Int] { state.withLock { $0.clusters.mapValues { $0.waiting.count } } }

    /// Before the engine sends `p` to `cluster`: true to send it now (counted in flight); false
    /// when the cluster is held (`p` waits here for the re-send, behind everything held before it).
    func admit(_ p: Pending, cluster: String) -> Bool {
        state.withLock { s in
            if s.clusters[cluster]?.held == true {
                s.clusters[cluster]!.waiting.append(p)
                return false
            }
            s.clusters[cluster, default: ClusterState()].inFlight += 1
            return true
        }
    }

    /// An admitted message was acknowledged.
    func delivered(cluster: String) {
        state.withLock { s in
            s.clusters[cluster, default: ClusterState()].inFlight -= 1
            s.clusters[cluster]!.attempt = 0
            settle(&s, cluster)
        }
    }

    /// An admitted message will not be sent again (a permanent failure, handed to the dead letters).
    func abandoned(cluster: String) {
        state.withLock { s in
            s.clusters[cluster, default: ClusterState()].inFlight -= 1
            settle(&s, cluster)
        }
    }

    /// An admitted message failed for a reason that may pass: it waits for the re-send, and the
    /// cluster is held (the first such failure asks the engine to purge librdkafka's queue).
    func failed(_ p: Pending, cluster: String) {
        let first = state.withLock { s -> Bool in
            var c = s.clusters[cluster, default: ClusterState()]
            c.inFlight -= 1
            c.waiting.append(p)
            let first = !c.held
            c.held = true
            s.clusters[cluster] = c
            settle(&s, cluster)
            return first
        }
        if first { dispatch(.purge(cluster: cluster)) }
    }

    /// The messages to send again now, in their first send order; ends the hold. Called by the
    /// engine thread when a scheduled ``Work/resend(cluster:)`` is due.
    func takeResend(cluster: String) -> [Pending] {
        state.withLock { s in
            guard var c = s.clusters[cluster] else { return [] }
            c.resendScheduled = false
            guard c.held, c.inFlight == 0 else {
                s.clusters[cluster] = c
                return []
            }
            c.held = false
            c.attempt += 1
            let batch = c.waiting.sorted { $0.order < $1.order }
            c.waiting = []
            s.clusters[cluster] = c
            s.resent += UInt64(batch.count)
            return batch
        }
    }

    /// Counts a message given up after `max-age`.
    func countExpired() { state.withLock { $0.expired += 1 } }

    /// Schedules the re-send once a held cluster has nothing left in librdkafka (every message
    /// there has reported, so nothing sent before the hold can still overtake the re-send).
    private func settle(_ s: inout State, _ cluster: String) {
        guard var c = s.clusters[cluster], c.held, c.inFlight <= 0, !c.resendScheduled else { return }
        c.inFlight = 0
        c.resendScheduled = true
        let delay = min(maxDelay, baseDelay * (1 << min(c.attempt, 20)))
        s.clusters[cluster] = c
        let h = handler.withLock { $0 }
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay.nanoseconds))) {
            h?(.resend(cluster: cluster))
        }
    }

    private func dispatch(_ work: Work) {
        handler.withLock { $0 }?(work)
    }
}

extension Duration {
    /// The whole nanoseconds of this duration (saturating).
    var nanoseconds: Int64 {
        let (s, atto) = components
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000 + atto / 1_000_000_000
    }
}
