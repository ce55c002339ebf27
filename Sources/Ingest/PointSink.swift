import Dispatch
import LineProtocol
import Synchronization
import Locking

/// A batch of points from one datagram, TCP read or HTTP request.
public struct PointBatch: Sendable {
    /// The accepted points, in arrival order.
    public var points: [Point]
    /// The listener they came from (e.g. `udp:127.0.0.1:8089`).
    public var source: String
    /// When the batch was received (monotonic nanoseconds, `DispatchTime` uptime): the start of
    /// the end-to-end latency the relay reports.
    public var receivedAt: UInt64

    /// A batch of `points` from `source`, received now.
    public init(points: [Point], source: String, receivedAt: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        self.points = points
        self.source = source
        self.receivedAt = receivedAt
    }
}

/// Where listeners hand their points: the rule engine, or a counting sink in tests.
///
/// `offer` must not block: it returns false when the pipeline is full. UDP then drops the batch
/// (and counts it); TCP stops reading and HTTP holds the response until the batch is taken, each
/// resuming when ``whenRoom(for:_:)`` calls back — no timer, no retry loop.
public protocol PointSink: Sendable {
    /// Takes `batch` if there is room; false when the pipeline is full.
    func offer(_ batch: PointBatch) -> Bool
    /// Calls `resume` once, on any thread, when a batch of `points` would be taken again: at once
    /// when there is room now, else when the queue has drained to its low watermark (half its
    /// capacity, or empty for a batch larger than that). A pipeline that is stopping never calls.
    func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void)
}

/// A sink that counts what it is given, keeps the last points, and can be made "full" (tests,
/// and `alertrelay` before rules are configured).
public final class CountingSink: PointSink {
    private struct State {
        var batches = 0
        var points = 0
        var kept: [Point] = []
        var full = false
        var waiting: [@Sendable () -> Void] = []
    }

    private let state = Locked(State())
    /// How many of the most recent points to keep for inspection.
    public let keep: Int

    /// A sink keeping the last `keep` points.
    public init(keep: Int = 10_000) { self.keep = keep }

    public func offer(_ batch: PointBatch) -> Bool {
        state.withLock { s in
            if s.full { return false }
            s.batches += 1
            s.points += batch.points.count
            s.kept.append(contentsOf: batch.points)
            if s.kept.count > keep { s.kept.removeFirst(s.kept.count - keep) }
            return true
        }
    }

    public func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) {
        let now: Bool = state.withLock { s in
            if !s.full { return true }
            s.waiting.append(resume)
            return false
        }
        if now { resume() }
    }

    /// Makes `offer` refuse (true) or accept (false) batches; accepting again resumes the waiting.
    public func setFull(_ full: Bool) {
        let resumed: [@Sendable () -> Void] = state.withLock { s in
            s.full = full
            guard !full else { return [] }
            defer { s.waiting.removeAll() }
            return s.waiting
        }
        for r in resumed { r() }
    }
    /// Points accepted so far.
    public var pointCount: Int { state.withLock { $0.points } }
    /// Batches accepted so far.
    public var batchCount: Int { state.withLock { $0.batches } }
    /// The most recent points, oldest first.
    public var points: [Point] { state.withLock { $0.kept } }
}
