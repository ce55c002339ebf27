import CRdKafka
import Locking
import Synchronization

/// One topic's librdkafka handle and counters; librdkafka holds it as the topic opaque, so the
/// delivery callback reaches it without a lock or a lookup.
///
/// `@unchecked Sendable` is safe because its only `var`, `handle`, is written once by
/// ``ProducerCore/topic(named:producer:)`` while holding the core's lock and before the topic is
/// published to other threads (stored in the locked map, or returned); everything else is a
/// `let`, an atomic or a lock.
final class TopicState: @unchecked Sendable {
    let name: String
    /// Set once, before the topic is shared.
    private(set) var handle: OpaquePointer?
    let queued = Atomic<UInt64>(0)
    let delivered = Atomic<UInt64>(0)
    let failed = Atomic<UInt64>(0)
    let lastError = Locked<KafkaError?>(nil)

    init(name: String) {
        self.name = name
    }

    func attach(_ handle: OpaquePointer) { self.handle = handle }

    /// Counts one message as queued while `produce` hands it to librdkafka, and takes the count
    /// back when it throws. The count goes up first because the delivery report may arrive (on
    /// the poll thread) before `produce` returns; counting after would let `inFlight` dip below zero.
    func countingQueued(_ produce: () throws(KafkaSendError) -> Void) throws(KafkaSendError) {
        queued.add(1, ordering: .relaxed)
        do {
            try produce()
        } catch {
            queued.subtract(1, ordering: .relaxed)
            throw error
        }
    }

    var statistics: KafkaTopicStatistics {
        KafkaTopicStatistics(queued: queued.load(ordering: .relaxed), delivered: delivered.load(ordering: .relaxed),
                             failed: failed.load(ordering: .relaxed), lastError: lastError.withLock { $0 })
    }
}
