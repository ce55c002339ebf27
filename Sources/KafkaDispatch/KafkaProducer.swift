import CRdKafka
import Dispatch
import Foundation
import Logging
import Synchronization

/// A librdkafka producer for one `[[kafka]]` cluster: any topic per message, non-blocking sends,
/// delivery reports on a poll thread, counters per topic, flush and clean shutdown.
///
/// ```swift
/// let producer = try KafkaProducer(config: cluster) { report in
///     if let error = report.error { print("failed:", error) }
/// }
/// let seq = try producer.send(KafkaMessage(topic: "cpu-alerts", key: "cpu:nil", value: body))
/// producer.close(timeout: .seconds(10))
/// ```
///
/// The delivery handler runs on librdkafka's poll thread (or the thread calling ``flush(timeout:)``);
/// keep it short.
public final class KafkaProducer: Sendable {
    /// The cluster id this producer serves.
    public let clusterID: String
    private let handle: RdKafkaHandle
    private let core: ProducerCore
    private let lifecycle = Mutex<Lifecycle>(.running)
    private let pollStop = StopFlag()
    private let pollDone = DispatchSemaphore(value: 0)
    private let sequence = Atomic<UInt64>(0)

    private enum Lifecycle { case running, closed }

    /// Creates the producer and starts its poll thread.
    ///
    /// - Parameters:
    ///   - config: a validated cluster section.
    ///   - extraProperties: librdkafka properties applied after the config's own (tests, benchmarks).
    ///   - logger: where librdkafka's errors and logs go.
    ///   - onDelivery: called once per message with its outcome.
    /// - Throws: ``KafkaProducerError`` when librdkafka refuses the configuration.
    public init(config: KafkaClusterConfig,
                extraProperties: [RdKafkaProperty] = [],
                logger: Logger = Logger(label: "alertrelay.kafka"),
                onDelivery: (@Sendable (KafkaDeliveryReport) -> Void)? = nil) throws(KafkaProducerError) {
        self.clusterID = config.id
        var logger = logger
        logger[metadataKey: "cluster"] = .string(config.id)
        if config.useSSL && config.insecureSkipVerify {
            logger.warning("insecure-skip-verify is set: the brokers' TLS certificates and hostnames are not checked")
        }
        let core = ProducerCore(clusterID: config.id, logger: logger, onDelivery: onDelivery)
        let conf: OpaquePointer
        switch RdKafkaConfiguration.make(config.librdkafkaProperties() + extraProperties) {
        case .success(let c): conf = c
        case .failure(let r): throw .configuration(property: r.name, reason: r.reason)
        }
        let unmanaged = Unmanaged.passRetained(core)
        rd_kafka_conf_set_opaque(conf, unmanaged.toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            unmanaged.release()
            throw .creation(reason: errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        self.handle = RdKafkaHandle(pointer: rk)
        self.core = core
        let handle = self.handle
        let stop = pollStop
        let done = pollDone
        let thread = Thread {
            while !stop.isSet { rd_kafka_poll(handle.pointer, 100) }
            done.signal()
        }
        thread.name = "kafka-poll-\(config.id)"
        thread.start()
    }

    deinit {
        close(timeout: .zero)
    }

    /// Queues a message without blocking and returns its sequence number (the one its delivery
    /// report will carry).
    ///
    /// - Throws: ``KafkaSendError/queueFull`` when librdkafka's queue is full: the caller must
    ///   wait and retry (see ``send(_:waitingUpTo:)``); nothing is dropped silently.
    @discardableResult
    public func send(_ message: KafkaMessage) throws(KafkaSendError) -> UInt64 {
        guard lifecycle.withLock({ $0 == .running }) else { throw .closed }
        let topic = try core.topic(named: message.topic, producer: handle.pointer)
        let seq = sequence.add(1, ordering: .relaxed).newValue
        let opaque = UnsafeMutableRawPointer(bitPattern: UInt(seq << 3 | message.partitioning.code))
        core.countQueued(topicIndex: topic.index)
        let failure = Self.produce(handle.pointer, topic: topic.handle, message: message, opaque: opaque)
        if let failure {
            core.uncountQueued(topicIndex: topic.index)
            throw failure
        }
        return seq
    }

    /// Queues a message, waiting while the local queue is full, for at most `timeout`.
    @discardableResult
    public func send(_ message: KafkaMessage, waitingUpTo timeout: Duration) async throws(KafkaSendError) -> UInt64 {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try send(message)
            } catch .queueFull where ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Like ``send(_:waitingUpTo:)`` for threads outside Swift concurrency: sleeps the calling thread.
    @discardableResult
    public func sendBlocking(_ message: KafkaMessage, waitingUpTo timeout: Duration) throws(KafkaSendError) -> UInt64 {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try send(message)
            } catch .queueFull where ContinuousClock.now < deadline {
                usleep(200)
            }
        }
    }

