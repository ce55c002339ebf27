import AlertRules
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
import Ingest
import KafkaDispatch
import Locking
import Logging
import Synchronization

/// Group mode: writes the alert-state changelog (`<group-id>-state`) with a producer of its own,
/// on a thread of its own, in the order ``ChangelogOrdering`` keeps: records of a partition's
/// groups go to the changelog partition of the same number once the alerts of the batches they
/// follow are held, and those batches are released to their source (which commits their offsets)
/// once the broker acknowledged the records. The engine thread only copies changes
/// (``RuleEngine/takeChanges()``); encoding happens here.
///
/// The producer is idempotent with no message timeout: librdkafka retries until the broker takes
/// each record, in order, so an outage delays commits instead of losing state. A record the
/// broker refuses for good (larger than its `message.max.bytes`) is logged and counted; its
/// flush never completes, so its batches are never committed here and are replayed on the next
/// assignment.
public final class StateChangelogWriter: Sendable {
    enum Event: Sendable {
        case began(StateOwner, seq: UInt64, end: Int64?, PointsAcknowledgement?)
        case held(StateOwner, seq: UInt64)
        case flush([StateOwner], StateChanges)
        case delivered(UInt64, KafkaError?)
        case whenWritten([StateOwner], @Sendable () -> Void)
        case forget(StateOwner)
    }
    struct Queue: Sendable {
        var events: [Event] = []
        var stopping = false
        var stopped = false
    }

    /// The changelog topic.
    public let topic: String
    /// At most this long between a batch and the flush that covers it (`changelog-flush-interval`).
    public let flushInterval: Duration
    private let producer: KafkaProducer
    private let queue = ConditionLocked(Queue())
    private let seq = Atomic<UInt64>(0)
    private let logger: Logger
    private let written = Atomic<UInt64>(0)
    private let failures = Atomic<UInt64>(0)

    /// A writer producing to `topic` of `cluster`, flushed by the engine every `flushInterval`;
    /// its thread starts at once.
    /// - Throws: ``KafkaProducerError`` when librdkafka refuses the configuration.
    public init(cluster: KafkaClusterConfig, topic: String, flushInterval: Duration = KafkaConsumerConfig.defaultChangelogFlushInterval,
                extraProperties: [RdKafkaProperty] = [], logger: Logger) throws(KafkaProducerError) {
        self.topic = topic
        self.flushInterval = flushInterval
        self.logger = logger
        let queue = self.queue
        // Idempotent: in order, no duplicates from retries; no timeout: retried until taken.
        let own = [RdKafkaProperty("enable.idempotence", "true"), RdKafkaProperty("acks", "all"),
                   RdKafkaProperty("message.timeout.ms", "0"), RdKafkaProperty("linger.ms", "5")]
        producer = try KafkaProducer(config: cluster, extraProperties: own + extraProperties, logger: logger) { report in
            queue.withLock { $0.events.append(.delivered(report.sequence, report.error)) }
            queue.broadcast()
        }
        DetachedThread.start("state-changelog") { [self] in run() }
    }

    /// Records the broker acknowledged.
    public var recordsWritten: UInt64 { written.load(ordering: .relaxed) }
    /// Records the broker refused for good.
    public var recordsFailed: UInt64 { failures.load(ordering: .relaxed) }

    private func post(_ event: Event) {
        queue.withLock { $0.events.append(event) }
        queue.broadcast()
    }

    /// A batch of `owner` ending before input offset `end` is about to be evaluated (engine
    /// thread): `acknowledgement` (the source's) is held until the changelog has the state after
    /// the batch; the returned one stands in for it while the batch's alerts are sent.
    func began(_ owner: StateOwner, end: Int64?, acknowledgement: PointsAcknowledgement?) -> PointsAcknowledgement {
        let n = seq.add(1, ordering: .relaxed).newValue
        acknowledgement?.hold()
        post(.began(owner, seq: n, end: end, acknowledgement))
        return PointsAcknowledgement { [weak self] in self?.post(.held(owner, seq: n)) }
    }

