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
/// asks for; what the spool held from before a restart. The records a turn raises are spooled at
/// once and handed to their outputs together at the turn's end (``sendTurn()``).
extension EngineLoop {
    func deliver(_ d: AlertDelivery) {
        let record: OutputRecord
        switch d.output {
        case .kafka(let cluster, let topic, let key, let body, let partitioning):
            record = OutputRecord(output: OutputID.kafka(cluster),
                                  target: .kafka(topic: topic, key: Array(key.utf8), partitioning: KafkaPartitioning(partitioning)),
                                  body: body)
        case .post(let output, let url, let headers, let body, let json, let request):
            record = OutputRecord(output: output, target: .post(url: url, headers: headers.map { HTTPHeaderOption(name: $0.name, value: $0.value) },
                                                                json: json, request: request),
                                  body: body)
        case .tcp(let output, let address, let body):
            record = OutputRecord(output: output, target: .tcp(address: address), body: body)
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
        // Without a batch acknowledgement to hold (UDP, clock ticks), the record is staged: the
        // turn's records are written together before the turn hands them out. A batch whose
        // source waits for its acknowledgement writes each record at once, as it is evaluated.
        let spoolID = spoolAppend(record, staged: currentAcknowledgement == nil)
        // A spooled record is held already; any other holds its batch until it is delivered.
        let acknowledgement = spoolID == nil ? currentAcknowledgement : nil
        acknowledgement?.hold()
        turnSends.append(TurnSends.Entry(record: record, spoolID: spoolID, receivedAt: currentReceivedAt, order: nextOrder(),
                                         handler: d, acknowledgement: acknowledgement))
    }

    /// Hands the records this turn raised to their outputs, each output's at once and in send
    /// order (engine thread; at the end of a batch or clock tick, and before anything else sends).
    func sendTurn() {
        guard !turnSends.isEmpty else { return }
        writeStagedSpool()
        for (id, entries) in turnSends.take() {
            let output = outputs.all[id]
            var admitted: [(entry: TurnSends.Entry, pending: SpoolRetry.Pending)] = []
            admitted.reserveCapacity(entries.count)
            for e in entries {
                guard let pending = admit(e.record, spoolID: e.spoolID, receivedAt: e.receivedAt, order: e.order,
                                          acknowledgement: e.acknowledgement, to: output) else { continue }
                admitted.append((e, pending))
            }
            guard !admitted.isEmpty else { continue }
            guard let output else {
                for a in admitted { notConfigured(a.entry.record, a.pending, handler: a.entry.handler) }
                continue
            }
            let results = output.send(batch: admitted.map(\.entry.record))
            var taken: [LatencyTracker.Sent] = []
            taken.reserveCapacity(admitted.count)
            for (i, a) in admitted.enumerated() {
                if case .success(let sequence) = results[i] {
                    taken.append(LatencyTracker.Sent(sequence: sequence, record: a.entry.record, pending: a.pending))
                    continue
                }
                // Those taken so far are tracked before waiting for room (their reports may come meanwhile).
                track(taken, output: id)
                taken.removeAll(keepingCapacity: true)
                handOver(a.entry.record, a.pending, to: output, handler: a.entry.handler, first: results[i])
            }
            track(taken, output: id)
        }
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
        sendTurn()  // what this turn raised goes first: it was given its send order earlier
        let output = outputs.all[record.output]
        guard let pending = admit(record, spoolID: spoolID, receivedAt: receivedAt, order: order, acknowledgement: acknowledgement,
                                  to: output) else { return }
        guard let output else {
            notConfigured(record, pending, handler: d)
            return
        }
        let first: Result<UInt64, OutputSendError>
        do throws(OutputSendError) { first = .success(try output.send(record)) } catch { first = .failure(error) }
        if case .success(let sequence) = first {
            track([LatencyTracker.Sent(sequence: sequence, record: record, pending: pending)], output: record.output)
        } else {
            handOver(record, pending, to: output, handler: d, first: first)
        }
    }

    /// The retry state's admission (nil: the output is held for a re-send and keeps the record).
    private func admit(_ record: OutputRecord, spoolID: SpoolID?, receivedAt: UInt64, order: UInt64,
                       acknowledgement: PointsAcknowledgement?, to output: (any AlertOutput)?) -> SpoolRetry.Pending? {
        let pending = SpoolRetry.Pending(order: order, id: spoolID, record: spoolID == nil ? record : nil, receivedAt: receivedAt,
                                         acknowledgement: acknowledgement)
        if let retry = outputs.retry, !retry.admit(pending, output: record.output, timeout: output?.sendTimeout ?? .seconds(300)) {
            return nil
        }
        return pending
    }

    /// A record for an output a reload removed: a failure and a dead letter.
    private func notConfigured(_ record: OutputRecord, _ pending: SpoolRetry.Pending, handler d: AlertDelivery?) {
        let id = record.output
        let reason = record.cluster.map { "cluster \"\($0)\" is no longer configured" } ?? "output \(id) is no longer configured"
        if let d { fail(d, reason) }
        outputs.deadLetters?.record(output: id, record: record, destination: nil, reason: reason)
        if let spoolID = pending.id { outputs.spool?.ack(spoolID) }
        outputs.retry?.abandoned(output: id, order: pending.order)
        pending.acknowledgement?.release()
    }

    /// Records what the outputs took, for their reports (one lock for the lot); finishes those
    /// whose reports came first.
    private func track(_ taken: [LatencyTracker.Sent], output id: String) {
        guard !taken.isEmpty else { return }
        counters.messagesSent += UInt64(taken.count)
        guard let latency = outputs.latency else {
            // Nothing will report these records back: handed to their output is as far as they are tracked.
            for t in taken { t.pending.acknowledgement?.release() }
            return
        }
        for (early, entry) in latency.sent(output: id, taken) {
            // The report beat us here: finish it now, with the record.
            if let outcomes = outputs.outcomes {
                outcomes.finish(output: id, early, entry)
            } else {
                if let spoolID = entry.spoolID { outputs.spool?.ack(spoolID) }
                entry.acknowledgement?.release()
            }
        }
    }

    /// A record the output did not take at once: waits for room when its queue was full, else
    /// (or when room did not come) goes to the re-send or the dead letters as the error says.
    private func handOver(_ record: OutputRecord, _ pending: SpoolRetry.Pending, to output: any AlertOutput, handler d: AlertDelivery?,
                          first: Result<UInt64, OutputSendError>) {
        let id = record.output
        do throws(OutputSendError) {
            let sequence: UInt64
            switch first {
            case .success(let s):
                sequence = s
            case .failure(.queueFull):
                // Wait for room rather than drop the alert; the point queue fills meanwhile.
                logger.debug("output queue full; waiting", metadata: ["output": .string(id)])
                let timeout = output.sendTimeout
                sequence = try liveness.waitingForRoom { () throws(OutputSendError) in try output.sendBlocking(record, waitingUpTo: timeout) }
            case .failure(let error):
                throw error
            }
            track([LatencyTracker.Sent(sequence: sequence, record: record, pending: pending)], output: id)
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
            if let spoolID = pending.id { outputs.spool?.ack(spoolID) }
            outputs.retry?.abandoned(output: id, order: pending.order)
            pending.acknowledgement?.release()
        }
    }

    /// Writes the records this turn staged in the spool, in one `write`, before any output gets
    /// them; those the disk refused go out unspooled (counted and logged as a refused append).
    private func writeStagedSpool() {
        guard let spool = outputs.spool, let refused = spool.writeStaged() else { return }
        turnSends.unspool(Set(refused.ids))
        for _ in refused.ids { spool.countUnspooled(refused.failure) }
        noteUnspooled(refused.failure, messages: refused.ids.count)
    }

    /// Appends to the spool (`staged`: written with the turn's other records by ``sendTurn()``),
    /// waiting while it is full (block policy); nil without a spool or when the disk refuses
    /// (counted by reason, logged at most every 10 s: the record still goes to its output, it is
    /// just not kept across a crash).
    func spoolAppend(_ record: OutputRecord, staged: Bool = false) -> SpoolID? {
        guard let spool = outputs.spool else { return nil }
        var waited = false
        while true {
            do throws(Spool.Failure) {
                return try staged ? spool.stage(record) : spool.append(record)
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
                noteUnspooled(error, messages: 1)
                return nil
            }
        }
    }

    /// Logs messages sent unspooled because of `error`, at most every 10 s (with how many since).
    private func noteUnspooled(_ error: Spool.Failure, messages: Int) {
        unspooledSinceLog += messages
        let now = ContinuousClock.now
        if unspooledLoggedAt.map({ now - $0 >= .seconds(10) }) ?? true {
            logger.error("cannot spool alert messages; sending them unspooled (not kept across a crash)", metadata: [
                "error": .string(error.description), "reason": .string(error.unspooledReason),
                "messages": .stringConvertible(unspooledSinceLog)])
            unspooledLoggedAt = now
            unspooledSinceLog = 0
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
