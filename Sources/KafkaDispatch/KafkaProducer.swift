import CRdKafka
import Dispatch
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
import Synchronization
import Locking

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
/// The delivery handlers run on the producer's poll thread or on a sending thread (which serves
/// the reports that arrive while it sends, see ``ReportWake``); keep them short. librdkafka hands reports over
/// as events, one per produce response and partition: ``init(config:extraProperties:logger:onDelivery:onDeliveries:)``'s
/// `onDeliveries` gets each event's reports at once, so that their bookkeeping is done per batch.
public final class KafkaProducer: Sendable {
    /// The cluster id this producer serves.
    public let clusterID: String
    private let handle: RdKafkaHandle
    /// librdkafka's main queue, where delivery reports arrive as events (`RD_KAFKA_EVENT_DR`).
    private let reports: RdKafkaQueue
    private let core: ProducerCore
    /// Calls using `rd_kafka_t` right now; ``close(timeout:)`` waits for them to leave (see
    /// ``HandleGuard`` for why the handle may be freed then).
    private let users = HandleGuard()
    private let pollStop = StopFlag()
    private let pollDone = DispatchSemaphore(value: 0)
    /// Who serves delivery reports: a sending thread, or the poll thread (see ``ReportWake``).
    private let wake = ReportWake()
    private let sequence = Atomic<UInt64>(0)

    /// Enters a call that uses the librdkafka handle; false once the producer is closed.
    private func enter() -> Bool { users.enter() }

    private func leave() { users.leave() }