    /// The engine's changes since the last flush, for `owners` (this writer's partitions with
    /// batches or changes since then; the changes of other partitions are left to their writers).
    func flush(_ changes: StateChanges, owners: [StateOwner]) {
        post(.flush(owners, changes))
    }

    /// Calls `done` (on the writer's thread) once every flush of `owners` queued so far is
    /// acknowledged.
    func whenWritten(_ owners: [StateOwner], _ done: @escaping @Sendable () -> Void) {
        post(.whenWritten(owners, done))
    }

    /// Forgets a revoked partition (after its flushes are written).
    func forget(_ owner: StateOwner) { post(.forget(owner)) }

    /// Stops the thread and closes the producer, records queued given what is left of `timeout`
    /// to be acknowledged: returns within `timeout` (plus librdkafka's destroy), brokers reachable
    /// or not.
    public func close(timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        let first = queue.withLock { q -> Bool in
            defer { q.stopping = true }
            return !q.stopping
        }
        queue.broadcast()
        if first {
            queue.wait(timeout: timeout, until: { !$0.stopped }) { _, _ in }
            producer.close(timeout: max(.zero, deadline - ContinuousClock.now))
        }
    }

    private func run() {
        var ordering = ChangelogOrdering()
        var inFlight: [UInt64: (StateOwner, UInt64)] = [:]
        var waiters: [([StateOwner], @Sendable () -> Void)] = []
        var failureLog = ChangelogFailureLog()
        while true {
            let (events, stopping) = queue.wait(timeout: nil, until: { $0.events.isEmpty && !$0.stopping }) { q, _ in
                defer { q.events.removeAll(keepingCapacity: true) }
                return (q.events, q.stopping)
            }
            var release: [PointsAcknowledgement] = []
            for e in events {
                switch e {
                case .began(let owner, let n, let end, let ack): ordering.began(owner, seq: n, end: end, acknowledgement: ack)
                case .held(let owner, let n): ordering.alertsHeld(owner, seq: n)
                case .flush(let owners, let changes):
                    for owner in Set(owners) { ordering.flush(owner, records: changes.records(for: owner)) }
                case .delivered(let n, let error):
                    guard let (owner, flush) = inFlight.removeValue(forKey: n) else { break }
                    if let error {
                        failures.add(1, ordering: .relaxed)
                        failureLog.error("the broker refused a state changelog record: the partition's offsets stay uncommitted", [
                            "topic": .string(topic), "partition": .stringConvertible(owner.partition), "error": .string("\(error)"),
                        ], to: logger)
                        break
                    }
                    written.add(1, ordering: .relaxed)
                    release += ordering.delivered(owner, flush: flush)
                case .whenWritten(let owners, let done): waiters.append((owners, done))
                case .forget(let owner): ordering.forget(owner)
                }
            }
            for due in ordering.takeDue() {
                for r in due.records {
                    var m = KafkaMessage(topic: topic, key: r.key, value: r.value ?? [])
                    m.partition = due.owner.partition
                    m.isTombstone = r.value == nil
                    do {
                        // No message timeout: the queue frees as the broker takes records.
                        let n = try producer.sendBlocking(m, waitingUpTo: .seconds(3600))
                        inFlight[n] = (due.owner, due.flush)
                    } catch {
                        failures.add(1, ordering: .relaxed)
                        failureLog.error("cannot queue a state changelog record: the partition's offsets stay uncommitted", [
                            "topic": .string(topic), "partition": .stringConvertible(due.owner.partition), "error": .string("\(error)"),
                        ], to: logger)
                    }
                }
                release += ordering.complete(due.owner)
            }
            for ack in release { ack.release() }
            waiters.removeAll { owners, done in
                guard owners.allSatisfy(ordering.isWritten) else { return false }
                done()
                return true
            }
            if stopping {
                queue.withLock { $0.stopped = true }
                queue.broadcast()
                return
            }
        }
    }
}
