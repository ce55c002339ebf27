import AlertRules
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
import Locking
import Logging

/// Group mode's ``PartitionAssignmentObserver``: on assignment it reads each new partition's
/// changelog partition (`<group-id>-state`, same number) from the beginning to its high
/// watermark and restores those groups into the engine before the consumer hands on any message
/// of them; on revocation it flushes the partitions' state to the changelog, waits for the
/// broker's acknowledgement and drops their groups. `/ready` is false while it restores.
///
/// Each assignment first checks the changelog topic (``ChangelogTopicCheck``): created when
/// missing; when it exists with a partition count other than the input's, the assigned
/// partitions are refused — kept paused, nothing restored, read or committed — and `/ready`
/// stays false, naming the topic, both counts and the fix, until the consumer stops.
final class ChangelogRestorer: PartitionAssignmentObserver {
    /// Where an input topic's partitions keep their state.
    struct Route: Sendable {
        var cluster: KafkaClusterConfig
        var topic: String
    }
    let pipeline: RelayPipeline
    /// Each input topic's changelog.
    let routes: [String: Route]
    let readiness: ReadinessGate?
    let logger: Logger
    /// How long one partition's read may take.
    let timeout: Duration
    /// How long a revocation waits for the changelog to acknowledge the partitions' last state.
    let releaseTimeout: Duration
    /// The readiness held per changelog topic refused (until ``stop()``).
    private let refusals = Locked<[String: ReadinessGate.Token]>([:])

    init(pipeline: RelayPipeline, routes: [String: Route], readiness: ReadinessGate?, logger: Logger, releaseTimeout: Duration,
         timeout: Duration = .seconds(120)) {
        self.releaseTimeout = releaseTimeout
        self.pipeline = pipeline
        self.routes = routes
        self.readiness = readiness
        self.logger = logger
        self.timeout = timeout
    }

    /// Drops the readiness its refusals hold (the consumer stopped).
    func stop() {
        let tokens = refusals.withLock { r in
            defer { r.removeAll() }
            return Array(r.values)
        }
        for t in tokens { readiness?.release(t) }
    }

    func assigned(_ partitions: [TopicPartition]) async -> PartitionRestore {
        let token = readiness?.hold("restoring the alert state of \(partitions.map(\.description).joined(separator: ","))")
        defer { if let token { readiness?.release(token) } }
        let rules = await pipeline.changelogHeaders()
        let started = ContinuousClock.now
        var groups = 0
        var starts: [TopicPartition: Int64] = [:]
        var refused: [TopicPartition] = []
        // Per changelog (one per consumer group): its topic checked, then one read per changelog
        // partition, shared by input topics of the same partition number.
        let byChangelog = Dictionary(grouping: partitions.filter { routes[$0.topic] != nil }) { routes[$0.topic]!.topic }
        for (changelog, mine) in byChangelog.sorted(by: { $0.key < $1.key }) {
            let cluster = routes[mine[0].topic]!.cluster
            // Every input topic this changelog mirrors, assigned here or not: its count is the largest.
            let inputs = Set(routes.filter { $0.value.topic == changelog }.keys)
            let timeout = self.timeout, logger = self.logger
            let (check, restored): (ChangelogTopicCheck?, [(StateOwner, RestoredState)]) = await onOwnThread("changelog-restore") {
                let reader: KafkaPartitionReader
                do {
                    reader = try KafkaPartitionReader(config: cluster, logger: logger)
                } catch {
                    logger.error("cannot read the state changelog: the partitions start without their alert state",
                                 metadata: ["topic": .string(changelog), "error": .string("\(error)")])
                    return (nil, [])
                }
                defer { reader.close() }
                let check = ChangelogTopicCheck.run(reader, topic: changelog, inputs: inputs)
                check.log(topic: changelog, to: logger)
                if case .mismatch = check { return (check, []) }
                var out: [(StateOwner, RestoredState)] = []
                for number in Set(mine.map(\.partition)).sorted() {
                    let records: [StateChangelogRecord]
                    do {
                        records = try reader.readToEnd(topic: changelog, partition: number, timeout: timeout)
                            .map { StateChangelogRecord(key: $0.key ?? [], value: $0.value) }
                    } catch {
                        logger.error("cannot read the state changelog: the partition starts without its alert state",
                                     metadata: ["topic": .string(changelog), "partition": .stringConvertible(number), "error": .string("\(error)")])
                        continue
                    }
                    for p in mine where p.partition == number {
                        out.append((StateOwner(topic: p.topic, partition: number), StateChangelogRecord.restored(records, topic: p.topic, rules: rules)))
                    }
                }
                return (check, out)
            }
            if case .mismatch(let have, let want) = check {
                refused += mine
                let reason = ChangelogTopicCheck.refusal(topic: changelog, changelog: have, input: want)
                let held = refusals.withLock { $0[changelog] != nil }
                if !held, let token = readiness?.hold(reason) { refusals.withLock { $0[changelog] = token } }
                continue
            }
            for (owner, state) in restored {
                groups += await pipeline.restoreOwned(state, owner: owner)
                if let offset = state.resumeOffset { starts[TopicPartition(topic: owner.topic, partition: owner.partition)] = offset }
            }
        }
        logger.info("alert state of the assigned partitions restored", metadata: [
            "partitions": .string(partitions.map(\.description).joined(separator: ",")), "groups": .stringConvertible(groups),
            "resume": .string(starts.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ",")),
            "took": .string("\(ContinuousClock.now - started)"), "refused": .string(refused.map(\.description).joined(separator: ",")),
        ])
        return PartitionRestore(starts: starts, refused: refused)
    }

    /// Flushes and waits for the changelog, then drops the groups; `lost` partitions (this relay
    /// was thrown out of the group, another may own them already) are dropped without a flush,
    /// so that a late write cannot overwrite what their new owner restored and writes.
    /// `timeout` (what is left of the revocation) bounds the wait for the changelog, besides
    /// `releaseTimeout`.
    func revoked(_ partitions: [TopicPartition], lost: Bool, timeout: Duration) async {
        let owners = partitions.map { StateOwner(topic: $0.topic, partition: $0.partition) }
        if lost {
            await pipeline.dropOwned(owners)
        } else {
            await pipeline.releaseOwned(owners, timeout: min(timeout, releaseTimeout))
        }
    }
}
