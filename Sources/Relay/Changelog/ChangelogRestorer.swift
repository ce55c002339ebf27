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
/// The changelog topic is created at the first assignment when missing, with the input topics'
/// partition count and `cleanup.policy=compact`; a cluster that refuses (no CreateTopics right,
/// librdkafka's mock cluster) leaves it to the broker's auto-creation, which must then be
/// configured compacted by hand.
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
    /// Changelog topics checked (and created if missing) already.
    private let ensured = Locked<Set<String>>([])

    init(pipeline: RelayPipeline, routes: [String: Route], readiness: ReadinessGate?, logger: Logger, releaseTimeout: Duration,
         timeout: Duration = .seconds(120)) {
        self.releaseTimeout = releaseTimeout
        self.pipeline = pipeline
        self.routes = routes
        self.readiness = readiness
        self.logger = logger
        self.timeout = timeout
    }

    func assigned(_ partitions: [TopicPartition]) async -> [TopicPartition: Int64] {
        let token = readiness?.hold("restoring the alert state of \(partitions.map(\.description).joined(separator: ","))")
        defer { if let token { readiness?.release(token) } }
        let rules = await pipeline.changelogHeaders()
        let started = ContinuousClock.now
        var groups = 0
        var starts: [TopicPartition: Int64] = [:]
        // Per changelog (one per consumer group): its topic checked once, then one read per
        // changelog partition, shared by input topics of the same partition number.
        let byChangelog = Dictionary(grouping: partitions.filter { routes[$0.topic] != nil }) { routes[$0.topic]!.topic }
        for (changelog, mine) in byChangelog.sorted(by: { $0.key < $1.key }) {
            let cluster = routes[mine[0].topic]!.cluster
            let ensure = ensured.withLock { $0.insert(changelog).inserted }
            let timeout = self.timeout, logger = self.logger
            let restored: [(StateOwner, RestoredState)] = await onOwnThread("changelog-restore") {
                let reader: KafkaPartitionReader
                do {
                    reader = try KafkaPartitionReader(config: cluster, logger: logger)
                } catch {
                    logger.error("cannot read the state changelog: the partitions start without their alert state",
                                 metadata: ["topic": .string(changelog), "error": .string("\(error)")])
                    return []
                }
                defer { reader.close() }
                if ensure { Self.ensureTopic(reader, topic: changelog, inputs: Set(mine.map(\.topic)), logger: logger) }
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
                return out
            }
            for (owner, state) in restored {
                groups += await pipeline.restoreOwned(state, owner: owner)
                if let offset = state.resumeOffset { starts[TopicPartition(topic: owner.topic, partition: owner.partition)] = offset }
            }
        }
        logger.info("alert state of the assigned partitions restored", metadata: [
            "partitions": .string(partitions.map(\.description).joined(separator: ",")), "groups": .stringConvertible(groups),
            "resume": .string(starts.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ",")),
            "took": .string("\(ContinuousClock.now - started)"),
        ])
        return starts
    }

    /// Flushes and waits for the changelog, then drops the groups; `lost` partitions (this relay
    /// was thrown out of the group, another may own them already) are dropped without a flush,
    /// so that a late write cannot overwrite what their new owner restored and writes.
    func revoked(_ partitions: [TopicPartition], lost: Bool) async {
        let owners = partitions.map { StateOwner(topic: $0.topic, partition: $0.partition) }
        if lost {
            await pipeline.dropOwned(owners)
        } else {
            await pipeline.releaseOwned(owners, timeout: releaseTimeout)
        }
    }

    /// Creates the changelog topic compacted, with as many partitions as the most partitioned
    /// input topic, when it does not exist; warns when an existing one has fewer.
    private static func ensureTopic(_ reader: KafkaPartitionReader, topic: String, inputs: Set<String>, logger: Logger) {
        do {
            var count = 0
            for input in inputs { count = max(count, try reader.partitionCount(topic: input, timeout: .seconds(10)) ?? 0) }
            if let existing = try reader.partitionCount(topic: topic, timeout: .seconds(10)) {
                if existing < count {
                    logger.error("the state changelog topic has fewer partitions than its input: the higher partitions' state cannot be written",
                                 metadata: ["topic": .string(topic), "partitions": .stringConvertible(existing), "input-partitions": .stringConvertible(count)])
                }
                return
            }
            guard count > 0 else { return }
            try reader.createTopic(topic, partitions: count, config: [("cleanup.policy", "compact")], timeout: .seconds(10))
            logger.info("state changelog topic created", metadata: ["topic": .string(topic), "partitions": .stringConvertible(count)])
        } catch {
            logger.warning("cannot create the state changelog topic; create it compacted, with the input's partition count (else the broker's auto-creation makes it)",
                           metadata: ["topic": .string(topic), "error": .string("\(error)")])
        }
    }
}
