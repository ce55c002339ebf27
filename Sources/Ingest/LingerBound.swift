/// How long a thread reading UDP sockets may linger — sleep without reading them, so that the
/// datagrams of that time are read with one wake-up — before the datagrams arriving meanwhile
/// could overflow a socket's receive buffer. Lingering trades latency for CPU, but a kernel drop
/// would lose a datagram, so the bound is measured, not assumed:
///
/// - Each read starts by looking at the kernel memory its sockets' queued datagrams take
///   (`SO_MEMINFO`, their buffers' true size against `SO_RCVBUF`: what the kernel compares
///   before it drops). That fill over the time since the sockets were last read empty is the
///   arrival rate; the next linger is as long as it takes that rate to fill ``targetFill`` of the
///   buffer (feedback: a faster rate shortens the next linger, a slower one lengthens it), at
///   most the configured cap (`[relay] udp-linger`).
/// - A linger shorter than ``shortest`` is not taken: the reads go on as datagrams come. Below
///   that it would gain a few datagrams per wake-up at most, its checks and `poll`'s whole
///   milliseconds would be a large part of it, and a rate that allows no longer linger fills the
///   buffer fast enough that sleeping at all is the risk (a small `read-buffer`, or a rate near
///   what the engine reads).
/// - While lingering the thread looks at the fill every ``DatagramPoller/checkInterval`` and ends
///   the linger at ``stopFill``, so a rate that rises within a linger is caught before the buffer
///   is full.
/// - Never while behind: a read that did not empty its sockets, found them more than
///   ``stopFill`` full, or took longer than a quarter of the linger to evaluate what it read (the
///   thread is busy enough that sleeping would let the buffer fill faster than it reads) is
///   followed by the next read as datagrams come, not by a linger.
///
/// Not Sendable: owned by the reading thread (the engine's).
public struct LingerBound {
    /// The longest linger (`[relay] udp-linger`; zero: never linger).
    public var cap: Duration
    /// The fill a linger aims to end at, at the measured rate: an eighth of the buffer leaves room
    /// for a rate eight times higher within one linger.
    public static let targetFill = 0.125
    /// The fill at which a linger ends early (checked every ``DatagramPoller/checkInterval``).
    public static let stopFill = 0.25
    /// The shortest linger taken.
    public static let shortest: Duration = .milliseconds(5)

    /// Buffer fill per second (fraction of the receive buffer), as of the last read.
    private var rate = 0.0
    /// When the sockets were last read empty.
    private var emptiedAt: ContinuousClock.Instant?
    /// When a read last found datagrams.
    private var lastReadAt: ContinuousClock.Instant?
    /// When the read in progress started, and the fill it found.
    private var readStartedAt: ContinuousClock.Instant?
    private var startFill = 0.0

    public init(cap: Duration) { self.cap = cap }

    /// The linger the measured rate allows now (at most ``cap``; zero when it would be shorter
    /// than ``shortest``).
    public var allowed: Duration {
        guard cap > .zero else { return .zero }
        guard rate > 0 else { return cap }
        let seconds = Self.targetFill / rate
        let allowed = seconds >= cap.seconds ? cap : .nanoseconds(Int64(seconds * 1e9))
        return allowed < Self.shortest ? .zero : allowed
    }

    /// A read starts at `now` and its sockets hold `fill` of their buffer: the rate since they
    /// were last read empty.
    public mutating func readStarts(fill: Double, at now: ContinuousClock.Instant) {
        readStartedAt = now
        startFill = fill
        guard let emptiedAt, fill > 0 else { return }
        let elapsed = max((now - emptiedAt).seconds, 1e-6)
        rate = fill / elapsed
    }

    /// A read at `now` found `datagrams` and emptied its sockets (or not: the thread is behind).
    /// Returns whether to linger before the next read: after datagrams that came faster than one
    /// per allowed linger — several in one read, or one soon after the previous read — with the
    /// sockets empty; a rate of fewer than one datagram per linger keeps one wake-up per datagram
    /// and adds no latency.
    public mutating func readEnded(datagrams: Int, emptied: Bool, at now: ContinuousClock.Instant) -> Bool {
        guard datagrams > 0 else { return false }
        let previous = lastReadAt
        lastReadAt = now
        if emptied { emptiedAt = now }
        let allowed = self.allowed
        guard emptied, allowed > .zero, startFill < Self.stopFill else { return false }
        if let readStartedAt, (now - readStartedAt) * 4 > allowed { return false }
        if datagrams > 1 { return true }
        guard let previous else { return false }
        return now - previous < allowed
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    fileprivate var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
