#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KafkaDispatch
import LineProtocol
import Dispatch
import Locking
import Logging

/// A `[[kafka-consumer]]` source: line protocol read from Kafka in a consumer group and handed to
/// the sink in batches, one per partition and poll round, each batch tagged with its partition.
///
/// At least once: a batch's offsets are committed only when the engine says its points were
/// evaluated and their alerts durably held (``PointsAcknowledgement``), and only in order per
/// partition (``PartitionCommitQueue``). A crash therefore reads again the messages after the
/// last commit — at most the batches in flight, i.e. what the pipeline queue and the outputs
/// hold unacknowledged.
///
/// Bad lines are counted and logged as on UDP; the good lines of the same message are evaluated
/// and the partition goes on. When the sink is full the poll thread waits for room (no drops);
/// librdkafka keeps prefetching meanwhile within `queued.max.messages.kbytes`.
public final class KafkaConsumerSource: IngestSource, KafkaConsumerHandler {
    /// Points in one batch at most: a partition's batch is handed on early past it.
    static let batchPoints = 5_000
    /// Evaluated points the engine may give back before the poll thread frees them (~30 MB at
    /// Telegraf-like points): a round's worth at the engine's rate. Past it the engine frees them.
    static let returnedPoints = 131_072
    /// Emptied batch arrays kept for the next batches: one per partition of a 64-partition round.
    static let spareBatches = 64
    /// The least time a revocation's final commit and its changelog release each get, even when
    /// the wait for held batches used up the revocation's time.
    public static let minimumStep = Duration.seconds(1)
    /// What the consumer's close may take beyond the revocation's `grace`: the final commit and
    /// the changelog release (``minimumStep`` each) and leaving the group.
    public static let closeMargin = Duration.seconds(3)

    /// Counters: messages, bytes, points, rejected lines.
    public let statistics: ListenerStatistics
    /// The section it was started from.
    public let config: KafkaConsumerConfig
    private let sink: PointSink
    private let observer: (any PartitionAssignmentObserver)?
    private let readiness: ReadinessGate?
    private let logger: Logger
    private let book: ConditionLocked<Book>
    /// The poll thread's batches of the current round (only the poll thread touches it; the lock
    /// is uncontended).
    private let round: Locked<Round>
    /// Evaluated batches' points on their way back to the poll thread, which made them and frees
    /// them (see ``BatchReturn``).
    let returns = BatchReturn<Point>(limit: KafkaConsumerSource.returnedPoints, spareLimit: KafkaConsumerSource.spareBatches)

    /// One assigned partition's commit bookkeeping.
    private struct PartitionBook: Sendable {
        /// Which assignment of the partition this is: acknowledgements of an earlier one are ignored.
        var epoch: UInt64
        var queue = PartitionCommitQueue()
        /// A batch of it could not be handed on (stopping): nothing of it is committed any more.
        var abandoned = false
    }

    private struct Book: Sendable {
        var partitions: [TopicPartition: PartitionBook] = [:]
        var epoch: UInt64 = 0
        var consumer: KafkaConsumer?
        var stopping = false
        /// Bumped by the sink's room call back.
        var roomGeneration: UInt64 = 0
        /// How long a revocation waits for the batches of its partitions to be held before it
        /// gives up on committing them (their new owner reads them again): `revoke-timeout`,
        /// `grace` once stopping.
        var revokeWait: Duration
        var firstAssignment: ReadinessGate.Token?
    }

    private struct Pending: Sendable {
        var points: [Point] = []
        var end: Int64 = 0
    }

    /// The poll thread's parse session (scratch buffers, and the storage of evaluated points
    /// reused by the next messages' points). `@unchecked Sendable` is safe because it is only
    /// ever used inside `round`'s lock (``Round``), so one thread at a time — in practice only
    /// the poll thread — touches it; the points it takes back are Sendable and came through
    /// ``BatchReturn``'s lock from the engine, which is done with them.
    private struct PollSession: @unchecked Sendable {
        let session: LineProtocolSession
    }

    private struct Round: Sendable {
        var parser: BatchParser
        let session: PollSession
        var pending: [TopicPartition: Pending] = [:]
        var order: [TopicPartition] = []
    }

    /// The batch a sequence number of a partition's assignment stands for.
    private struct Ticket: Sendable {
        var partition: TopicPartition
        var epoch: UInt64
        var sequence: UInt64
    }

