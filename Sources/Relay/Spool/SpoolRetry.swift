import Ingest
import Dispatch
import KafkaDispatch
import Locking

/// With a spool, records (Kafka messages, posts, tcp lines) whose delivery does not succeed in time (`message-timeout`, brokers
/// down) or fails for a reason that may pass stay spooled and are sent again, with back-off,
/// until delivered or older than `[spool] max-age`.
///
/// Per-key order. If librdkafka timed messages out itself, it would fail the oldest of a partition
/// while later ones are still queued behind it, and, if the brokers came back just then, send those
/// later ones at once: the re-sent message would land after them. So with a spool librdkafka never
/// times a message out (its `message.timeout.ms` is 0, see ``librdkafkaProperties``); this type
/// keeps `message-timeout` instead. When the oldest message a cluster has in librdkafka is older
/// than that, or a delivery fails for a reason that may pass, the cluster is *held*:
///
/// 1. the engine purges librdkafka's queue: what was not yet transmitted comes back
///    (`_PURGE_QUEUE`) and waits here; what is in flight to a broker stays with librdkafka, and
///    since librdkafka sends each partition's messages in order, everything that stays is older
///    than everything purged from the same partition;
/// 2. new messages wait here too, instead of going to librdkafka;
/// 3. once librdkafka has reported every message it kept (delivered, or failed and waiting here),
///    and after the back-off, everything waiting is sent again in the order the engine first sent
///    it, and the hold ends.
///
/// So a key's messages reach the topic in their original order, and none twice because of a
/// re-send (purged messages were never transmitted). Thread-safe: reports arrive on librdkafka's
/// threads, sends happen on the engine thread, time-outs on a timer.
public final class SpoolRetry: Sendable {
    /// The librdkafka properties a cluster's producer needs when its messages are spooled.
    public static let librdkafkaProperties = [RdKafkaProperty("message.timeout.ms", "0")]

    /// A message waiting to be sent again.
    struct Pending: Sendable {
        /// The engine's send order (per process): the order the re-send keeps.
        var order: UInt64
        /// Its spool record (read back for the re-send), or nil when it could not be spooled.
        var id: SpoolID?
        /// The record itself when it is not spooled (kept in memory instead).
        var record: OutputRecord?
        /// When its point arrived (`DispatchTime` nanoseconds): `max-age` counts from here.
        var receivedAt: UInt64
        /// Why it last failed, for the dead letter if it expires.
        var lastError: String?
        /// The acknowledgement it holds (a message that could not be spooled).
        var acknowledgement: PointsAcknowledgement?
    }

    /// Work the engine thread must do for a cluster: purge librdkafka's queue (so nothing queued
    /// can overtake a message that waits here), or send again what waits here.
    enum Work: Sendable, Equatable {
        case purge(output: String)
        case resend(output: String)
    }

    private struct ClusterState {
        /// Send time (`DispatchTime` nanoseconds) of each message in librdkafka, by send order.
        var flight: [UInt64: UInt64] = [:]
        /// Send orders in the order sent; entries no longer in `flight` are skipped lazily.
        var flightOrder: [UInt64] = []
        var flightHead = 0
        /// The cluster's `message-timeout`.
        var timeout: Duration = .seconds(300)
        var timerArmed = false
        var held = false
        var waiting: [Pending] = []
        /// Re-sends since the last acknowledgement (the back-off's exponent).
        var attempt = 0
        var resendScheduled = false

        /// The send time of the oldest message still in librdkafka.
        mutating func oldestInFlight() -> UInt64? {
            while flightHead < flightOrder.count {
                if let sent = flight[flightOrder[flightHead]] { return sent }
                flightHead += 1
            }
            flightOrder.removeAll(keepingCapacity: true)
            flightHead = 0
            return nil
        }

        /// Counts `p` in flight since `now` (true), or keeps it for the re-send when held (false);
        /// the duration is the timer to arm, when none is.
        mutating func admit(_ p: Pending, at now: UInt64, timeout: Duration) -> (Bool, Duration?) {
            if held {
                waiting.append(p)
                return (false, nil)
            }
            flight[p.order] = now
            flightOrder.append(p.order)
            self.timeout = timeout
            guard !timerArmed else { return (true, nil) }
            timerArmed = true
            return (true, timeout)
        }

        /// Forgets message `order` (reported); the send-order list is trimmed as its head completes,
        /// so it stays as long as what is in flight, not as long as what was ever sent.
        mutating func landed(_ order: UInt64) {
            flight[order] = nil
            guard flightHead < flightOrder.count, flightOrder[flightHead] == order else { return }
            _ = oldestInFlight()
            if flightHead > 1024 && flightHead * 2 > flightOrder.count {
                flightOrder.removeFirst(flightHead)
                flightHead = 0
            }
        }
    }

