import AlertRules
import Ingest
import KafkaDispatch
import Logging
import RelayConfig

/// What group mode sets up at start for the `[[kafka-consumer]]` sections: per section a
/// changelog writer for topic `<group-id>-state` on the section's cluster, and for each input
/// topic where its partitions' state goes. Made once: a reload that adds, removes or moves a
/// consumer's group keeps the changelogs of the start (a consumer added later runs without one
/// until a restart, and the reload says so).
struct GroupModeChangelog {
    /// Where an input topic's partitions keep their state.
    struct Route: Sendable {
        var cluster: KafkaClusterConfig
        var topic: String
    }
    var engine: EngineChangelog
    var routes: [String: Route]

    /// The changelog topic of a consumer group.
    static func topic(groupID: String) -> String { groupID + "-state" }

    /// nil without an enabled `[[kafka-consumer]]` (sidecar mode).
    static func make(_ c: RelayConfiguration, logger: Logger) throws(KafkaProducerError) -> GroupModeChangelog? {
        var writers: [String: StateChangelogWriter] = [:]
        var routes: [String: Route] = [:]
        for k in c.kafkaConsumers where k.enabled {
            guard let cluster = c.kafkaCluster(id: k.cluster) else { continue }
            let topic = Self.topic(groupID: k.settings.groupID)
            var log = logger
            log[metadataKey: "changelog"] = .string(topic)
            let writer = try StateChangelogWriter(cluster: cluster, topic: topic, logger: log)
            for input in k.settings.topics where writers[input] == nil {
                writers[input] = writer
                routes[input] = Route(cluster: cluster, topic: topic)
            }
        }
        guard !writers.isEmpty else { return nil }
        return GroupModeChangelog(engine: EngineChangelog(writers: writers), routes: routes)
    }

    /// The consumers' assignment observer.
    func restorer(pipeline: RelayPipeline, readiness: ReadinessGate, logger: Logger) -> ChangelogRestorer {
        ChangelogRestorer(pipeline: pipeline, routes: routes, readiness: readiness, logger: logger)
    }
}