    /// Creates the consumer, joins the group and starts reading.
    ///
    /// - Parameters:
    ///   - config: the section; `cluster`: the `[[kafka]]` section it names.
    ///   - observer: told of assignments and revocations (group mode's state restore), if any.
    ///   - readiness: held until the first assignment was taken (and `observer` restored it).
    ///   - extraProperties: librdkafka properties applied last (tests, benchmarks).
    /// - Throws: ``KafkaConsumerError`` when librdkafka refuses the configuration.
    public static func start(_ config: KafkaConsumerConfig, cluster: KafkaClusterConfig, sink: PointSink,
                             observer: (any PartitionAssignmentObserver)? = nil, readiness: ReadinessGate? = nil,
                             extraProperties: [RdKafkaProperty] = [], logger: Logger) throws(KafkaConsumerError) -> KafkaConsumerSource {
        let source = KafkaConsumerSource(config: config, sink: sink, observer: observer, readiness: readiness, logger: logger)
        let consumer = try KafkaConsumer(cluster: cluster, settings: config.settings, extraProperties: extraProperties,
                                         handler: source, logger: logger)
        let token = readiness?.hold("\(config.name): waiting for its first partition assignment")
        source.book.withLock { b in
            b.consumer = consumer
            b.firstAssignment = token
        }
        consumer.start()
        logger.info("kafka consumer started", metadata: [
            "consumer": .string(config.name), "topics": .string(config.settings.topics.joined(separator: ",")),
            "start": .string(config.settings.start.rawValue),
        ])
        return source
    }

    private init(config: KafkaConsumerConfig, sink: PointSink, observer: (any PartitionAssignmentObserver)?, readiness: ReadinessGate?,
                 logger: Logger) {
        self.config = config
        self.sink = sink
        self.observer = observer
        self.readiness = readiness
        self.logger = logger
        let statistics = ListenerStatistics(name: config.name)
        self.statistics = statistics
        book = ConditionLocked(Book(revokeWait: config.revokeTimeout))
        let parser = BatchParser(precision: config.precision, statistics: statistics, logger: logger)
        round = Locked(Round(parser: parser, session: PollSession(session: LineProtocolSession(parser.parser))))
    }

    /// `topic,topic@cluster`.
    public var address: String { config.settings.topics.joined(separator: ",") + "@" + config.cluster }

    // MARK: The poll thread

    public func consumed(_ message: KafkaConsumedMessage) {
        // Points the engine is done with are freed here, before new ones are made in their place
        // (the last batch's storage reused by them where nothing else holds it).
        drainReturns()
        statistics.datagrams.add(1, ordering: .relaxed)
        statistics.bytes.add(UInt64(message.payload.count), ordering: .relaxed)
        let now = unixNanosecondsNow()
        let full = round.withLock { r -> Bool in
            if r.pending[message.partition] == nil {
                r.pending[message.partition] = Pending(points: returns.spare())
                r.order.append(message.partition)
            }
            return Self.append(message, now: now, to: &r.pending[message.partition]!, parser: &r.parser, session: r.session.session)
        }
        if full { handOn(only: message.partition) }
    }

    /// Parses `message` into `pending` (rejected lines are counted and logged, not kept); true
    /// when the batch is full.
    private static func append(_ message: KafkaConsumedMessage, now: Int64, to pending: inout Pending, parser: inout BatchParser,
                               session: LineProtocolSession) -> Bool {
        var unkept: [RejectedLine] = []
        _ = parser.parse(message.payload, now: now, into: &pending.points, errors: &unkept, session: session)
        pending.end = message.offset + 1
        return pending.points.count >= batchPoints
    }

    public func roundEnded() {
        handOn()
        drainReturns()
    }

    public func idle() { drainReturns() }

    /// Takes back what the engine gave back (``returns``): the last batch's points go to the
    /// parse session, whose next points reuse their storage; the others are freed here.
    private func drainReturns() {
        round.withLock { r in returns.drain { points in r.session.session.recycle(&points) } }
    }

    public func assigned(_ partitions: [TopicPartition]) -> KafkaAssignmentPlan {
        var restore = PartitionRestore()
        if let observer, !partitions.isEmpty { restore = waitFor { await observer.assigned(partitions) } }
        let refused = Set(restore.refused)
        let token = book.withLock { b -> ReadinessGate.Token? in
            // A refused partition has no book: anything of it that still arrives is neither
            // handed on nor committed.
            for p in partitions where !refused.contains(p) {
                b.epoch += 1
                b.partitions[p] = PartitionBook(epoch: b.epoch)
            }
            defer { b.firstAssignment = nil }
            return b.firstAssignment
        }
        if let token { readiness?.release(token) }
        logger.info("kafka partitions assigned", metadata: [
            "consumer": .string(config.name), "partitions": .string(Self.describe(partitions)),
            "assigned": .stringConvertible(assignedPartitions.count), "refused": .string(Self.describe(restore.refused)),
        ])
        return KafkaAssignmentPlan(starts: restore.starts, paused: restore.refused)
    }

