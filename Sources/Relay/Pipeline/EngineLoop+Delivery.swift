import AlertRules
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
import Ingest
import KafkaDispatch
import Logging
import RelayConfig

/// Delivery, on the engine thread: an event's records to their outputs (spooled first, in send
/// order, waiting for room rather than dropping) or to log files; re-sends the spool's retry state
/// asks for; what the spool held from before a restart.
extension EngineLoop {
    func deliver(_ d: AlertDelivery) {
        let record: OutputRecord
        switch d.output {
        case .kafka(let cluster, let topic, let key, let body, let partitioning):
            record = OutputRecord(output: OutputID.kafka(cluster),
                                  target: .kafka(topic: topic, key: Array(key.utf8), partitioning: KafkaPartitioning(partitioning)),
                                  body: Array(body.utf8))
        case .post(let output, let url, let headers, let body, let json, let request):
            record = OutputRecord(output: output, target: .post(url: url, headers: headers.map { HTTPHeaderOption(name: $0.name, value: $0.value) },
                                                                json: json, request: request),
                                  body: Array(body.utf8))
        case .tcp(let output, let address, let body):
            record = OutputRecord(output: output, target: .tcp(address: address), body: Array(body.utf8))
        case .log(let path, let mode, let line):
            do throws(AlertLogError) { try logFiles.append(line, to: path, mode: mode) } catch { fail(d, error.description) }
            return
        case .failed(let reason):
            fail(d, reason)
            return
        }
        guard outputs.all[record.output] != nil else {
            fail(d, record.cluster.map { "cluster \"\($0)\" has no producer" } ?? "output \(record.output) is not running")
            return
        }
        let spoolID = spoolAppend(record)
        // A spooled record is held already; any other holds its batch until it is delivered.
        let acknowledgement = spoolID == nil ? currentAcknowledgement : nil
        acknowledgement?.hold()
        send(record, spoolID: spoolID, receivedAt: currentReceivedAt, order: nextOrder(), handler: d, acknowledgement: acknowledgement)
    }

    /// The next send order number (engine thread): the order re-sends keep.
    func nextOrder() -> UInt64 {
        sendOrder += 1
        return sendOrder
    }

    /// How logs name where a record goes: `kafka cluster "c" topic "t"`, `post:<...> http://...`.
    static func describe(_ r: OutputRecord) -> String {
        if let cluster = r.cluster { return "kafka cluster \"\(cluster)\" topic \"\(r.destination)\"" }
        return "\(r.output) (\(r.destination))"
    }