    private struct State {
        var clusters: [String: ClusterState] = [:]
        var resent: UInt64 = 0
        var expired: UInt64 = 0
        var timedOut: UInt64 = 0
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
    /// Times a cluster's oldest message in librdkafka outlived `message-timeout`.
    public var timeouts: UInt64 { state.withLock { $0.timedOut } }
    /// Records waiting to be sent again, per output.
    public var waiting: [String: Int] { state.withLock { $0.clusters.mapValues { $0.waiting.count } } }

    /// Before the engine sends `p` to `cluster`: true to send it now (counted in flight, timed
    /// against `timeout`); false when the cluster is held (`p` waits here for the re-send).
    func admit(_ p: Pending, output: String, timeout: Duration) -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        // Changed in place: a copy of the cluster's state would copy its in-flight tables, once
        // per message sent.
        let (admitted, arm) = state.withLock { s in
            s.clusters[output, default: ClusterState()].admit(p, at: now, timeout: timeout)
        }
        if let arm { armTimer(output, after: arm) }
        return admitted
    }

    /// An admitted message was acknowledged.
    func delivered(output: String, order: UInt64) {
        state.withLock { s in
            s.clusters[output]?.landed(order)
            s.clusters[output]?.attempt = 0
            settle(&s, output)
        }
    }

    /// Admitted messages were acknowledged (one delivery event's worth), under one lock.
    func delivered(output: String, orders: [UInt64]) {
        state.withLock { s in
            guard s.clusters[output] != nil else { return }
            for order in orders { s.clusters[output]?.landed(order) }
            s.clusters[output]?.attempt = 0
            settle(&s, output)
        }
    }

    /// An admitted message will not be sent again (a permanent failure, handed to the dead letters).
    func abandoned(output: String, order: UInt64) {
        state.withLock { s in
            s.clusters[output]?.landed(order)
            settle(&s, output)
        }
    }

    /// An admitted message failed for a reason that may pass (purged, refused for now): it waits
    /// for the re-send, and the cluster is held.
    func failed(_ p: Pending, output: String) {
        let purge = state.withLock { s -> Bool in
            var c = s.clusters[output, default: ClusterState()]
            c.landed(p.order)
            c.waiting.append(p)
            let first = !c.held
            c.held = true
            s.clusters[output] = c
            settle(&s, output)
            return first
        }
        if purge { dispatch(.purge(output: output)) }
    }

    /// The messages to send again now, in their first send order; ends the hold. Called by the
    /// engine thread when a scheduled ``Work/resend(output:)`` is due.
    func takeResend(output: String) -> [Pending] {
        state.withLock { s in
            guard var c = s.clusters[output] else { return [] }
            c.resendScheduled = false
            guard c.held, c.flight.isEmpty else {
                s.clusters[output] = c
                return []
            }
            c.held = false
            c.attempt += 1
            let batch = c.waiting.sorted { $0.order < $1.order }
            c.waiting = []
            s.clusters[output] = c
            s.resent += UInt64(batch.count)
            return batch
        }
    }

    /// Counts a message given up after `max-age`.
    func countExpired() { state.withLock { $0.expired += 1 } }

    /// Checks the cluster's oldest message in librdkafka against `message-timeout`: past it, the
    /// cluster is held and the queue purged; otherwise the check comes back when it would be.
    private func armTimer(_ output: String, after delay: Duration) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(max(delay, .milliseconds(1)).nanoseconds))) { [self] in
            let (purge, again): (Bool, Duration?) = state.withLock { s in
                guard var c = s.clusters[output] else { return (false, nil) }
                defer { s.clusters[output] = c }
                guard let oldest = c.oldestInFlight() else {
                    c.timerArmed = false
                    return (false, nil)
                }
                let age = Duration.nanoseconds(Int64(clamping: DispatchTime.now().uptimeNanoseconds &- oldest))
                if age < c.timeout { return (false, c.timeout - age) }
                // Held, nothing new goes to librdkafka; what stays there is older than what the
                // purge returns, and the re-send waits for it. The next admit arms the timer again.
                c.timerArmed = false
                guard !c.held else { return (false, nil) }
                c.held = true
                s.timedOut += 1
                return (true, nil)
            }
            if purge { dispatch(.purge(output: output)) }
            if let again { armTimer(output, after: again) }
        }
    }

    /// Schedules the re-send once a held cluster has nothing left in librdkafka (every message
    /// there has reported, so nothing sent before the hold can still overtake the re-send).
    private func settle(_ s: inout State, _ output: String) {
        guard var c = s.clusters[output], c.held, c.flight.isEmpty, !c.resendScheduled else { return }
        c.resendScheduled = true
        let delay = min(maxDelay, baseDelay * (1 << min(c.attempt, 20)))
        s.clusters[output] = c
        let h = handler.withLock { $0 }
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay.nanoseconds))) {
            h?(.resend(output: output))
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
