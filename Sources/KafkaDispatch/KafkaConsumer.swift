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
import Locking
import Logging

/// A librdkafka high-level consumer in a consumer group: cooperative-sticky assignment, offsets
/// committed only when the owner says so (never automatically), and one poll thread that hands
/// every message, assignment and revocation to a ``KafkaConsumerHandler``.
///
/// ```swift
/// let consumer = try KafkaConsumer(cluster: cluster, settings: settings, handler: source)
/// consumer.start()
/// consumer.commit([(TopicPartition(topic: "telegraf", partition: 3), 1200)])
/// consumer.close(timeout: .seconds(10))   // revokes (handler.revoked), leaves the group, frees librdkafka
/// ```
///
/// The poll thread blocks in `rd_kafka_consumer_poll`, which sleeps on librdkafka's queue until
/// a message, a rebalance or a commit result arrives (or its timeout passes, to notice
/// ``close()``, which also wakes it at once with `rd_kafka_queue_yield`).
public final class KafkaConsumer: Sendable {
    /// Messages handed to the handler before ``KafkaConsumerHandler/roundEnded()`` at the latest.
    static let roundMessages = 5_000
    /// Payload bytes of a round at most.
    static let roundBytes = 8 << 20

    /// The cluster id it reads from.
    public let clusterID: String
    /// The consumer group.
    public let groupID: String
    private let handle: RdKafkaHandle
    /// The consumer's queue (`rd_kafka_queue_get_consumer`), kept to wake the poll with a yield.
    private let queue: RdKafkaHandle
    private let core: ConsumerCore
    private let users = HandleGuard()
    private let pollStop = StopFlag()
    private let pollDone = DispatchSemaphore(value: 0)
    /// How long the poll thread's close may take, set by ``close(timeout:)`` before it stops the loop.
    private let closeTimeout = Locked(Duration.seconds(30))
    private let phase = Locked(Phase.created)
    private let topics: [String]

