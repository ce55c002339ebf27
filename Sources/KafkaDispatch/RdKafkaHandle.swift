import CRdKafka

/// An `rd_kafka_t` pointer that may cross threads.
///
/// `@unchecked Sendable` is safe because the pointer itself never changes, and librdkafka
/// documents every `rd_kafka_t` API the producer calls (produce, poll, flush, purge, metadata) as
/// thread-safe; destruction waits until no call uses it (``KafkaProducer/close(timeout:)``).
struct RdKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
