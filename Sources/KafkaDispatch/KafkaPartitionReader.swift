import CRdKafka
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
import Logging

/// Reads whole partitions of a topic, from the earliest offset the broker keeps to the high
/// watermark seen at the start, with an assign-based librdkafka consumer (`rd_kafka_assign`: no
/// group membership, no offset commits): the restore of the alert-state changelog. Also asks for
/// a topic's partition count and creates a topic through the admin API.
///
/// ```swift
/// let reader = try KafkaPartitionReader(config: cluster)
/// let records = try reader.readToEnd(topic: "relay-state", partition: 3, timeout: .seconds(30))
/// ```
///
/// Blocking calls: use it from one thread at a time (the relay's restore runs on a thread of its
/// own); ``close()`` frees librdkafka.
public final class KafkaPartitionReader {
    private let rk: OpaquePointer
    private let core: ReaderCore
    private var closed = false

    /// Creates the consumer (it connects on first use).
    /// - Throws: ``KafkaProducerError`` when librdkafka refuses the configuration.
    public init(config: KafkaClusterConfig, extraProperties: [RdKafkaProperty] = [],
                logger: Logger = Logger(label: "alertrelay.kafka.reader")) throws(KafkaProducerError) {
        var logger = logger
        logger[metadataKey: "cluster"] = .string(config.id)
        let core = ReaderCore(logger: logger)
        // Not a group member: the group id only satisfies librdkafka's consumer; nothing is committed.
        let own = [RdKafkaProperty("group.id", "alertrelay-changelog-restore"), RdKafkaProperty("enable.auto.commit", "false"),
                   RdKafkaProperty("enable.auto.offset.store", "false"), RdKafkaProperty("enable.partition.eof", "true")]
        let conf: OpaquePointer
        switch RdKafkaConfiguration.make(config.librdkafkaProperties().filter { !Self.producerOnly.contains($0.name) } + own + extraProperties) {
        case .success(let c): conf = c
        case .failure(let r): throw .configuration(property: r.name, reason: r.reason)
        }
        let unmanaged = Unmanaged.passRetained(core)
        rd_kafka_conf_set_opaque(conf, unmanaged.toOpaque())
        rd_kafka_conf_set_error_cb(conf, readerErrorCallback)
        rd_kafka_conf_set_log_cb(conf, readerLogCallback)
        let rk: OpaquePointer
        switch RdKafkaConfiguration.client(RD_KAFKA_CONSUMER, conf: conf) {
        case .success(let client): rk = client
        case .failure(let failure):
            unmanaged.release()
            throw .creation(reason: failure.reason)
        }
        self.rk = rk
        self.core = core
        // Errors and logs come through the consumer queue this reader polls anyway.
        rd_kafka_poll_set_consumer(rk)
    }

    /// Producer properties a `[[kafka]]` section may set that a consumer rejects or warns about.
    static let producerOnly: Set<String> = [
        "acks", "request.required.acks", "compression.codec", "compression.type", "linger.ms", "queue.buffering.max.ms",
        "batch.num.messages", "batch.size", "message.timeout.ms", "delivery.timeout.ms", "enable.idempotence",
        "queue.buffering.max.messages", "queue.buffering.max.kbytes", "retries", "message.send.max.retries",
        "retry.backoff.ms", "partitioner", "request.timeout.ms",
    ]

    deinit { close() }

