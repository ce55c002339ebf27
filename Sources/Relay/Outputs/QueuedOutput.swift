/// An output that sends from its own ``OutputQueue`` on a ``WorkerTask`` (post, tcp): the queue
/// side of ``AlertOutput`` — taking records, purging, flushing, closing and reporting each
/// record's outcome — is the same for every such output, so it is written once here; a
/// conforming type only transmits what ``OutputQueue/next()`` gives its worker.
protocol QueuedOutput: AlertOutput {
    var queue: OutputQueue { get }
    var worker: WorkerTask { get }
    /// Where outcomes go: the output's identity and the report.
    var report: @Sendable (String, OutputReport) -> Void { get }
}

extension QueuedOutput {
    func send(_ record: OutputRecord) throws(OutputSendError) -> UInt64 { try queue.push(record) }

    func sendBlocking(_ record: OutputRecord, waitingUpTo timeout: Duration) throws(OutputSendError) -> UInt64 {
        try queue.pushBlocking(record, waitingUpTo: timeout)
    }

    func purgeQueued() {
        for item in queue.purge() { finish(item, OutputFailure("taken back from the queue for a re-send", permanent: false), countDone: false) }
    }

    var outstanding: Int { queue.outstanding }
    var statistics: OutputStatistics { queue.statistics }
    func flush(timeout: Duration) -> Bool { queue.waitEmpty(timeout: timeout) }

    func close(timeout: Duration) {
        _ = queue.waitEmpty(timeout: timeout)
        queue.close()
        worker.cancel()
        for item in queue.purge() { finish(item, OutputFailure("the output was closed", permanent: false), countDone: false) }
    }

    /// Whether `item` is past trying again: it has waited ``sendTimeout``, or the output is
    /// closing (its failure is then reported and the spool re-sends it later).
    func isPastRetry(_ item: OutputQueue.Item) -> Bool {
        ContinuousClock.now - item.queuedAt >= sendTimeout || queue.isClosed || Task.isCancelled
    }

    /// Waits before the attempt after the `failures`-th failure in a row: `backoff.first`,
    /// doubled per failure, at most `backoff.max`.
    func backOff(after failures: Int, _ backoff: (first: Duration, max: Duration)) async {
        try? await Task.sleep(for: min(backoff.max, backoff.first * (1 << min(failures - 1, 16))))
    }

    /// Reports `item`'s outcome (nil: delivered); `countDone` false for records taken back
    /// before the worker had them.
    func finish(_ item: OutputQueue.Item, _ error: OutputFailure?, countDone: Bool = true) {
        if countDone { queue.done(delivered: error == nil) }
        let d = (ContinuousClock.now - item.queuedAt).components
        report(id, OutputReport(sequence: item.sequence, latencyMicroseconds: d.seconds * 1_000_000 + d.attoseconds / 1_000_000_000_000,
                                error: error, destination: item.record.destination))
    }
}
