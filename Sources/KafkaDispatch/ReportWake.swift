import Dispatch
import Synchronization

/// Decides who serves a producer's delivery reports: a thread that is sending, or the poll thread.
///
/// librdkafka frees a report's messages when its event is destroyed, and a message is freed
/// cheapest by the thread that allocated it (the sender: `RD_KAFKA_MSG_F_COPY` copies into memory
/// from the sender's malloc arena; freed elsewhere, each free takes that arena's lock against the
/// sender's next allocation). With the poll thread waiting on the queue it took nearly every
/// event the moment librdkafka enqueued it; measured on `KafkaSendBenchmark` (medians of 7), the
/// producer sent at 0.79–0.99 of kcat's rate with that, and at 1.02–1.08 when the poll thread kept
/// out of the way while the sender sent (BENCHMARKS.md, "Kafka: the sender serves its reports").
/// So the poll thread sleeps on a semaphore, not on the queue, and is woken only when no one else
/// will serve what arrived:
///
/// - librdkafka calls ``queueBecameNonEmpty()`` when an event lands on the empty queue (its queue
///   lock held: no librdkafka call in it). With no sender inside a send, it wakes the poll thread;
///   otherwise it leaves a mark.
/// - A sender drains the queue (up to a few events) before it leaves the send, then calls
///   ``senderLeaves(stoppedAtLimit:leftEvents:)``: if the mark is set and events are still queued
///   (one came after its drain), or it stopped at its limit, it wakes the poll thread.
///
/// Nothing is left unserved: the mark is stored before the callback reads the sender count, and the
/// count is lowered before a leaving sender takes the mark (both sequentially consistent), so
/// either the callback sees no sender and wakes the poll thread, or the sender sees the mark and
/// looks at the queue. A blocking call (flush, a wait for room) is not a send: reports arriving
/// meanwhile wake the poll thread.
final class ReportWake: Sendable {
    private let sending = Atomic<Int>(0)
    private let marked = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)

    /// A sender starts a send.
    @inline(__always)
    func senderEnters() { sending.add(1, ordering: .sequentiallyConsistent) }

    /// A sender ends a send, having drained the queue (`stoppedAtLimit`: it stopped at its limit,
    /// so events may be left); `leftEvents` tells whether events are still queued, asked only when
    /// the mark was set.
    @inline(__always)
    func senderLeaves(stoppedAtLimit: Bool, leftEvents: () -> Bool) {
        sending.subtract(1, ordering: .sequentiallyConsistent)
        if stoppedAtLimit || (marked.exchange(false, ordering: .sequentiallyConsistent) && leftEvents()) { semaphore.signal() }
    }

    /// librdkafka enqueued an event on the empty queue (on one of its threads, the queue locked).
    func queueBecameNonEmpty() {
        marked.store(true, ordering: .sequentiallyConsistent)
        if sending.load(ordering: .sequentiallyConsistent) == 0 { semaphore.signal() }
    }

    /// Wakes the poll thread (it then looks at the queue, or at its stop flag).
    func wake() { semaphore.signal() }

    /// The poll thread's sleep until it is woken (or `deadline` passes: false).
    @discardableResult
    func waitForWork(until deadline: DispatchTime = .distantFuture) -> Bool { semaphore.wait(timeout: deadline) == .success }
}

/// librdkafka's queue event callback: the opaque is the producer's ``ReportWake`` (unretained: the
/// producer keeps it, and turns the callback off before it is freed).
let reportQueueCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, opaque in
    guard let opaque else { return }
    Unmanaged<ReportWake>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.queueBecameNonEmpty() }
}