    /// Creates the producer and starts its poll thread (asleep until librdkafka has an event).
    ///
    /// - Parameters:
    ///   - config: a validated cluster section.
    ///   - extraProperties: librdkafka properties applied after the config's own (tests, benchmarks).
    ///   - logger: where librdkafka's errors and logs go.
    ///   - onDelivery: called once per message with its outcome.
    ///   - onDeliveries: called once per delivery event with the outcomes of its messages (one
    ///     produce response's worth for one partition), after `onDelivery` saw each of them.
    /// - Throws: ``KafkaProducerError`` when librdkafka refuses the configuration.
    public init(config: KafkaClusterConfig,
                extraProperties: [RdKafkaProperty] = [],
                logger: Logger = Logger(label: "alertrelay.kafka"),
                onDelivery: (@Sendable (KafkaDeliveryReport) -> Void)? = nil,
                onDeliveries: (@Sendable ([KafkaDeliveryReport]) -> Void)? = nil) throws(KafkaProducerError) {
        self.clusterID = config.id
        var logger = logger
        logger[metadataKey: "cluster"] = .string(config.id)
        if config.useSSL && config.insecureSkipVerify {
            logger.warning("insecure-skip-verify is set: the brokers' TLS certificates and hostnames are not checked")
        }
        let core = ProducerCore(clusterID: config.id, logger: logger, onDelivery: onDelivery, onDeliveries: onDeliveries)
        let conf: OpaquePointer
        // Statistics first, so that the cluster's own properties and `extraProperties` may change the interval.
        switch RdKafkaConfiguration.make([Self.statisticsInterval] + config.librdkafkaProperties() + extraProperties) {
        case .success(let c): conf = c
        case .failure(let r): throw .configuration(property: r.name, reason: r.reason)
        }
        let unmanaged = Unmanaged.passRetained(core)
        rd_kafka_conf_set_opaque(conf, unmanaged.toOpaque())
        // Delivery reports as events: one wake-up and one call of the handlers per produce
        // response and partition, instead of a callback per message. Errors and statistics come
        // through the same queue as events (a queue served as events returns them as events,
        // whatever callbacks are set), so they are enabled and served here too.
        rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_STATS))
        rd_kafka_conf_set_log_cb(conf, logCallback)
        let rk: OpaquePointer
        switch RdKafkaConfiguration.client(RD_KAFKA_PRODUCER, conf: conf) {
        case .success(let client): rk = client
        case .failure(let failure):
            unmanaged.release()
            throw .creation(reason: failure.reason)
        }
        self.handle = RdKafkaHandle(pointer: rk)
        self.reports = RdKafkaQueue(pointer: rd_kafka_queue_get_main(rk))
        self.core = core
        let reports = self.reports
        let stop = pollStop
        let done = pollDone
        let wake = self.wake
        rd_kafka_queue_cb_event_enable(reports.pointer, reportQueueCallback, Unmanaged.passUnretained(wake).toOpaque())
        DetachedThread.start("kafka-poll-\(config.id)") {
            // Sleeps until woken: when an event lands on the empty queue while no thread is
            // sending, or a sender leaves one behind (``ReportWake``). An idle producer's thread
            // does not wake at all; under load the sending threads serve the reports themselves.
            while true {
                wake.waitForWork()
                if stop.isSet { break }
                while let event = rd_kafka_queue_poll(reports.pointer, 0) { core.serve(event) }
            }
            done.signal()
        }
        // Whatever arrived before the callback was set (it fires only on an empty queue).
        wake.wake()
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
        guard enter() else { throw .closed }
        defer { leave() }
        wake.senderEnters()
        defer { finishSending(limit: 4) }
        return try produceOne(message, producer: handle.pointer)
    }

    /// One message through `rd_kafka_produceva`, counted as queued for its topic; its sequence
    /// number (a sending thread inside ``enter()``: ``send(_:)``, and ``sendBatch(_:)`` for a
    /// message with headers).
    func produceOne(_ message: KafkaMessage, producer rk: OpaquePointer) throws(KafkaSendError) -> UInt64 {
        let topic = try core.topic(named: message.topic, producer: rk)
        let seq = takeSequences(1)
        let opaque = UnsafeMutableRawPointer(bitPattern: UInt(seq << 3 | message.partitioning.code))
        // Borrowed, not retained: the core keeps its topics while the producer is open.
        let refused: KafkaSendError? = topic._withUnsafeGuaranteedRef { topic in
            guard let rkt = topic.handle else { return .invalidTopic(message.topic, reason: "topic handle missing") }
            do throws(KafkaSendError) {
                try topic.countingQueued { () throws(KafkaSendError) in
                    if let failure = Self.produce(rk, topic: rkt, message: message, opaque: opaque) { throw failure }
                }
                return nil
            } catch {
                return error
            }
        }
        if let refused { throw refused }
        return seq
    }

    /// The end of a send (inside ``enter()``): the delivery events waiting, up to `limit`, served
    /// on the sending thread, which frees their messages where they were allocated (see
    /// ``ReportWake``); the poll thread is woken if some may be left.
    func finishSending(limit: Int) {
        var served = 0
        while served < limit, let event = rd_kafka_queue_poll(reports.pointer, 0) {
            core.serve(event)
            served += 1
        }
        let reports = self.reports
        wake.senderLeaves(stoppedAtLimit: served == limit) { rd_kafka_queue_length(reports.pointer) > 0 }
    }

    /// Marks the calling thread as sending until ``finishSending(limit:)`` (the batch send).
    func startSending() { wake.senderEnters() }

    /// The topic state for `name` and its handle (a sending thread inside ``enter()``).
    func topicHandle(_ name: String) throws(KafkaSendError) -> (TopicState, OpaquePointer) {
        let topic = try core.topic(named: name, producer: handle.pointer).takeUnretainedValue()
        guard let rkt = topic.handle else { throw .invalidTopic(name, reason: "topic handle missing") }
        return (topic, rkt)
    }

    /// Takes `count` sequence numbers at once; returns the first.
    func takeSequences(_ count: Int) -> UInt64 {
        sequence.add(UInt64(count), ordering: .relaxed).newValue - UInt64(count) + 1
    }

    /// Runs `body` with the handle if the producer is open (the batch send); nil once closed.
    func withOpenHandle<T>(_ body: (OpaquePointer) -> T) -> T? {
        guard enter() else { return nil }
        defer { leave() }
        return body(handle.pointer)
    }

    /// Queues a message, waiting while librdkafka's local queue is full (each delivery report that
    /// frees room wakes the wait), for at most `timeout`. Blocks the calling thread.
    @discardableResult
    public func sendBlocking(_ message: KafkaMessage, waitingUpTo timeout: Duration) throws(KafkaSendError) -> UInt64 {
        do {
            return try send(message)
        } catch .queueFull {
            let outcome = core.room.retrying(until: ContinuousClock.now + timeout) { () -> Result<UInt64, KafkaSendError>? in
                do throws(KafkaSendError) {
                    return .success(try send(message))
                } catch .queueFull {
                    return nil
                } catch {
                    return .failure(error)
                }
            }
            guard let outcome else { throw .queueFull }
            return try outcome.get()
        }
    }

    /// Waits until every queued message has a delivery report, for at most `timeout`.
    /// - Returns: true when nothing is left outstanding.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        guard enter() else { return true }
        defer { leave() }
        return rd_kafka_flush(handle.pointer, Self.milliseconds(timeout)) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Fails every message still queued in librdkafka (not yet transmitted) with `_PURGE_QUEUE`;
    /// messages in flight to a broker are left to finish. Their reports follow on the poll thread.
    /// The spool's re-send uses it so that no message queued after a timed-out one is delivered
    /// ahead of it.
    public func purgeQueued() {
        guard enter() else { return }
        defer { leave() }
        _ = rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE))
    }

    /// Messages queued or in flight, not yet reported.
    public var outstanding: Int {
        guard enter() else { return 0 }
        defer { leave() }
        return Int(rd_kafka_outq_len(handle.pointer))
    }

    /// Counters per topic.
    public var statistics: [String: KafkaTopicStatistics] { core.statistics() }

    /// Asks the cluster for its broker list (a metadata request): nil when a broker answered
    /// within `timeout`, else the reason. Blocks the calling thread.
    public func checkReachable(timeout: Duration) -> String? {
        guard enter() else { return "the producer is closed" }
        defer { leave() }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle.pointer, 0, nil, &metadata, Self.milliseconds(timeout))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
        let reason = String(cString: rd_kafka_err2str(err))
        // The metadata error is generic ("Broker transport failure"); the client's last error says why
        // (a TLS handshake, authentication, a refused connection).
        if let last = core.lastClientError { return "\(reason) (last error: \(last))" }
        return reason
    }

    /// The last error librdkafka reported for the connection (e.g. all brokers down), if any.
    public var lastClientError: KafkaError? { core.lastClientError }
    /// Client-level errors librdkafka reported so far (TLS handshakes, authentication, all brokers down, ...).
    public var clientErrors: UInt64 { core.clientErrors }

    /// librdkafka's statistics as of its last report (every 5 s by default; nil before the first).
    public var clientStatistics: KafkaClientStatistics? { core.clientStatistics.withLock { $0 } }

    /// How often librdkafka reports its statistics (`statistics.interval.ms`).
    static let statisticsInterval = RdKafkaProperty("statistics.interval.ms", "5000")

    /// Flushes for at most `timeout`, then reports every message still queued as failed
    /// (`_PURGE_QUEUE`), stops the poll thread and frees librdkafka. Safe to call twice.
    public func close(timeout: Duration) {
        guard users.close() else { return }
        let rk = handle.pointer
        if timeout > .zero { _ = rd_kafka_flush(rk, Self.milliseconds(timeout)) }
        let purgeFlags = Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        _ = rd_kafka_purge(rk, purgeFlags)
        pollStop.set()
        wake.wake()
        pollDone.wait()
        // No callback runs after this returns (librdkafka calls it with the queue locked, and
        // this takes the lock): `wake` may go with the producer.
        rd_kafka_queue_cb_event_enable(reports.pointer, nil, nil)
        // Delivers the purge reports on this thread.
        while let event = rd_kafka_queue_poll(reports.pointer, 0) { core.serve(event) }
        rd_kafka_queue_destroy(reports.pointer)
        core.destroyTopics()
        rd_kafka_destroy(rk)
        Unmanaged.passUnretained(core).release()
    }

    static func milliseconds(_ d: Duration) -> Int32 {
        let (s, atto) = d.components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }

    static func produce(_ rk: OpaquePointer, topic: OpaquePointer, message: KafkaMessage,
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
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                var n = 0
                func append(_ vu: rd_kafka_vu_t) {
                    vus[n] = vu
                    n += 1
                }
                append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_RKT, u: .init(rkt: topic)))
                append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_MSGFLAGS, u: .init(i: RD_KAFKA_MSG_F_COPY)))
                if message.isTombstone {
                    append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_VALUE, u: .init(mem: .init(ptr: nil, size: 0))))
                } else {
                    append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_VALUE,
                                         u: .init(mem: .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count))))
                }
                if let partition = message.partition {
                    append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_PARTITION, u: .init(i32: partition)))
                }
                if let key {
                    // A present but empty key must stay "present": give librdkafka a non-null pointer.
                    let base = key.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
                    append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_KEY,
                                             u: .init(mem: .init(ptr: UnsafeMutableRawPointer(mutating: base), size: key.count))))
                }
                append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_OPAQUE, u: .init(ptr: opaque)))
                if let headers {
                    append(rd_kafka_vu_t(vtype: RD_KAFKA_VTYPE_HEADERS, u: .init(headers: headers)))
                }
                return rd_kafka_produceva(rk, vus.baseAddress, n)
                }
            }
        }
        guard let error else { return nil }
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        let reason = String(cString: rd_kafka_error_string(error))
        rd_kafka_error_destroy(error)
        return sendError(code, reason: reason, bytes: message.value.count)
    }

    /// A refused message's error in the senders' terms.
    static func sendError(_ code: rd_kafka_resp_err_t, reason: String? = nil, bytes: Int) -> KafkaSendError {
        switch code {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL: return .queueFull
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: return .messageTooLarge(bytes: bytes)
        default: return .refused(kafkaError(code, reason: reason))
        }
    }
}

func withOptionalBytes<R>(_ bytes: borrowing [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    switch bytes {
    case .some(let b): return b.withUnsafeBytes { body($0) }
    case .none: return body(nil)
    }
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

private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, text in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let core = Unmanaged<ProducerCore>.fromOpaque(opaque).takeUnretainedValue()
    core.logger.log(level: librdkafkaLogLevel(level), "\(text.map { String(cString: $0) } ?? "")",
                    metadata: ["facility": .string(facility.map { String(cString: $0) } ?? "")])
}

/// A librdkafka log line's syslog level as swift-log's: 0-2 (emerg, alert, crit) critical,
/// 3 error, 4 warning, 5 notice, 6 info, 7 debug.
func librdkafkaLogLevel(_ syslog: Int32) -> Logger.Level {
    switch syslog {
    case ...2: return .critical
    case 3: return .error
    case 4: return .warning
    case 5: return .notice
    case 6: return .info
    default: return .debug
    }
}
