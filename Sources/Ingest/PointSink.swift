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
/// (and counts it); TCP stops reading and HTTP holds the response until the batch is taken.
public protocol PointSink: Sendable {
    /// Takes `batch` if there is room; false when the pipeline is full.
    func offer(_ batch: PointBatch) -> Bool
}

/// A sink that counts what it is given, keeps the last points, and can be made "full" (tests,
/// and `alertrelay` before rules are configured).
public final class CountingSink: PointSink {
    private struct State {
        var batches = 0
        var points = 0
        var kept: [Point] = []
        var full = false
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

    /// Makes `offer` refuse (true) or accept (false) batches.
    public func setFull(_ full: Bool) { state.withLock { $0.full = full } }
    /// Points accepted so far.
    public var pointCount: Int { state.withLock { $0.points } }
    /// Batches accepted so far.
    public var batchCount: Int { state.withLock { $0.batches } }
    /// The most recent points, oldest first.
    public var points: [Point] { state.withLock { $0.kept } }
}
