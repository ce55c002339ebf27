import CRdKafka

/// An `rd_kafka_queue_t` pointer (the producer's main queue) that may cross threads.
///
/// `@unchecked Sendable` is safe for the same reasons as ``RdKafkaHandle``: the pointer never
/// changes, librdkafka's queue calls (`rd_kafka_queue_poll`) are thread-safe, and the queue is
/// destroyed by ``KafkaProducer/close(timeout:)`` only after the poll thread stopped and every
/// other call left.
struct RdKafkaQueue: @unchecked Sendable {
    let pointer: OpaquePointer
}
