import CRdKafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Locking
import Synchronization

/// The state librdkafka's C callbacks reach through the configuration's opaque pointer.
final class ProducerCore: Sendable {
    private struct State: Sendable {
        var topics: [String: TopicState] = [:]
        var lastClientError: KafkaError?
        var clientErrors: UInt64 = 0
    }

    let clusterID: String
    let logger: Logger
    let onDelivery: (@Sendable (KafkaDeliveryReport) -> Void)?
    let onDeliveries: (@Sendable ([KafkaDeliveryReport]) -> Void)?
    /// Wakes senders waiting for room in the local queue.
    let room = QueueRoom()
    /// The last statistics report, parsed (written by the poll thread).
    let clientStatistics = Locked<KafkaClientStatistics?>(nil)
    private let state = Locked(State())

    init(clusterID: String, logger: Logger, onDelivery: (@Sendable (KafkaDeliveryReport) -> Void)?,
         onDeliveries: (@Sendable ([KafkaDeliveryReport]) -> Void)?) {
        self.clusterID = clusterID
        self.logger = logger
        self.onDelivery = onDelivery
        self.onDeliveries = onDeliveries
    }

    /// The topic a send last looked up, as `Unmanaged<TopicState>` bits (0: none yet). A sender
    /// sending to one topic finds it here without the lock, a hash of the name or a reference count
    /// (about 8% of a sending thread's CPU when profiled). Safe unretained: a topic state,
    /// once in `state.topics`, stays there until the core is freed, after the producer's close has
    /// waited out every sender; it is stored (releasing) only after it is complete and in the map,
    /// and loaded acquiring. Another thread may replace it at any time; each value is a valid topic.
    private let lastTopic = Atomic<UInt>(0)

    /// The topic for `name`, created on first use with Kapacitor's partitioners installed; valid
    /// (unretained) while the producer is open (see `lastTopic`).
    func topic(named name: String, producer rk: OpaquePointer) throws(KafkaSendError) -> Unmanaged<TopicState> {
        if let last = UnsafeRawPointer(bitPattern: lastTopic.load(ordering: .acquiring)) {
            let topic = Unmanaged<TopicState>.fromOpaque(last)
            if topic._withUnsafeGuaranteedRef({ $0.name == name }) { return topic }
        }
        let found = try lockedTopic(named: name, producer: rk)
        lastTopic.store(UInt(bitPattern: found.toOpaque()), ordering: .releasing)
        return found
    }

    private func lockedTopic(named name: String, producer rk: OpaquePointer) throws(KafkaSendError) -> Unmanaged<TopicState> {
        let result: Result<Unmanaged<TopicState>, KafkaSendError> = state.withLock { state in
            if let t = state.topics[name] { return .success(.passUnretained(t)) }
            guard !name.isEmpty else { return .failure(.invalidTopic(name, reason: "topic must not be empty")) }
            guard let tconf = rd_kafka_default_topic_conf_dup(rk) else {
                return .failure(.invalidTopic(name, reason: "cannot copy the default topic configuration"))
            }
            rd_kafka_topic_conf_set_partitioner_cb(tconf, partitionerCallback)
            let topic = TopicState(name: name)
            rd_kafka_topic_conf_set_opaque(tconf, Unmanaged.passUnretained(topic).toOpaque())
            guard let rkt = rd_kafka_topic_new(rk, name, tconf) else {
                let err = rd_kafka_last_error()
                return .failure(.invalidTopic(name, reason: String(cString: rd_kafka_err2str(err))))
            }
            topic.attach(rkt)
            state.topics[name] = topic
            return .success(.passUnretained(topic))
        }
        return try result.get()
    }

