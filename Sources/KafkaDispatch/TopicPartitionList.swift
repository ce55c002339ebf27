import CRdKafka

/// An `rd_kafka_topic_partition_list_t` owned by Swift (destroyed with it). Its pointer is only
/// lent for the length of a closure (``withPointer(_:)``): Swift may release an object right
/// after the last use of a stored pointer, before the C call that reads it has run.
final class TopicPartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ partitions: [TopicPartition]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))
        for p in partitions { _ = rd_kafka_topic_partition_list_add(pointer, p.topic, p.partition) }
    }

    /// A list with an offset per partition.
    convenience init(_ offsets: [(TopicPartition, Int64)]) {
        self.init(offsets.map(\.0))
        for (i, (_, offset)) in offsets.enumerated() { pointer.pointee.elems[i].offset = offset }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// Runs `body` with the list's pointer, the list kept alive until `body` returns.
    func withPointer<R>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    /// The partitions of a list librdkafka owns.
    static func partitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        guard let list else { return [] }
        var out: [TopicPartition] = []
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            out.append(TopicPartition(topic: e.topic.map { String(cString: $0) } ?? "", partition: e.partition))
        }
        return out
    }

    /// Sets the start offset of the list's partitions that `offsets` names (an assignment that
    /// resumes where restored state ends instead of at the committed offset).
    static func setOffsets(_ offsets: [TopicPartition: Int64], in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            let p = TopicPartition(topic: e.topic.map { String(cString: $0) } ?? "", partition: e.partition)
            if let offset = offsets[p] { list.pointee.elems[i].offset = offset }
        }
    }
}