    /// Creates the consumer and subscribes it to `settings.topics` (messages flow once ``start()``
    /// runs the poll thread).
    ///
    /// - Parameters:
    ///   - cluster: the `[[kafka]]` section whose brokers, TLS and SASL settings it uses.
    ///   - settings: the group, topics, start position and raw properties.
    ///   - extraProperties: applied last (tests, benchmarks).
    ///   - handler: told of every message and rebalance, on the poll thread.
    /// - Throws: ``KafkaConsumerError`` when librdkafka refuses the configuration or the subscription.
    public init(cluster: KafkaClusterConfig, settings: KafkaConsumerSettings, extraProperties: [RdKafkaProperty] = [],
                handler: any KafkaConsumerHandler, logger: Logger = Logger(label: "alertrelay.kafka-consumer")) throws(KafkaConsumerError) {
        clusterID = cluster.id
        groupID = settings.groupID
        topics = settings.topics
        // Once per process, before the first point is parsed: see KafkaConsumerHeap.
        _ = KafkaConsumerHeap.tuned
        var logger = logger
        logger[metadataKey: "cluster"] = .string(cluster.id)
        logger[metadataKey: "group"] = .string(settings.groupID)
        let core = ConsumerCore(logger: logger, handler: handler)
        let conf: OpaquePointer
        switch RdKafkaConfiguration.make(settings.librdkafkaProperties(cluster: cluster) + extraProperties) {
        case .success(let c): conf = c
        case .failure(let r): throw .configuration(property: r.name, reason: r.reason)
        }
        let unmanaged = Unmanaged.passRetained(core)
        rd_kafka_conf_set_opaque(conf, unmanaged.toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        rd_kafka_conf_set_offset_commit_cb(conf, offsetCommitCallback)
        rd_kafka_conf_set_error_cb(conf, consumerErrorCallback)
        rd_kafka_conf_set_log_cb(conf, consumerLogCallback)
        let rk: OpaquePointer
        switch RdKafkaConfiguration.client(RD_KAFKA_CONSUMER, conf: conf) {
        case .success(let client): rk = client
        case .failure(let failure):
            unmanaged.release()
            throw .creation(reason: failure.reason)
        }
        // Error and log events go to the consumer's queue, which the poll thread serves.
        _ = rd_kafka_poll_set_consumer(rk)
        let list = TopicPartitionList(settings.topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        let err = list.withPointer { rd_kafka_subscribe(rk, $0) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_destroy(rk)
            unmanaged.release()
            throw .subscription(topics: settings.topics, reason: String(cString: rd_kafka_err2str(err)))
        }
        handle = RdKafkaHandle(pointer: rk)
        queue = RdKafkaHandle(pointer: rd_kafka_queue_get_consumer(rk))
        self.core = core
    }

    deinit { close() }

    /// Starts the poll thread (once).
    public func start() {
        guard phase.withLock({ p in
            guard p == .created else { return false }
            p = .running
            return true
        }) else { return }
        let handle = self.handle, core = self.core, stop = pollStop, done = pollDone, clusterID = self.clusterID
        let closeTimeout = self.closeTimeout
        DetachedThread.start("kafka-consumer-\(clusterID)") {
            core.pollLoop(handle.pointer, stop: stop)
            core.close(handle.pointer, within: closeTimeout.withLock { $0 })
            done.signal()
        }
    }

    /// Commits `offsets` (each the next offset to read, as Kafka stores it) for the group.
    /// Asynchronous by default (the result is logged when it fails); `synchronously` waits for the
    /// broker's answer. Safe from any thread; does nothing once closed.
    /// - Returns: the error of a synchronous commit, if any.
    @discardableResult
    public func commit(_ offsets: [(TopicPartition, Int64)]) -> KafkaError? {
        guard !offsets.isEmpty else { return nil }
        return users.using { () -> KafkaError? in
            let list = TopicPartitionList(offsets)
            let err = list.withPointer { rd_kafka_commit(handle.pointer, $0, 1) }
            return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : kafkaConsumerError(err)
        } ?? nil
    }

    /// Commits `offsets` and waits for the broker's answer, at most `timeout`. librdkafka's own
    /// synchronous commit waits without end while the group has no coordinator (every broker
    /// gone: the commit waits in librdkafka for one to come back), which hung a shutdown; this one
    /// sends the same commit with its result posted to a queue of its own and gives up on the
    /// wait (not on the commit, which librdkafka may still send) after `timeout`.
    /// - Returns: the broker's error, `_TIMED_OUT` when no answer came in time, nil on success.
    public func commit(_ offsets: [(TopicPartition, Int64)], waitingUpTo timeout: Duration) -> KafkaError? {
        guard !offsets.isEmpty else { return nil }
        return users.using { () -> KafkaError? in
            let list = TopicPartitionList(offsets)
            guard let results = rd_kafka_queue_new(handle.pointer) else { return kafkaConsumerError(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE) }
            defer { rd_kafka_queue_destroy(results) }
            let err = list.withPointer { rd_kafka_commit_queue(handle.pointer, $0, results, nil, nil) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return kafkaConsumerError(err) }
            let deadline = ContinuousClock.now + timeout
            while true {
                let left = deadline - ContinuousClock.now
                guard left > .zero, let event = rd_kafka_queue_poll(results, KafkaProducer.milliseconds(left)) else {
                    return kafkaConsumerError(RD_KAFKA_RESP_ERR__TIMED_OUT,
                                              reason: "no answer to the offset commit within \(timeout) (is the group coordinator reachable?)")
                }
                defer { rd_kafka_event_destroy(event) }
                guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT else { continue }
                let code = rd_kafka_event_error(event)
                return code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET ? nil : kafkaConsumerError(code)
            }
        } ?? nil
    }

    /// The partitions' positions (the next offset the consumer reads; nil before the first
    /// message or committed offset is known) and high watermarks (the offset the next produced
    /// message gets, as of the last fetch; nil before one). librdkafka's cached values: no request.
    public func offsets(of partitions: [TopicPartition]) -> [TopicPartition: (position: Int64?, high: Int64?)] {
        guard !partitions.isEmpty else { return [:] }
        return users.using { () -> [TopicPartition: (position: Int64?, high: Int64?)] in
            let positions = TopicPartitionList(partitions).withPointer { list in
                _ = rd_kafka_position(handle.pointer, list)
                return (0..<partitions.count).map { list.pointee.elems[$0].offset }
            }
            var out: [TopicPartition: (position: Int64?, high: Int64?)] = [:]
            for (tp, position) in zip(partitions, positions) {
                var low: Int64 = 0, high: Int64 = 0
                let err = rd_kafka_get_watermark_offsets(handle.pointer, tp.topic, tp.partition, &low, &high)
                out[tp] = (position >= 0 ? position : nil, err == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil)
            }
            return out
        } ?? [:]
    }

    /// Client-level errors librdkafka reported so far (brokers down, authentication, ...).
    public var clientErrors: UInt64 { core.clientErrors }
    /// The last client-level error, if any.
    public var lastClientError: KafkaError? { core.lastClientError }
    /// Offset commits the brokers refused (each logged).
    public var commitFailures: UInt64 { core.commitFailures }

    /// Stops the poll thread, which then closes the consumer: its partitions are revoked through
    /// the handler (which may commit there), it leaves the group, and librdkafka is freed. Blocks
    /// until done, at most about `timeout` plus the handler's own revocation time beyond it; a
    /// second call returns at once.
    ///
    /// With every broker gone librdkafka's close would wait for the group coordinator without
    /// end; past `timeout` it is given up: the group then notices the member's absence by its
    /// session timeout, and nothing is committed that was not held.
    public func close(timeout: Duration = .seconds(30)) {
        let before = phase.withLock { p -> Phase in
            defer { p = .closed }
            return p
        }
        switch before {
        case .closed: return
        case .running:
            closeTimeout.withLock { $0 = timeout }
            pollStop.set()
            rd_kafka_queue_yield(queue.pointer)
            pollDone.wait()
        case .created:
            // Never polled: the group was not joined, so nothing waits for a coordinator.
            _ = rd_kafka_consumer_close(handle.pointer)
        }
        _ = users.close()
        rd_kafka_queue_destroy(queue.pointer)
        // Closed above (or given up on): librdkafka's destroy must not try again, unbounded.
        rd_kafka_destroy_flags(handle.pointer, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        Unmanaged.passUnretained(core).release()
    }

    private enum Phase: Sendable {
        case created, running, closed
    }
}

/// The state librdkafka's C callbacks reach through the configuration's opaque pointer, and the
/// poll loop (which runs on the poll thread only).
final class ConsumerCore: Sendable {
    private struct State: Sendable {
        var lastClientError: KafkaError?
        var clientErrors: UInt64 = 0
        var commitFailures: UInt64 = 0
    }

    let logger: Logger
    let handler: any KafkaConsumerHandler
    private let state = Locked(State())
    /// The assigned partitions the handler refused (kept paused); the poll thread's only, locked
    /// for `Sendable` (uncontended).
    private let refused = Locked<Set<TopicPartition>>([])

    init(logger: Logger, handler: any KafkaConsumerHandler) {
        self.logger = logger
        self.handler = handler
    }

    var clientErrors: UInt64 { state.withLock { $0.clientErrors } }
    var lastClientError: KafkaError? { state.withLock { $0.lastClientError } }
    var commitFailures: UInt64 { state.withLock { $0.commitFailures } }

    func clientError(_ error: KafkaError) {
        state.withLock {
            $0.lastClientError = error
            $0.clientErrors += 1
        }
        logger.warning("kafka consumer error", metadata: ["error": .string(error.description)])
    }

    func commitFailed(_ error: KafkaError, _ partitions: [TopicPartition]) {
        state.withLock { $0.commitFailures += 1 }
        logger.warning("offset commit failed; the uncommitted messages are read again after a restart or rebalance",
                       metadata: ["error": .string(error.description), "partitions": .string(partitions.map(\.description).joined(separator: ","))])
    }

    /// The poll thread: hands messages over in rounds until `stop`, then closes the consumer
    /// (which revokes the assignment through the rebalance callback, on this thread).
    func pollLoop(_ rk: OpaquePointer, stop: StopFlag) {
        var topicNames: [OpaquePointer: String] = [:]
        var lastLogged: [Int32: UInt64] = [:]
        func name(_ rkt: OpaquePointer?) -> String {
            guard let rkt else { return "" }
            if let n = topicNames[rkt] { return n }
            let n = String(cString: rd_kafka_topic_name(rkt))
            topicNames[rkt] = n
            return n
        }
        var repause = false
        while !stop.isSet {
            var messages = 0
            var bytes = 0
            var timeout: Int32 = 1000
            while messages < KafkaConsumer.roundMessages, bytes < KafkaConsumer.roundBytes, !stop.isSet,
                  let m = rd_kafka_consumer_poll(rk, timeout) {
                timeout = 0
                let message = m.pointee
                if message.err == RD_KAFKA_RESP_ERR_NO_ERROR, hasRefusals, isRefused(name(message.rkt), message.partition) {
                    // A refused partition's message (fetched before it was paused): dropped, never
                    // handed on nor committed; the partition is paused once it is destroyed.
                    repause = true
                } else if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    messages += 1
                    bytes += message.len
                    let payload = UnsafeRawBufferPointer(start: message.payload, count: message.payload == nil ? 0 : message.len)
                    handler.consumed(KafkaConsumedMessage(partition: TopicPartition(topic: name(message.rkt), partition: message.partition),
                                                          offset: message.offset, payload: payload))
                } else if message.err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    // At most one log line per error code per 10 s: a missing topic repeats itself.
                    let now = DispatchTime.now().uptimeNanoseconds
                    let code = message.err.rawValue
                    if now &- (lastLogged[code] ?? 0) > 10_000_000_000 || lastLogged[code] == nil {
                        lastLogged[code] = now
                        let reason = rd_kafka_message_errstr(m).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(message.err))
                        logger.warning("kafka consumer error", metadata: [
                            "error": .string(kafkaConsumerError(message.err, reason: reason).description),
                            "topic": .string(name(message.rkt)),
                        ])
                    }
                }
                rd_kafka_message_destroy(m)
                if repause {
                    repause = false
                    pauseRefused(rk)
                }
            }
            if messages > 0 { handler.roundEnded() } else { handler.idle() }
        }
    }