    /// Waits until every queued message has a delivery report, for at most `timeout`.
    /// - Returns: true when nothing is left outstanding.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        guard lifecycle.withLock({ $0 == .running }) else { return outstanding == 0 }
        return rd_kafka_flush(handle.pointer, Self.milliseconds(timeout)) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Messages queued or in flight, not yet reported.
    public var outstanding: Int {
        lifecycle.withLock { $0 == .running } ? Int(rd_kafka_outq_len(handle.pointer)) : 0
    }

    /// Counters per topic.
    public var statistics: [String: KafkaTopicStatistics] { core.statistics() }

    /// The last error librdkafka reported for the connection (e.g. all brokers down), if any.
    public var lastClientError: KafkaError? { core.lastClientError }

    /// Flushes for at most `timeout`, then reports every message still queued as failed
    /// (`_PURGE_QUEUE`), stops the poll thread and frees librdkafka. Safe to call twice.
    public func close(timeout: Duration) {
        let wasRunning = lifecycle.withLock { state -> Bool in
            defer { state = .closed }
            return state == .running
        }
        guard wasRunning else { return }
        let rk = handle.pointer
        if timeout > .zero { _ = rd_kafka_flush(rk, Self.milliseconds(timeout)) }
        let purgeFlags = Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        _ = rd_kafka_purge(rk, purgeFlags)
        pollStop.set()
        pollDone.wait()
        _ = rd_kafka_poll(rk, 0)  // delivers the purge reports on this thread
        core.destroyTopics()
        rd_kafka_destroy(rk)
        Unmanaged.passUnretained(core).release()
    }

    static func milliseconds(_ d: Duration) -> Int32 {
        let (s, atto) = d.components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }

    private static func produce(_ rk: OpaquePointer, topic: OpaquePointer, message: KafkaMessage,
                                opaque: UnsafeMutableRawPointer?) -> KafkaSendError? {
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            let h = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { v in
                        _ = rd_kafka_header_add(h, header.name, -1, v.baseAddress, v.count)
                    }
                } else {
                    _ = rd_kafka_header_add(h, header.name, -1, nil, 0)
                }
            }
            headers = h
        }
        let error: OpaquePointer? = message.value.withUnsafeBytes { value in
            withOptionalBytes(message.key) { key in
                var vus: [rd_kafka_vu_t] = []
                vus.reserveCapacity(6)
                vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_RKT, u: .init(rkt: topic)))
                vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_MSGFLAGS, u: .init(i: RD_KAFKA_MSG_F_COPY)))
                vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_VALUE,
                                         u: .init(mem: .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count))))
                if let key {
                    // A present but empty key must stay "present": give librdkafka a non-null pointer.
                    let base = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
                    vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_KEY,
                                             u: .init(mem: .init(ptr: UnsafeMutableRawPointer(mutating: base), size: key.count))))
                }
                vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_OPAQUE, u: .init(ptr: opaque)))
                if let headers {
                    vus.append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_HEADERS, u: .init(headers: headers)))
                }
                return rd_kafka_produceva(rk, vus, vus.count)
            }
        }
        guard let error else { return nil }
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        let reason = String(cString: rd_kafka_error_string(error))
        rd_kafka_error_destroy(error)
        switch code {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL: return .queueFull
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: return .messageTooLarge(bytes: message.value.count)
        default: return .refused(KafkaError(code: code.rawValue, name: String(cString: rd_kafka_err2name(code)), reason: reason))
        }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

/// Why a producer could not be created.
public enum KafkaProducerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka refused a configuration property.
    case configuration(property: String, reason: String)
    /// `rd_kafka_new` failed.
    case creation(reason: String)
    /// No `[[kafka]]` section is enabled with this id.
    case unknownCluster(String)

    public var description: String {
        switch self {
        case .configuration(let p, let r): return "librdkafka rejects \(p): \(r)"
        case .creation(let r): return "cannot create the Kafka producer: \(r)"
        case .unknownCluster(let id): return "unknown cluster \"\(id)\""
        }
    }
}

/// An `rd_kafka_t` pointer that may cross threads (librdkafka's handle is thread-safe).
struct RdKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A one-way flag the poll thread watches.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// The state librdkafka's C callbacks reach through the configuration's opaque pointer.
final class ProducerCore: @unchecked Sendable {
    struct Topic: @unchecked Sendable {
        let index: Int
        let handle: OpaquePointer
    }

    private struct TopicEntry: @unchecked Sendable {
        let name: String
        let handle: OpaquePointer
        var stats = KafkaTopicStatistics()
    }

    private struct State: @unchecked Sendable {
        var indexByName: [String: Int] = [:]
        var topics: [TopicEntry] = []
        var lastClientError: KafkaError?
    }

    let clusterID: String
    let logger: Logger
    let onDelivery: (@Sendable (KafkaDeliveryReport) -> Void)?
    private let state = Mutex(State())

    init(clusterID: String, logger: Logger, onDelivery: (@Sendable (KafkaDeliveryReport) -> Void)?) {
        self.clusterID = clusterID
        self.logger = logger
        self.onDelivery = onDelivery
    }

