import AlertRules
import Ingest
import KafkaDispatch
import Logging

/// A `[[kafka-consumer]]` in group mode: the consumer with its own state changelog — a writer for
/// `<group-id>-state` that the engine flushes the consumer's partitions to, and the assignment
/// observer that restores a partition from it and releases it on revocation. Starting registers
/// the writer with the engine before the consumer joins its group; stopping leaves the group
/// (every partition revoked: state flushed and acknowledged, offsets committed), then retires the
/// writer and closes it. So a reload that adds, removes or changes a section starts, stops or
/// restarts its consumer together with its changelog.
final class GroupModeConsumer: IngestSource {
    /// The consumer.
    let source: KafkaConsumerSource
    private let writer: StateChangelogWriter
    private let restorer: ChangelogRestorer
    private let pipeline: RelayPipeline
    private let logger: Logger

    /// What a stop may take beyond its `grace`: the consumer's close margin and the writer's last second.
    static let stopMargin = KafkaConsumerSource.closeMargin + .seconds(1)

    /// The changelog topic of a consumer group.
    static func changelogTopic(groupID: String) -> String { groupID + "-state" }

    /// Starts `config`'s consumer on `cluster` with its changelog, feeding `pipeline`.
    /// - Throws: ``KafkaProducerError`` or ``KafkaConsumerError`` when librdkafka refuses the
    ///   changelog producer's or the consumer's configuration (nothing is left running then).
    static func start(_ config: KafkaConsumerConfig, cluster: KafkaClusterConfig, pipeline: RelayPipeline, readiness: ReadinessGate?,
                      logger: Logger) async throws -> GroupModeConsumer {
        let topic = changelogTopic(groupID: config.settings.groupID)
        var log = logger
        log[metadataKey: "changelog"] = .string(topic)
        let writer = try StateChangelogWriter(cluster: cluster, topic: topic, flushInterval: config.changelogFlushInterval, logger: log)
        await pipeline.registerChangelog(writer, topics: config.settings.topics)
        let route = ChangelogRestorer.Route(cluster: cluster, topic: topic)
        let restorer = ChangelogRestorer(pipeline: pipeline, routes: Dictionary(config.settings.topics.map { ($0, route) }) { a, _ in a },
                                         readiness: readiness, logger: logger, releaseTimeout: config.revokeTimeout)
        do {
            let source = try KafkaConsumerSource.start(config, cluster: cluster, sink: pipeline, observer: restorer, readiness: readiness,
                                                       logger: logger)
            return GroupModeConsumer(source: source, writer: writer, restorer: restorer, pipeline: pipeline, logger: log)
        } catch {
            await pipeline.unregisterChangelog(writer)
            await onOwnThread("changelog-close") { writer.close(timeout: .zero) }
            throw error
        }
    }

    private init(source: KafkaConsumerSource, writer: StateChangelogWriter, restorer: ChangelogRestorer, pipeline: RelayPipeline,
                 logger: Logger) {
        self.source = source
        self.writer = writer
        self.restorer = restorer
        self.pipeline = pipeline
        self.logger = logger
    }

    var statistics: ListenerStatistics { source.statistics }
    var address: String { source.address }
    var extraTotals: [(name: String, value: UInt64)] { source.extraTotals }

    /// Leaves the group (each partition released through the changelog), retires the writer,
    /// then gives what it still holds what is left of `grace` (at least 1 s) to be acknowledged.
    /// Returns within `grace` + ``stopMargin``, brokers reachable or not (what was not
    /// acknowledged by then was not committed either: the next owner replays it).
    func stop(grace: Duration) async {
        let deadline = ContinuousClock.now + grace
        await source.stop(grace: grace)
        restorer.stop()
        await pipeline.unregisterChangelog(writer)
        let writer = self.writer
        let left = max(.seconds(1), deadline - ContinuousClock.now)
        await onOwnThread("changelog-close") { writer.close(timeout: left) }
        logger.info("state changelog closed", metadata: ["written": .stringConvertible(writer.recordsWritten),
                                                         "failed": .stringConvertible(writer.recordsFailed)])
    }
}