    /// Closes the consumer on the poll thread (its partitions revoked through the handler, the
    /// group left), serving the close's events itself so that it can stop waiting at `timeout`:
    /// `rd_kafka_consumer_close` blocks until the coordinator answers, which with the brokers gone
    /// is never. Returns whether the close completed.
    @discardableResult
    func close(_ rk: OpaquePointer, within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        guard let events = rd_kafka_queue_new(rk) else { return false }
        defer { rd_kafka_queue_destroy(events) }
        if let failure = rd_kafka_consumer_close_queue(rk, events) {
            logger.warning("kafka consumer did not close cleanly", metadata: ["error": .string(String(cString: rd_kafka_error_string(failure)))])
            rd_kafka_error_destroy(failure)
            return false
        }
        while rd_kafka_consumer_closed(rk) == 0 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                logger.warning("kafka consumer did not finish leaving its group in time (brokers unreachable?); the group drops it at its session timeout",
                               metadata: ["timeout": .string("\(timeout)")])
                return false
            }
            // Wakes at each event (the close's end among them); at most 100 ms, since
            // `rd_kafka_consumer_closed` is a state with no event of its own promised for it.
            guard let event = rd_kafka_queue_poll(events, min(100, KafkaProducer.milliseconds(left))) else { continue }
            defer { rd_kafka_event_destroy(event) }
            switch rd_kafka_event_type(event) {
            case RD_KAFKA_EVENT_REBALANCE:
                rebalance(rk, rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event))
            case RD_KAFKA_EVENT_ERROR:
                clientError(kafkaConsumerError(rd_kafka_event_error(event), reason: rd_kafka_event_error_string(event).map { String(cString: $0) }))
            default:
                break
            }
        }
        return true
    }

    /// Whether some assigned partition is refused (read on the poll thread per message: cheap).
    private var hasRefusals: Bool { refused.withLock { !$0.isEmpty } }

    /// True when `partition` of `topic` is refused.
    private func isRefused(_ topic: String, _ partition: Int32) -> Bool {
        refused.withLock { $0.contains(TopicPartition(topic: topic, partition: partition)) }
    }

    /// Pauses the refused partitions: once assigned, and again when a message of one still
    /// arrives (a pause in the assignment's callback may not hold: the fetcher starts after it).
    private func pauseRefused(_ rk: OpaquePointer) {
        let partitions = refused.withLock { Array($0) }
        guard !partitions.isEmpty else { return }
        let list = TopicPartitionList(partitions)
        let err = list.withPointer { rd_kafka_pause_partitions(rk, $0) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.error("cannot pause refused partitions", metadata: ["error": .string(kafkaConsumerError(err).description)])
        }
    }

    /// A rebalance, on the poll thread: tell the handler, then apply the change librdkafka asked for.
    func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let partitions = TopicPartitionList.partitions(of: list)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        var failure: OpaquePointer?
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let plan = handler.assigned(partitions)
            if let list, !plan.starts.isEmpty { TopicPartitionList.setOffsets(plan.starts, in: list) }
            if cooperative {
                failure = rd_kafka_incremental_assign(rk, list)
            } else if let e = error(rd_kafka_assign(rk, list)) {
                logger.error("cannot take the assignment", metadata: ["error": .string(e.description)])
            }
            if !plan.paused.isEmpty {
                refused.withLock { $0.formUnion(plan.paused) }
                pauseRefused(rk)
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            refused.withLock { $0.subtract(partitions) }
            handler.revoked(partitions, lost: rd_kafka_assignment_lost(rk) != 0)
            if cooperative {
                failure = rd_kafka_incremental_unassign(rk, list)
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("rebalance failed; dropping the assignment", metadata: ["error": .string(kafkaConsumerError(err).description)])
            refused.withLock { $0.removeAll() }
            handler.revoked(partitions, lost: true)
            _ = rd_kafka_assign(rk, nil)
        }
        if let failure {
            logger.error("cannot apply the rebalance", metadata: ["error": .string(String(cString: rd_kafka_error_string(failure)))])
            rd_kafka_error_destroy(failure)
        }
    }

    private func error(_ code: rd_kafka_resp_err_t) -> KafkaError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : kafkaConsumerError(code)
    }
}

