import Ingest
import Locking
import LineProtocol

/// A sink that counts what it is given, keeps the last points, and can be made "full" (the
/// listeners' tests).
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