    public func revoked(_ partitions: [TopicPartition], lost: Bool) {
        // One deadline for the whole revocation (`revoke-timeout`, `shutdown-timeout` once
        // stopping): the wait for held batches, the final commit and the changelog's release each
        // get what is left, the last two at least `minimumStep` (so a slow first step cannot leave
        // the state unflushed with a broker that answers).
        let deadline = ContinuousClock.now + book.withLock { $0.revokeWait }
        func left() -> Duration { max(Self.minimumStep, deadline - ContinuousClock.now) }
        handOn()
        var final: [(TopicPartition, Int64)] = []
        var waiting: [TopicPartition] = []
        if !lost {
            let wait = deadline - ContinuousClock.now
            let revoked = Set(partitions)
            func outstanding(_ b: Book) -> [TopicPartition] {
                revoked.filter { p in b.partitions[p].map { !$0.abandoned && $0.queue.outstanding > 0 } ?? false }.sorted()
            }
            (final, waiting) = book.wait(timeout: wait, until: { !outstanding($0).isEmpty }) { b, _ in
                let committable = partitions.compactMap { p in b.partitions[p].flatMap { pb in pb.queue.committable.map { (p, $0) } } }
                return (committable, outstanding(b))
            }
        }
        if !waiting.isEmpty {
            logger.warning("revoking partitions whose batches are not held yet; their new owner reads them again", metadata: [
                "consumer": .string(config.name), "partitions": .string(Self.describe(waiting)),
            ])
        }
        // The asynchronous commits were sent already; this one makes sure they landed before the
        // partitions move (the new owner starts from what is committed).
        if let consumer = book.withLock({ $0.consumer }), let error = consumer.commit(final, waitingUpTo: left()) {
            logger.warning("final offset commit failed; the new owner reads the uncommitted messages again",
                           metadata: ["consumer": .string(config.name), "error": .string(error.description)])
        }
        if let observer, !partitions.isEmpty {
            let timeout = left()
            waitFor { await observer.revoked(partitions, lost: lost, timeout: timeout) }
        }
        book.withLock { b in for p in partitions { b.partitions[p] = nil } }
        logger.info("kafka partitions revoked", metadata: [
            "consumer": .string(config.name), "partitions": .string(Self.describe(partitions)), "lost": .stringConvertible(lost),
        ])
    }

    /// Hands the round's batches on (only `partition`'s when given), in the order their partitions
    /// first appeared; waits for room in the sink.
    private func handOn(only partition: TopicPartition? = nil) {
        let batches = round.withLock { r -> [(TopicPartition, Pending)] in
            if let partition {
                guard let p = r.pending.removeValue(forKey: partition) else { return [] }
                r.order.removeAll { $0 == partition }
                return [(partition, p)]
            }
            defer {
                r.pending.removeAll(keepingCapacity: true)
                r.order.removeAll(keepingCapacity: true)
            }
            return r.order.compactMap { p in r.pending[p].map { (p, $0) } }
        }
        for (partition, pending) in batches { handOn(pending, of: partition) }
    }

    private func handOn(_ pending: Pending, of partition: TopicPartition) {
        let ticket = book.withLock { b -> Ticket? in
            // A partition revoked meanwhile: its new owner reads these messages.
            guard var pb = b.partitions[partition], !pb.abandoned else { return nil }
            let sequence = pb.queue.append(end: pending.end)
            b.partitions[partition] = pb
            return Ticket(partition: partition, epoch: pb.epoch, sequence: sequence)
        }
        guard let ticket else { return }
        // Messages without a good line have nothing to evaluate, but their offsets still move on in turn.
        guard !pending.points.isEmpty else { return held(ticket) }
        let batch = PointBatch(points: pending.points, source: statistics.name, destination: config.destination,
                               acknowledgement: PointsAcknowledgement { [self] in held(ticket) }, sourcePartition: partition,
                               sourceEnd: pending.end, returnPath: returns)
        if !offer(batch) {
            book.withLock { b in b.partitions[partition]?.abandoned = true }
            book.broadcast()
        }
    }