func kafkaConsumerError(_ code: rd_kafka_resp_err_t, reason: String? = nil) -> KafkaError {
    KafkaError(code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
               reason: reason ?? String(cString: rd_kafka_err2str(code)))
}

private let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                               UnsafeMutableRawPointer?) -> Void = { rk, err, list, opaque in
    guard let rk, let opaque else { return }
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.rebalance(rk, err, list) }
}

private let offsetCommitCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                                  UnsafeMutableRawPointer?) -> Void = { _, err, list, opaque in
    // _NO_OFFSET: nothing was new to commit.
    guard let opaque, err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
    let partitions = TopicPartitionList.partitions(of: list)
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef { $0.commitFailed(kafkaConsumerError(err), partitions) }
}

private let consumerErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let opaque else { return }
    let err = rd_kafka_resp_err_t(rawValue: code)
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef {
        $0.clientError(kafkaConsumerError(err, reason: reason.map { String(cString: $0) }))
    }
}

private let consumerLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, text in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    Unmanaged<ConsumerCore>.fromOpaque(opaque)._withUnsafeGuaranteedRef { core in
        core.logger.log(level: librdkafkaLogLevel(level), "\(text.map { String(cString: $0) } ?? "")",
                        metadata: ["facility": .string(facility.map { String(cString: $0) } ?? "")])
    }
}