    /// Hands one record to its output (engine thread), unless the output is held for a re-send,
    /// where it waits its turn. `handler` is the delivery it came from (nil for replays and re-sends);
    /// `acknowledgement` the batch's, when this record holds it (released once the record is
    /// delivered or dead-lettered).
    func send(_ record: OutputRecord, spoolID: SpoolID?, receivedAt: UInt64, order: UInt64, handler d: AlertDelivery?,
              acknowledgement: PointsAcknowledgement? = nil) {
        let id = record.output
        let output = outputs.all[id]
        let pending = SpoolRetry.Pending(order: order, id: spoolID, record: spoolID == nil ? record : nil, receivedAt: receivedAt,
                                         acknowledgement: acknowledgement)
        if let retry = outputs.retry, !retry.admit(pending, output: id, timeout: output?.sendTimeout ?? .seconds(300)) { return }
        guard let output else {
            let reason = record.cluster.map { "cluster \"\($0)\" is no longer configured" } ?? "output \(id) is no longer configured"
            if let d { fail(d, reason) }
            outputs.deadLetters?.record(output: id, record: record, destination: nil, reason: reason)
            if let spoolID { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(output: id, order: order)
            acknowledgement?.release()
            return
        }
        do throws(OutputSendError) {
            var sequence: UInt64
            do throws(OutputSendError) {
                sequence = try output.send(record)
            } catch .queueFull {
                // Wait for room rather than drop the alert; the point queue fills meanwhile.
                logger.debug("output queue full; waiting", metadata: ["output": .string(id)])
                let timeout = output.sendTimeout
                sequence = try liveness.waitingForRoom { () throws(OutputSendError) in try output.sendBlocking(record, waitingUpTo: timeout) }
            }
            if let (early, entry) = outputs.latency?.sent(output: id, sequence: sequence, receivedAt: receivedAt,
                                                         record: record, spoolID: spoolID, order: order,
                                                         acknowledgement: acknowledgement) {
                // The report beat us here: finish it now, with the record.
                if let outcomes = outputs.outcomes {
                    outcomes.finish(output: id, early, entry)
                } else {
                    if let spoolID { outputs.spool?.ack(spoolID) }
                    acknowledgement?.release()
                }
            } else if outputs.latency == nil {
                // Nothing will report this record back: handed to its output is as far as it is tracked.
                acknowledgement?.release()
            }
            counters.messagesSent += 1
        } catch {
            if let retry = outputs.retry, error == .queueFull || error == .closed {
                // Still no room after message-timeout (or a reload closed the output): like a
                // timed-out delivery, it waits for the re-send.
                var p = pending
                p.lastError = error.description
                retry.failed(p, output: id)
                return
            }
            if let d { fail(d, "\(Self.describe(record)): \(error)") }
            outputs.deadLetters?.record(output: id, record: record, destination: nil, reason: "\(error)")
            if let spoolID { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(output: id, order: order)
            acknowledgement?.release()
        }
    }

    /// Appends to the spool, waiting while it is full (block policy); nil without a spool or when
    /// the disk refuses (counted by reason, logged at most every 10 s: the record still goes to
    /// its output, it is just not kept across a crash).
    func spoolAppend(_ record: OutputRecord) -> SpoolID? {
        guard let spool = outputs.spool else { return nil }
        var waited = false
        while true {
            do throws(Spool.Failure) {
                return try spool.append(record)
            } catch {
                if case .full = error {
                    if !waited { spool.countBlocked() }
                    waited = true
                    if !spoolFullLogged {
                        logger.warning("spool full; waiting for acknowledgements", metadata: ["error": .string(error.description)])
                        spoolFullLogged = true
                    }
                    // Acknowledgements free room (the spool signals it); a due re-send may be what
                    // frees it, so it runs from here too.
                    liveness.waitingForRoom { spool.waitForRoom(until: Date().addingTimeInterval(1)) }
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

    /// Sends again what a held output kept (engine thread): in first-send order, spooled records
    /// read back from disk; those older than `max-age` become dead letters instead.
    func resend(output id: String) {
        guard let retry = outputs.retry else { return }
        let batch = retry.takeResend(output: id)
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
            for (sid, r) in outputs.spool?.read(chunk.compactMap(\.id)) ?? [] { if let r { byID[sid] = r } }
            for p in chunk {
                guard let record = p.record ?? p.id.flatMap({ byID[$0] }) else { continue }  // dropped by drop-oldest (counted there)
                if let maxAge, Int64(clamping: now &- p.receivedAt) > maxAge.nanoseconds {
                    outputs.deadLetters?.record(output: id, record: record, destination: nil,
                                                reason: "not delivered within [spool] max-age \(maxAge) (last error: \(p.lastError ?? "none"))")
                    if let sid = p.id { outputs.spool?.ack(sid) }
                    retry.countExpired()
                    p.acknowledgement?.release()
                    expired += 1
                    continue
                }
                send(record, spoolID: p.id, receivedAt: p.receivedAt, order: p.order, handler: nil, acknowledgement: p.acknowledgement)
                sent += 1
            }
        }
        logger.info("alert messages sent again after failed deliveries", metadata: [
            "output": .string(OutputID.label(id)), "messages": .stringConvertible(sent), "expired": .stringConvertible(expired)])
    }

    /// Sends what the spool held from before a restart.
    func replay(_ records: [(SpoolID, Spool.Record)]) {
        for (sid, r) in records {
            send(r, spoolID: sid, receivedAt: DispatchTime.now().uptimeNanoseconds, order: nextOrder(), handler: nil)
        }
        logger.info("spooled alert messages sent again after a restart", metadata: ["messages": .stringConvertible(records.count)])
    }

    func fail(_ d: AlertDelivery, _ reason: String) {
        counters.handlerFailures[d.handlerID, default: 0] += 1
        logger.error("alert not sent", metadata: ["handler": .string(d.handlerID), "id": .string(d.alertID),
                                                  "level": .string(d.level.description), "error": .string(reason)])
    }

}