    /// The topic handle for `name`, created on first use with Kapacitor's partitioners installed.
    func topic(named name: String, producer rk: OpaquePointer) throws(KafkaSendError) -> Topic {
        let result: Result<Topic, KafkaSendError> = state.withLock { state in
            if let i = state.indexByName[name] { return .success(Topic(index: i, handle: state.topics[i].handle)) }
            guard !name.isEmpty else { return .failure(.invalidTopic(name, reason: "topic must not be empty")) }
            let index = state.topics.count
            guard let tconf = rd_kafka_default_topic_conf_dup(rk) else {
                return .failure(.invalidTopic(name, reason: "cannot copy the default topic configuration"))
            }
            rd_kafka_topic_conf_set_partitioner_cb(tconf, partitionerCallback)
            rd_kafka_topic_conf_set_opaque(tconf, UnsafeMutableRawPointer(bitPattern: index + 1))
            guard let rkt = rd_kafka_topic_new(rk, name, tconf) else {
                let err = rd_kafka_last_error()
                return .failure(.invalidTopic(name, reason: String(cString: rd_kafka_err2str(err))))
            }
            state.topics.append(TopicEntry(name: name, handle: rkt))
            state.indexByName[name] = index
            return .success(Topic(index: index, handle: rkt))
        }
        return try result.get()
    }

    func countQueued(topicIndex: Int) {
        state.withLock { $0.topics[topicIndex].stats.queued += 1 }
    }

    func uncountQueued(topicIndex: Int) {
        state.withLock { $0.topics[topicIndex].stats.queued -= 1 }
    }

    func delivered(topicIndex: Int, sequence: UInt64, partition: Int32, offset: Int64, latency: Int64, error: KafkaError?) {
        let topicName: String = state.withLock { state in
            if let error {
                state.topics[topicIndex].stats.failed += 1
                state.topics[topicIndex].stats.lastError = error
            } else {
                state.topics[topicIndex].stats.delivered += 1
            }
            return state.topics[topicIndex].name
        }
        if let error {
            logger.debug("delivery failed", metadata: ["topic": .string(topicName), "error": .string(error.description)])
        }
        onDelivery?(KafkaDeliveryReport(sequence: sequence, topic: topicName, partition: partition, offset: offset,
                                        latencyMicroseconds: latency, error: error))
    }

    func clientError(_ error: KafkaError) {
        state.withLock { $0.lastClientError = error }
        logger.warning("kafka client error", metadata: ["error": .string(error.description)])
    }

    var lastClientError: KafkaError? { state.withLock { $0.lastClientError } }

    func statistics() -> [String: KafkaTopicStatistics] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.topics.map { ($0.name, $0.stats) })
        }
    }

    func destroyTopics() {
        state.withLock { state in
            for topic in state.topics { rd_kafka_topic_destroy(topic.handle) }
        }
    }
}

private func kafkaError(_ code: rd_kafka_resp_err_t, reason: String? = nil) -> KafkaError {
    KafkaError(code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
               reason: reason ?? String(cString: rd_kafka_err2str(code)))
}

private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, opaque in
    guard let message, let opaque else { return }
    let core = Unmanaged<ProducerCore>.fromOpaque(opaque).takeUnretainedValue()
    let m = message.pointee
    let tag = UInt64(UInt(bitPattern: m._private))
    let topicIndex = Int(bitPattern: rd_kafka_topic_opaque(m.rkt)) - 1
    guard topicIndex >= 0 else { return }
    let error: KafkaError? = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : kafkaError(m.err)
    core.delivered(topicIndex: topicIndex, sequence: tag >> 3, partition: m.partition, offset: m.offset,
                   latency: rd_kafka_message_latency(message), error: error)
}

private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let opaque else { return }
    let core = Unmanaged<ProducerCore>.fromOpaque(opaque).takeUnretainedValue()
    let err = rd_kafka_resp_err_t(rawValue: code)
    core.clientError(kafkaError(err, reason: reason.map { String(cString: $0) }))
}

private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, text in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let core = Unmanaged<ProducerCore>.fromOpaque(opaque).takeUnretainedValue()
    let message = "\(facility.map { String(cString: $0) } ?? ""): \(text.map { String(cString: $0) } ?? "")"
    // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
    switch level {
    case ...3: core.logger.error("\(message)")
    case 4: core.logger.warning("\(message)")
    case 5, 6: core.logger.info("\(message)")
    default: core.logger.debug("\(message)")
    }
}

/// librdkafka's partitioner callback: the message opaque's low 3 bits name the algorithm.
private let partitionerCallback: @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = { _, keyData, keyLength, partitionCount, _, messageOpaque in
    guard partitionCount > 0 else { return 0 }
    let code = UInt64(UInt(bitPattern: messageOpaque)) & 7
    let partitioning = KafkaPartitioning(code: code) ?? .kapacitorDefault
    let key = keyData.map { UnsafeRawBufferPointer(start: $0, count: keyLength) }
    if let p = partitioning.partition(forKey: key, partitionCount: partitionCount) { return p }
    return Int32.random(in: 0..<partitionCount)
}