    /// Frees librdkafka (safe to call twice).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = rd_kafka_consumer_close(rk)
        rd_kafka_destroy(rk)
        Unmanaged.passUnretained(core).release()
    }

    /// Every record of `partition` of `topic` from the earliest kept offset up to the high
    /// watermark as it was when the call started, in offset order. A topic or partition that
    /// does not exist yet reads as empty.
    /// - Throws: ``KafkaReadError`` when the broker does not answer or the read does not reach
    ///   the watermark within `timeout`.
    public func readToEnd(topic: String, partition: Int32, timeout: Duration) throws(KafkaReadError) -> [KafkaRecord] {
        let deadline = ContinuousClock.now + timeout
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(rk, topic, partition, &low, &high, KafkaProducer.milliseconds(timeout))
        switch err {
        case RD_KAFKA_RESP_ERR_NO_ERROR: break
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC: return []
        default: throw .watermarks(topic: topic, partition: partition, error: kafkaError(err, reason: nil))
        }
        guard high > low else { return [] }
        let list = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = low
        let assigned = rd_kafka_assign(rk, list)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .assign(topic: topic, partition: partition, error: kafkaError(assigned, reason: nil))
        }
        defer { _ = rd_kafka_assign(rk, nil) }
        var records: [KafkaRecord] = []
        records.reserveCapacity(Int(min(high - low, 1 << 20)))
        var next = low
        while next < high {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw .timedOut(topic: topic, partition: partition, read: next - low, of: high - low) }
            // Waits on librdkafka's queue (woken by each fetched message), at most 100 ms a turn.
            guard let m = rd_kafka_consumer_poll(rk, min(100, KafkaProducer.milliseconds(left))) else { continue }
            defer { rd_kafka_message_destroy(m) }
            let message = m.pointee
            if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                if message.offset >= high { break }
                continue
            }
            guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                // Transient fetch errors are retried by librdkafka; a fatal one ends the read.
                let error = kafkaError(message.err, reason: nil)
                if rd_kafka_fatal_error(rk, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR { throw .fetch(topic: topic, partition: partition, error: error) }
                core.logger.warning("changelog fetch error (retried)", metadata: ["error": .string("\(error)")])
                continue
            }
            guard message.partition == partition, message.offset >= next else { continue }
            records.append(KafkaRecord(key: bytes(message.key, message.key_len), value: bytes(message.payload, message.len), offset: message.offset))
            next = message.offset + 1
        }
        return records
    }

    /// The topic's partition count; nil when the cluster does not have it.
    /// - Throws: ``KafkaReadError/metadata(topic:error:)`` when the broker does not answer within `timeout`.
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaReadError) -> Int? {
        let rkt = rd_kafka_topic_new(rk, topic, nil)
        defer { if let rkt { rd_kafka_topic_destroy(rkt) } }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 0, rkt, &metadata, KafkaProducer.milliseconds(timeout))
        defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata, metadata.pointee.topic_cnt > 0 else {
            throw .metadata(topic: topic, error: kafkaError(err, reason: nil))
        }
        let t = metadata.pointee.topics[0]
        guard t.err == RD_KAFKA_RESP_ERR_NO_ERROR, t.partition_cnt > 0 else { return nil }
        return Int(t.partition_cnt)
    }

    /// Creates `topic` with `partitions` partitions and the given topic configuration (e.g.
    /// `cleanup.policy=compact`) through the admin API; an existing topic is left as it is.
    /// - Returns: false when the topic existed already.
    /// - Throws: ``KafkaReadError/createTopic(topic:error:)`` when the cluster refuses.
    @discardableResult
    public func createTopic(_ topic: String, partitions: Int, replicationFactor: Int = -1, config: [(String, String)] = [],
                            timeout: Duration) throws(KafkaReadError) -> Bool {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, Int32(partitions), Int32(replicationFactor), &errstr, errstr.count) else {
            throw .createTopic(topic: topic, error: KafkaError(code: -1, name: "invalid", reason: errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        for (name, value) in config { _ = rd_kafka_NewTopic_set_config(newTopic, name, value) }
        let queue = rd_kafka_queue_new(rk)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, KafkaProducer.milliseconds(timeout), nil, 0)
        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(rk, &topics, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, KafkaProducer.milliseconds(timeout) + 1000) else {
            throw .createTopic(topic: topic, error: KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, name: "_TIMED_OUT", reason: "no answer"))
        }
        defer { rd_kafka_event_destroy(event) }
        if rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .createTopic(topic: topic, error: kafkaError(rd_kafka_event_error(event), reason: rd_kafka_event_error_string(event).map { String(cString: $0) }))
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event), let results = rd_kafka_CreateTopics_result_topics(result, &count),
              count > 0, let first = results[0] else { return true }
        let code = rd_kafka_topic_result_error(first)
        switch code {
        case RD_KAFKA_RESP_ERR_NO_ERROR: return true
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: return false
        default: throw .createTopic(topic: topic, error: kafkaError(code, reason: rd_kafka_topic_result_error_string(first).map { String(cString: $0) }))
        }
    }

    private func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

/// One record read from a partition.
public struct KafkaRecord: Sendable, Equatable {
    /// nil: no key.
    public var key: [UInt8]?
    /// nil: a null value (a tombstone).
    public var value: [UInt8]?
    public var offset: Int64

    public init(key: [UInt8]?, value: [UInt8]?, offset: Int64) {
        self.key = key
        self.value = value
        self.offset = offset
    }
}

/// Why a partition could not be read, or a topic asked about or created.
public enum KafkaReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case watermarks(topic: String, partition: Int32, error: KafkaError)
    case assign(topic: String, partition: Int32, error: KafkaError)
    case fetch(topic: String, partition: Int32, error: KafkaError)
    case timedOut(topic: String, partition: Int32, read: Int64, of: Int64)
    case metadata(topic: String, error: KafkaError)
    case createTopic(topic: String, error: KafkaError)

    public var description: String {
        switch self {
        case .watermarks(let t, let p, let e): return "cannot read the offsets of \(t)[\(p)]: \(e) (is the cluster reachable?)"
        case .assign(let t, let p, let e): return "cannot assign \(t)[\(p)] to the reader: \(e)"
        case .fetch(let t, let p, let e): return "reading \(t)[\(p)] failed: \(e)"
        case .timedOut(let t, let p, let read, let of):
            return "reading \(t)[\(p)] timed out after \(read) of \(of) records (a slow or unreachable broker; raise the timeout or check the cluster)"
        case .metadata(let t, let e): return "cannot read the metadata of topic \(t): \(e) (is the cluster reachable?)"
        case .createTopic(let t, let e): return "cannot create topic \(t): \(e) (create it by hand, compacted, or allow the relay to create topics)"
        }
    }
}

/// What the C callbacks reach through the opaque pointer: the logger.
private final class ReaderCore: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private let readerErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let opaque else { return }
    let core = Unmanaged<ReaderCore>.fromOpaque(opaque).takeUnretainedValue()
    core.logger.warning("kafka reader error", metadata: ["error": .string("\(kafkaError(rd_kafka_resp_err_t(rawValue: code), reason: reason.map { String(cString: $0) }))")])
}

private let readerLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, text in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let core = Unmanaged<ReaderCore>.fromOpaque(opaque).takeUnretainedValue()
    core.logger.log(level: librdkafkaLogLevel(level), "\(text.map { String(cString: $0) } ?? "")",
                    metadata: ["facility": .string(facility.map { String(cString: $0) } ?? "")])
}