    /// Serves one event from the main queue and destroys it (which frees its messages, and only
    /// then their place in librdkafka's queue). A delivery event carries the reports of one
    /// produce response for one partition: counted per topic once, handed to `onDeliveries` at
    /// once, one wake-up of waiting senders.
    func serve(_ event: OpaquePointer) {
        switch rd_kafka_event_type(event) {
        case Int32(RD_KAFKA_EVENT_DR):
            break
        case Int32(RD_KAFKA_EVENT_ERROR):
            let code = rd_kafka_event_error(event)
            clientError(kafkaError(code, reason: rd_kafka_event_error_string(event).map { String(cString: $0) }))
            rd_kafka_event_destroy(event)
            return
        case Int32(RD_KAFKA_EVENT_STATS):
            if let json = rd_kafka_event_stats(event) {
                let length = strlen(json)
                if length > 0, let parsed = KafkaClientStatistics(json: Array(UnsafeRawBufferPointer(start: json, count: length))) {
                    clientStatistics.withLock { $0 = parsed }
                }
            }
            rd_kafka_event_destroy(event)
            return
        default:
            rd_kafka_event_destroy(event)
            return
        }
        var reports: [KafkaDeliveryReport] = []
        reports.reserveCapacity(rd_kafka_event_message_count(event))
        withUnsafeTemporaryAllocation(of: UnsafePointer<rd_kafka_message_t>?.self, capacity: 64) { slots in
            // Counters are added once per run of reports for the same topic (an event has one).
            var current: TopicState?
            var delivered: UInt64 = 0, failed: UInt64 = 0
            func count() {
                if let current {
                    if delivered > 0 { current.delivered.add(delivered, ordering: .relaxed) }
                    if failed > 0 { current.failed.add(failed, ordering: .relaxed) }
                }
                delivered = 0
                failed = 0
            }
            while true {
                let n = rd_kafka_event_message_array(event, slots.baseAddress, slots.count)
                if n == 0 { break }
                for i in 0..<n {
                    guard let message = slots[i], let topicOpaque = rd_kafka_topic_opaque(message.pointee.rkt) else { continue }
                    let m = message.pointee
                    // Topic states outlive every report: the producer owns them until it is destroyed.
                    let topic = Unmanaged<TopicState>.fromOpaque(topicOpaque).takeUnretainedValue()
                    if current !== topic {
                        count()
                        current = topic
                    }
                    let tag = UInt64(UInt(bitPattern: m._private))
                    var error: KafkaError?
                    if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                        delivered += 1
                    } else {
                        let e = kafkaError(m.err)
                        failed += 1
                        topic.lastError.withLock { $0 = e }
                        logger.debug("delivery failed", metadata: ["topic": .string(topic.name), "error": .string(e.description)])
                        error = e
                    }
                    let report = KafkaDeliveryReport(sequence: tag >> 3, topic: topic.name, partition: m.partition, offset: m.offset,
                                                     latencyMicroseconds: rd_kafka_message_latency(message), error: error)
                    onDelivery?(report)
                    reports.append(report)
                }
            }
            count()
        }
        if !reports.isEmpty { onDeliveries?(reports) }
        // Destroyed before waiting senders are woken: the messages' places in librdkafka's
        // queue are free only once they are, and a sender woken earlier could find it still full.
        rd_kafka_event_destroy(event)
        room.freed()
    }

    func clientError(_ error: KafkaError) {
        state.withLock {
            $0.lastClientError = error
            $0.clientErrors += 1
        }
        logger.warning("kafka client error", metadata: ["error": .string(error.description)])
    }

    var lastClientError: KafkaError? { state.withLock { $0.lastClientError } }
    var clientErrors: UInt64 { state.withLock { $0.clientErrors } }

    func statistics() -> [String: KafkaTopicStatistics] {
        state.withLock { state in state.topics.mapValues(\.statistics) }
    }

    func destroyTopics() {
        state.withLock { state in
            for topic in state.topics.values { if let h = topic.handle { rd_kafka_topic_destroy(h) } }
        }
    }
}

func kafkaError(_ code: rd_kafka_resp_err_t, reason: String? = nil) -> KafkaError {
    KafkaError(code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
               reason: reason ?? String(cString: rd_kafka_err2str(code)))
}

/// librdkafka's partitioner callback: the message opaque's low 3 bits name the algorithm.
/// crc32 and murmur2 are librdkafka's own C partitioners (`consistent_random`, `murmur2_random`),
/// which pick exactly what Kapacitor's do (the tests check both against Kapacitor's vectors).
private let partitionerCallback: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = { rkt, keyData, keyLength, partitionCount, rktOpaque, messageOpaque in
    guard partitionCount > 0 else { return 0 }
    let code = UInt64(UInt(bitPattern: messageOpaque)) & 7
    let partitioning = KafkaPartitioning(code: code) ?? .kapacitorDefault
    switch partitioning {
    case .byKey(.crc32):
        return rd_kafka_msg_partitioner_consistent_random(rkt, keyData, keyLength, partitionCount, rktOpaque, messageOpaque)
    case .byKey(.murmur2):
        return rd_kafka_msg_partitioner_murmur2_random(rkt, keyData, keyLength, partitionCount, rktOpaque, messageOpaque)
    default:
        let key = keyData.map { UnsafeRawBufferPointer(start: $0, count: keyLength) }
        if let p = partitioning.partition(forKey: key, partitionCount: partitionCount) { return p }
        return Int32.random(in: 0..<partitionCount)
    }
}
