import CRdKafka

/// The malloc settings group mode runs with, set once when the first Kafka consumer is made.
///
/// Why: a consumer's poll thread makes every point in its own malloc arena and frees each
/// batch's points there again once the engine is done (``KafkaConsumer`` users hand them back).
/// With glibc's defaults the arena's top was trimmed after most batches (the trim threshold
/// follows the largest freed mmapped block, a few hundred KiB here) and grown again for the
/// next one, and every grown page was zeroed by the kernel: about a fifth of the poll thread's
/// time. librdkafka's fetch buffers (up to `max.partition.fetch.bytes`, 1 MiB) were mmapped and
/// unmapped each time for the same reason. Kept mapped up to 32 MiB per arena (what glibc's own
/// dynamic threshold allows at most, 2 x 32 MiB) and served from the heap up to 4 MiB, they are
/// reused instead. The same as `GLIBC_TUNABLES=glibc.malloc.trim_threshold=33554432:glibc.malloc.mmap_threshold=4194304`.
enum KafkaConsumerHeap {
    /// Bytes of free memory an arena's top may keep before glibc returns it to the kernel.
    static let trimThreshold: Int32 = 32 << 20
    /// Allocations at least this large are mmapped of their own.
    static let mmapThreshold: Int32 = 4 << 20

    /// Applies the settings the first time it is read (Swift runs a static's initializer once).
    static let tuned: Bool = {
        #if canImport(Glibc)
        return mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1 && mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1
        #else
        return false
        #endif
    }()
}
