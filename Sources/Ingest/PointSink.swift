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
