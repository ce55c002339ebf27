import Ingest
import KafkaDispatch
import Locking

/// Counters that stay cumulative across reloads. A reload that changes `[[kafka]]` replaces the
/// producers, and one that changes a listener replaces it; each new one counts from zero. What the
/// retired ones counted, up to their last report, is kept here and added to the live ones, so
/// `/metrics` never loses or double-counts a message across generations.
final class CumulativeCounters: Sendable {
    private struct State {
        var liveDispatchers: [ObjectIdentifier: KafkaDispatcher] = [:]
        var retiredTopics: [String: [String: KafkaTopicStatistics]] = [:]
        var retiredClientErrors: [String: UInt64] = [:]
        var retiredListeners: [String: ListenerStatistics.Snapshot] = [:]
        var liveOutputs: [ObjectIdentifier: any AlertOutput] = [:]
        var retiredOutputs: [String: OutputStatistics] = [:]
    }
    private let state = Locked(State())

    /// Counts `dispatcher`'s messages from now on (at start and when a reload brings producers).
    func track(_ dispatcher: KafkaDispatcher?) {
        guard let dispatcher else { return }
        state.withLock { $0.liveDispatchers[ObjectIdentifier(dispatcher)] = dispatcher }
    }

    /// Keeps the final counts of a closed `dispatcher` (after its last delivery report).
    func retire(_ dispatcher: KafkaDispatcher) {
        let topics = dispatcher.statistics
        let errors = Dictionary(uniqueKeysWithValues: dispatcher.clusterIDs.map { ($0, dispatcher.producer(for: $0)?.clientErrors ?? 0) })
        state.withLock { s in
            guard s.liveDispatchers.removeValue(forKey: ObjectIdentifier(dispatcher)) != nil else { return }
            for (cluster, perTopic) in topics {
                for (topic, t) in perTopic { s.retiredTopics[cluster, default: [:]][topic, default: .init()].add(t) }
            }
            for (cluster, n) in errors { s.retiredClientErrors[cluster, default: 0] += n }
        }
    }

    /// Counts the post and tcp outputs' records from now on.
    func track(_ outputs: [any AlertOutput]) {
        state.withLock { s in for o in outputs { s.liveOutputs[ObjectIdentifier(o)] = o } }
    }

    /// Keeps the final counts of closed post and tcp outputs.
    func retire(_ outputs: [any AlertOutput]) {
        let finals = outputs.map { ($0, $0.statistics) }
        state.withLock { s in
            for (o, st) in finals where s.liveOutputs.removeValue(forKey: ObjectIdentifier(o)) != nil {
                s.retiredOutputs[o.id, default: OutputStatistics()].add(st)
            }
        }
    }

    /// Per post or tcp output identity: every instance's counts since start.
    var outputs: [String: OutputStatistics] {
        let live = state.withLock { Array($0.liveOutputs.values) }
        let counts = live.map { ($0.id, $0.statistics) }
        return state.withLock { s in
            var totals = s.retiredOutputs
            for (id, st) in counts { totals[id, default: OutputStatistics()].add(st) }
            return totals
        }
    }

    /// Keeps the counts of a listener a reload stopped (its name may come back with new settings).
    func retire(_ listener: ListenerStatistics) {
        let snapshot = listener.snapshot
        state.withLock { $0.retiredListeners[listener.name, default: .zero].add(snapshot) }
    }

    /// Per cluster and topic: every producer's counts since start.
    var kafkaTopics: [String: [String: KafkaTopicStatistics]] {
        state.withLock { s in
            var totals = s.retiredTopics
            for d in s.liveDispatchers.values {
                for (cluster, perTopic) in d.statistics {
                    for (topic, t) in perTopic { totals[cluster, default: [:]][topic, default: .init()].add(t) }
                }
            }
            return totals
        }
    }

    /// Per cluster: client errors librdkafka reported since start.
    var kafkaClientErrors: [String: UInt64] {
        state.withLock { s in
            var totals = s.retiredClientErrors
            for d in s.liveDispatchers.values {
                for id in d.clusterIDs { totals[id, default: 0] += d.producer(for: id)?.clientErrors ?? 0 }
            }
            return totals
        }
    }

    /// Per live listener name: what it counted plus what stopped listeners of that name counted
    /// (a name no listener has now is not reported, but kept in case it comes back).
    func listeners(_ live: [ListenerStatistics]) -> [(name: String, counts: ListenerStatistics.Snapshot)] {
        state.withLock { s in
            var totals: [String: ListenerStatistics.Snapshot] = [:]
            for l in live { totals[l.name, default: s.retiredListeners[l.name] ?? .zero].add(l.snapshot) }
            return totals.keys.sorted().map { ($0, totals[$0]!) }
        }
    }
}

extension KafkaTopicStatistics {
    mutating func add(_ other: KafkaTopicStatistics) {
        queued &+= other.queued
        delivered &+= other.delivered
        failed &+= other.failed
        lastError = other.lastError ?? lastError
    }
}

extension OutputStatistics {
    mutating func add(_ other: OutputStatistics) {
        sent &+= other.sent
        delivered &+= other.delivered
        failed &+= other.failed
    }
}

extension ListenerStatistics.Snapshot {
    static let zero = ListenerStatistics.Snapshot(messages: 0, bytes: 0, pointsAccepted: 0, linesRejected: 0, pointsDropped: 0)

    mutating func add(_ other: ListenerStatistics.Snapshot) {
        messages &+= other.messages
        bytes &+= other.bytes
        pointsAccepted &+= other.pointsAccepted
        linesRejected &+= other.linesRejected
        pointsDropped &+= other.pointsDropped
        connectionsRefused &+= other.connectionsRefused
        connectionsIdleClosed &+= other.connectionsIdleClosed
        descriptorErrors &+= other.descriptorErrors
        acceptErrors &+= other.acceptErrors
    }
}