    /// Offers `batch`, waiting for the sink's room call back while it is full; false when the
    /// source stops first.
    private func offer(_ batch: PointBatch) -> Bool {
        while true {
            let generation = book.withLock { $0.roomGeneration }
            if sink.offer(batch) { return true }
            if book.withLock({ $0.stopping }) { return false }
            sink.whenRoom(for: batch.points.count) { [self] in
                book.withLock { $0.roomGeneration &+= 1 }
                book.broadcast()
            }
            let stopping = book.wait(timeout: nil, until: { $0.roomGeneration == generation && !$0.stopping }) { b, _ in b.stopping }
            // What the engine evaluated meanwhile (half a queue) came back: freed before the next batch.
            drainReturns()
            if stopping { return sink.offer(batch) }
        }
    }

    /// A batch is held: commit what its partition's held prefix reached (in the lock, so that two
    /// threads' commits of one partition reach librdkafka in order).
    private func held(_ ticket: Ticket) {
        book.withLock { b in
            guard var pb = b.partitions[ticket.partition], pb.epoch == ticket.epoch, !pb.abandoned else { return }
            let commit = pb.queue.held(ticket.sequence)
            b.partitions[ticket.partition] = pb
            if let commit { b.consumer?.commit([(ticket.partition, commit)]) }
        }
        book.broadcast()
    }

    /// Runs `body` to its end from the poll thread (not a task of the cooperative pool, so the
    /// block costs no pool thread).
    private func waitFor<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<T?>(nil)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    static func describe(_ partitions: [TopicPartition]) -> String {
        partitions.sorted().map(\.description).joined(separator: ",")
    }

    // MARK: Status

    /// The partitions assigned now.
    public var assignedPartitions: [TopicPartition] { book.withLock { $0.partitions.keys.sorted() } }

    /// Each assigned partition's offsets and lag, as librdkafka last saw them.
    public var partitionStatus: [KafkaConsumerPartitionStatus] {
        let (consumer, books) = book.withLock { b in (b.consumer, b.partitions) }
        let partitions = books.keys.sorted()
        let offsets = consumer?.offsets(of: partitions) ?? [:]
        return partitions.map { p in
            let o = offsets[p]
            return KafkaConsumerPartitionStatus(partition: p, position: o?.position ?? nil, highWatermark: o?.high ?? nil,
                                                committed: books[p]?.queue.committable, inFlightBatches: books[p]?.queue.outstanding ?? 0)
        }
    }

    public var extraTotals: [(name: String, value: UInt64)] {
        guard let consumer = book.withLock({ $0.consumer }) else { return [] }
        return [("kafka_consumer_commit_failures", consumer.commitFailures), ("kafka_consumer_client_errors", consumer.clientErrors)]
    }

    /// Stops reading: hands on what can still be taken, waits (at most `grace`) for the batches
    /// in flight to be held and commits them, leaves the group. Returns within `grace` +
    /// ``closeMargin`` (3 s), brokers reachable or not.
    public func stop(grace: Duration) async {
        let (consumer, token) = book.withLock { b -> (KafkaConsumer?, ReadinessGate.Token?) in
            b.stopping = true
            b.revokeWait = grace
            defer { b.firstAssignment = nil }
            return (b.consumer, b.firstAssignment)
        }
        book.broadcast()
        if let token { readiness?.release(token) }
        guard let consumer else { return }
        // librdkafka's close blocks (revocation, leaving the group): a thread of its own. Bounded:
        // with the brokers gone it would wait for the group coordinator forever.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DetachedThread.start("kafka-consumer-close") {
                consumer.close(timeout: grace + Self.closeMargin)
                done.resume()
            }
        }
        book.withLock { $0.consumer = nil }
        // The poll thread is gone: what is still given back is freed here, the rest by the engine.
        returns.close()
        logger.info("kafka consumer stopped", metadata: ["consumer": .string(config.name)])
    }
}

/// One assigned partition of a ``KafkaConsumerSource``: where it reads, what is committed, and how
/// far behind the log's end it is.
public struct KafkaConsumerPartitionStatus: Sendable, Equatable {
    /// The partition.
    public var partition: TopicPartition
    /// The next offset the consumer reads (nil before it knows).
    public var position: Int64?
    /// The offset the next produced message gets, as of the last fetch (nil before one).
    public var highWatermark: Int64?
    /// The last offset this relay committed for it (nil: none since it was assigned).
    public var committed: Int64?
    /// Batches handed to the engine and not yet committed.
    public var inFlightBatches: Int

    /// Messages produced and not yet read: high watermark − position.
    public var lag: Int64? {
        guard let h = highWatermark else { return nil }
        guard let p = position ?? committed else { return nil }
        return max(0, h - p)
    }

    /// Messages read and not yet committed (what a crash reads again), when known.
    public var uncommitted: Int64? {
        guard let p = position, let c = committed else { return nil }
        return max(0, p - c)
    }
}
