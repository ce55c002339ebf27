/// One place alert records leave the relay: a Kafka cluster, an HTTP endpoint, a TCP address.
///
/// The engine thread calls ``send(_:)``, which must return at once: the record is queued and its
/// outcome arrives later as an ``OutputReport`` through the callback the output was made with
/// (from any thread). A full queue throws ``OutputSendError/queueFull``; the engine then waits in
/// ``sendBlocking(_:waitingUpTo:)`` (backpressure into the point queue) rather than drop.
///
/// Adding an output kind is a new conforming type and one line in ``OutputSet``'s builder.
public protocol AlertOutput: AnyObject, Sendable {
    /// `kafka:<cluster>`, `post:<endpoint or url>`, `tcp:<address>`.
    var id: String { get }
    /// How long the engine waits for room, and how long a record may stay undelivered before the
    /// output reports it failed (Kafka's `message-timeout`).
    var sendTimeout: Duration { get }
    /// Queues `record`; returns the sequence number its report will carry.
    func send(_ record: OutputRecord) throws(OutputSendError) -> UInt64
    /// Queues `records` in order (the records of one engine turn for this output); each one's
    /// sequence number or why it was not taken, in the same order. After a
    /// ``OutputSendError/queueFull`` every later record is refused the same way (the engine sends
    /// them one by one, waiting for room, so that their order is kept).
    func send(batch records: [OutputRecord]) -> [Result<UInt64, OutputSendError>]
    /// As ``send(_:)``, waiting up to `timeout` for room.
    func sendBlocking(_ record: OutputRecord, waitingUpTo timeout: Duration) throws(OutputSendError) -> UInt64
    /// Takes back what is queued but not yet being transmitted: each is reported failed with an
    /// error that may pass (the spool's re-send sends them again, in order).
    func purgeQueued()
    /// Records queued or in flight.
    var outstanding: Int { get }
    /// Waits until everything queued was reported, up to `timeout`; true if it was.
    func flush(timeout: Duration) -> Bool
    /// Flushes up to `timeout`, then stops; later sends throw ``OutputSendError/closed``.
    func close(timeout: Duration)
    /// Counters since the output was made.
    var statistics: OutputStatistics { get }
}

extension AlertOutput {
    /// One ``send(_:)`` per record, stopping at the first full queue: for outputs that have no
    /// cheaper way to take many records at once.
    public func send(batch records: [OutputRecord]) -> [Result<UInt64, OutputSendError>] {
        var results: [Result<UInt64, OutputSendError>] = []
        results.reserveCapacity(records.count)
        for record in records {
            if case .failure(.queueFull)? = results.last {
                results.append(.failure(.queueFull))
                continue
            }
            do throws(OutputSendError) { results.append(.success(try send(record))) } catch { results.append(.failure(error)) }
        }
        return results
    }
}

/// Why an output did not take a record.
public enum OutputSendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Its queue is full: wait for room.
    case queueFull
    /// It was closed (a reload retired it).
    case closed
    /// It refuses this record for good (the reason says why).
    case refused(String)

    public var description: String {
        switch self {
        case .queueFull: return "the output's queue is full; the receiver is not keeping up"
        case .closed: return "the output is closed"
        case .refused(let r): return r
        }
    }
}

/// The outcome of one record.
public struct OutputReport: Sendable {
    /// What ``AlertOutput/send(_:)`` returned for it.
    public var sequence: UInt64
    /// Microseconds from send to this report.
    public var latencyMicroseconds: Int64
    /// Nil when delivered.
    public var error: OutputFailure?
    /// The topic, URL or address, when the output knows it (for dead letters of records not kept).
    public var destination: String?

    public init(sequence: UInt64, latencyMicroseconds: Int64, error: OutputFailure?, destination: String? = nil) {
        self.sequence = sequence
        self.latencyMicroseconds = latencyMicroseconds
        self.error = error
        self.destination = destination
    }
}

/// Why a record was not delivered, and whether trying again may help.
public struct OutputFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    /// True for failures another attempt cannot fix (HTTP 4xx but 429, a rejected message):
    /// dead-lettered at once; otherwise, with a spool, sent again with back-off.
    public var isPermanent: Bool
    public init(_ reason: String, permanent: Bool) {
        self.reason = reason
        isPermanent = permanent
    }
    public var description: String { reason }
}

/// An output's counters.
public struct OutputStatistics: Sendable {
    public var sent: UInt64 = 0
    public var delivered: UInt64 = 0
    public var failed: UInt64 = 0
    public init() {}
}
