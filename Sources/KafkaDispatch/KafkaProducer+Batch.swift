import CRdKafka

/// Batch production: many messages handed to librdkafka in one `rd_kafka_produce_batch` call per
/// run of messages for the same topic, which takes the topic's lock once per run instead of once
/// per message and partitions each message as ``send(_:)`` would.
extension KafkaProducer {
    /// The most messages one `rd_kafka_produce_batch` call takes: the payloads are pinned by
    /// nested closures (one level per message), so a run's depth stays small.
    static let batchRunLimit = 128

    /// Queues `messages` in order without blocking; returns each one's outcome, in the same order:
    /// its sequence number (the one its delivery report will carry), or why it was not taken.
    ///
    /// Once one message is refused with ``KafkaSendError/queueFull``, every later one is refused
    /// the same way without being tried (librdkafka's batch call does the same within a call), so
    /// the ones taken are always a prefix of each partition's messages: the caller sends the rest
    /// again in order (``sendBlocking(_:waitingUpTo:)``) and the order per partition is kept.
    /// Other refusals (too large, a bad topic) concern one message and the later ones are tried.
    /// Messages with headers go through ``send(_:)``'s call (the batch call cannot carry them).
    public func sendBatch(_ messages: [KafkaMessage]) -> [Result<UInt64, KafkaSendError>] {
        var results: [Result<UInt64, KafkaSendError>] = []
        results.reserveCapacity(messages.count)
        let done: Void? = withOpenHandle { rk in
            startSending()
            var start = messages.startIndex
            while start < messages.endIndex {
                if case .failure(.queueFull)? = results.last {
                    results.append(.failure(.queueFull))
                    start += 1
                    continue
                }
                let first = messages[start]
                guard first.headers.isEmpty else {
                    results.append(Result { () throws(KafkaSendError) in try produceOne(first, producer: rk) })
                    start += 1
                    continue
                }
                var end = start + 1
                while end < messages.endIndex, end - start < Self.batchRunLimit,
                      messages[end].headers.isEmpty, messages[end].topic == first.topic {
                    end += 1
                }
                produceRun(messages[start..<end], producer: rk, into: &results)
                start = end
            }
            // Every report waiting, served here rather than by the poll thread (see `ReportWake`).
            finishSending(limit: Self.batchRunLimit)
        }
        if done == nil { return Array(repeating: .failure(.closed), count: messages.count) }
        return results
    }

    /// Messages of one topic, without headers, in one `rd_kafka_produce_batch` call.
    private func produceRun(_ run: ArraySlice<KafkaMessage>, producer rk: OpaquePointer,
                            into results: inout [Result<UInt64, KafkaSendError>]) {
        let topic: TopicState, rkt: OpaquePointer
        do throws(KafkaSendError) {
            (topic, rkt) = try topicHandle(run[run.startIndex].topic)
        } catch {
            results.append(contentsOf: repeatElement(.failure(error), count: run.count))
            return
        }
        let firstSequence = takeSequences(run.count)
        // Counted before librdkafka has them: a report may arrive before the call returns (see
        // `TopicState.countingQueued`); the refused ones are taken back below.
        topic.queued.add(UInt64(run.count), ordering: .relaxed)
        var refused: UInt64 = 0
        withUnsafeTemporaryAllocation(of: rd_kafka_message_t.self, capacity: run.count) { slots in
            for (i, message) in run.enumerated() {
                var m = rd_kafka_message_t()
                // RD_KAFKA_MSG_F_PARTITION: a partition the caller chose is honoured per
                // message; the others (RD_KAFKA_PARTITION_UA) go through the partitioner, which
                // reads the algorithm from the opaque's low bits as for `send`.
                m.partition = message.partition ?? RD_KAFKA_PARTITION_UA
                m._private = UnsafeMutableRawPointer(bitPattern: UInt((firstSequence + UInt64(i)) << 3 | message.partitioning.code))
                slots[i] = m  // a C struct: trivial, so plain assignment initializes it
            }
            Self.pinned(run, run.startIndex, slots) {
                _ = rd_kafka_produce_batch(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_PARTITION,
                                           slots.baseAddress, Int32(run.count))
            }
            for (i, message) in run.enumerated() {
                let err = slots[i].err
                if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    results.append(.success(firstSequence + UInt64(i)))
                } else {
                    refused += 1
                    results.append(.failure(Self.sendError(err, bytes: message.value.count)))
                }
            }
        }
        if refused > 0 { topic.queued.subtract(refused, ordering: .relaxed) }
    }

    /// Points each slot at its message's key and value for the duration of `body` (librdkafka
    /// copies both, `RD_KAFKA_MSG_F_COPY`): one nested `withUnsafeBytes` per message, as Swift
    /// arrays lend their storage only within a closure.
    private static func pinned(_ run: ArraySlice<KafkaMessage>, _ index: Int,
                               _ slots: UnsafeMutableBufferPointer<rd_kafka_message_t>, _ body: () -> Void) {
        guard index < run.endIndex else {
            body()
            return
        }
        let message = run[index]
        let slot = index - run.startIndex
        message.value.withUnsafeBytes { value in
            withOptionalBytes(message.key) { key in
                if message.isTombstone {
                    slots[slot].payload = nil
                    slots[slot].len = 0
                } else {
                    slots[slot].payload = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    slots[slot].len = value.count
                }
                if let key {
                    // A present but empty key must stay "present": give librdkafka a non-null pointer.
                    slots[slot].key = UnsafeMutableRawPointer(mutating: key.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                    slots[slot].key_len = key.count
                }
                pinned(run, index + 1, slots, body)
            }
        }
    }
}
