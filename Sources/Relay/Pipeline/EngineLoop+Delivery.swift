import AlertRules
import Dispatch
import Foundation
import KafkaDispatch
import Logging

/// Delivery, on the engine thread: an event's messages to Kafka (spooled first, in send order,
/// waiting for room rather than dropping) or to log files; re-sends the spool's retry state asks
/// for; what the spool held from before a restart.
extension EngineLoop {
    func deliver(_ d: AlertDelivery) {
        switch d.output {
        case .kafka(let cluster, let topic, let key, let body, let partitioning):
            let message = KafkaMessage(topic: topic, key: key, value: body, partitioning: KafkaPartitioning(partitioning))
            guard let dispatcher = outputs.dispatcher, dispatcher.producer(for: cluster) != nil else {
                fail(d, "cluster \"\(cluster)\" has no producer")
                return
            }
            let spoolID = spoolAppend(cluster: cluster, message: message)
            send(message, to: cluster, spoolID: spoolID, receivedAt: currentReceivedAt, order: nextOrder(), handler: d)
        case .log(let path, let mode, let line):
            do throws(AlertLogError) { try logFiles.append(line, to: path, mode: mode) } catch { fail(d, error.description) }
        case .failed(let reason):
            fail(d, reason)
        }
    }

    /// The next send order number (engine thread): the order re-sends keep.
    func nextOrder() -> UInt64 {
        sendOrder += 1
        return sendOrder
    }

    /// Hands one message to librdkafka (engine thread), unless its cluster is held for a re-send,
    /// where it waits its turn. `handler` is the delivery it came from (nil for replays and re-sends).
    func send(_ message: KafkaMessage, to cluster: String, spoolID: SpoolID?, receivedAt: UInt64, order: UInt64,
                      handler d: AlertDelivery?) {
        let pending = SpoolRetry.Pending(order: order, id: spoolID, message: spoolID == nil ? message : nil, receivedAt: receivedAt)
        if let retry = outputs.retry, !retry.admit(pending, cluster: cluster, timeout: outputs.sendTimeouts[cluster] ?? .seconds(300)) { return }
        guard let producer = outputs.dispatcher?.producer(for: cluster) else {
            let reason = "cluster \"\(cluster)\" is no longer configured"
            if let d { fail(d, reason) }
            outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic, reason: reason)
            if let spoolID { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(cluster: cluster, order: order)
            return
        }
        do throws(KafkaSendError) {
            var sequence: UInt64
            do throws(KafkaSendError) {
                sequence = try producer.send(message)
            } catch .queueFull {
                // Wait for room rather than drop the alert; the point queue fills meanwhile.
                logger.debug("librdkafka queue full; waiting", metadata: ["cluster": .string(cluster)])
                sequence = try producer.sendBlocking(message, waitingUpTo: outputs.sendTimeouts[cluster] ?? .seconds(300))
            }
            if let (early, entry) = outputs.latency?.sent(cluster: cluster, sequence: sequence, receivedAt: receivedAt,
                                                         message: message, spoolID: spoolID, order: order) {
                // The report beat us here: finish it now, with the message.
                if let outcomes = outputs.outcomes {
                    outcomes.finish(cluster: cluster, early, entry)
                } else if let spoolID {
                    outputs.spool?.ack(spoolID)
                }
            }
            counters.messagesSent += 1
        } catch {
            if let retry = outputs.retry, error == .queueFull || error == .closed {
                // Still no room after message-timeout (or a reload closed the producer): like a
                // timed-out delivery, it waits for the re-send.
                var p = pending
                p.lastError = error.description
                retry.failed(p, cluster: cluster)
                return
            }
            if let d { fail(d, "kafka cluster \"\(cluster)\" topic \"\(message.topic)\": \(error)") }
            outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic, reason: "\(error)")
            if let spoolID { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(cluster: cluster, order: order)
        }
    }

