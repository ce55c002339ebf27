import Locking

/// The engine's counters as last published, for any thread.
final class PublishedCounters: Sendable {
    private let value = Locked(RelayPipeline.Snapshot())
    func set(_ s: RelayPipeline.Snapshot) { value.withLock { $0 = s } }
    var current: RelayPipeline.Snapshot { value.withLock { $0 } }
}