    /// Appends to the spool, waiting while it is full (block policy); nil without a spool or when
    /// the disk refuses (counted by reason, logged at most every 10 s: the message still goes to
    /// librdkafka, it is just not kept across a crash).
    func spoolAppend(cluster: String, message: KafkaMessage) -> SpoolID? {
        guard let spool = outputs.spool else { return nil }
        var waited = false
        while true {
            do throws(Spool.Failure) {
                return try spool.append(cluster: cluster, message: message)
            } catch {
                if case .full = error {
                    if !waited { spool.countBlocked() }
                    waited = true
                    if !spoolFullLogged {
                        logger.warning("spool full; waiting for Kafka acknowledgements", metadata: ["error": .string(error.description)])
                        spoolFullLogged = true
                    }
                    // Acknowledgements free room (the spool signals it); a due re-send may be what
                    // frees it, so it runs from here too.
                    spool.waitForRoom(until: Date().addingTimeInterval(1))
                    runRetryWork(queue.takeRetryWork())
                    continue
                }
                spool.countUnspooled(error)
                unspooledSinceLog += 1
                let now = ContinuousClock.now
                if unspooledLoggedAt.map({ now - $0 >= .seconds(10) }) ?? true {
                    logger.error("cannot spool alert messages; sending them unspooled (not kept across a crash)", metadata: [
                        "error": .string(error.description), "reason": .string(error.unspooledReason),
                        "messages": .stringConvertible(unspooledSinceLog)])
                    unspooledLoggedAt = now
                    unspooledSinceLog = 0
                }
                return nil
            }
        }
    }

    /// Sends again what a held cluster kept (engine thread): in first-send order, spooled records
    /// read back from disk; those older than `max-age` become dead letters instead.
    func resend(cluster: String) {
        guard let retry = outputs.retry else { return }
        let batch = retry.takeResend(cluster: cluster)
        guard !batch.isEmpty else { return }
        let maxAge = retry.maxAge
        let now = DispatchTime.now().uptimeNanoseconds
        var sent = 0, expired = 0
        // Read back a chunk at a time: a long outage can hold most of the spool.
        var start = 0
        while start < batch.count {
            let chunk = batch[start..<min(batch.count, start + 1024)]
            start = chunk.endIndex
            var byID: [SpoolID: Spool.Record] = [:]
            for (id, r) in outputs.spool?.read(chunk.compactMap(\.id)) ?? [] { if let r { byID[id] = r } }
            for p in chunk {
                guard let message = p.message ?? p.id.flatMap({ byID[$0]?.message }) else { continue }  // dropped by drop-oldest (counted there)
                if let maxAge, Int64(clamping: now &- p.receivedAt) > maxAge.nanoseconds {
                    outputs.deadLetters?.record(cluster: cluster, message: message, topic: message.topic,
                                                reason: "not delivered within [spool] max-age \(maxAge) (last error: \(p.lastError ?? "none"))")
                    if let id = p.id { outputs.spool?.ack(id) }
                    retry.countExpired()
                    expired += 1
                    continue
                }
                send(message, to: cluster, spoolID: p.id, receivedAt: p.receivedAt, order: p.order, handler: nil)
                sent += 1
            }
        }
        logger.info("alert messages sent again after failed deliveries", metadata: [
            "cluster": .string(cluster), "messages": .stringConvertible(sent), "expired": .stringConvertible(expired)])
    }

    /// Sends what the spool held from before a restart.
    func replay(_ records: [(SpoolID, Spool.Record)]) {
        for (id, r) in records {
            send(r.message, to: r.cluster, spoolID: id, receivedAt: DispatchTime.now().uptimeNanoseconds, order: nextOrder(), handler: nil)
        }
        logger.info("spooled alert messages sent again after a restart", metadata: ["messages": .stringConvertible(records.count)])
    }

    func fail(_ d: AlertDelivery, _ reason: String) {
        counters.handlerFailures[d.handlerID, default: 0] += 1
        logger.error("alert not sent", metadata: ["handler": .string(d.handlerID), "id": .string(d.alertID),
                                                  "level": .string(d.level.description), "error": .string(reason)])
    }

}
