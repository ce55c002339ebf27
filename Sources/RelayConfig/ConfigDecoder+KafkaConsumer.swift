import GoDuration
import Ingest
import KafkaDispatch
import NameSuggestion
import TOML

/// `[[kafka-consumer]]` sections: line protocol read from Kafka in a consumer group.
extension ConfigDecoder {
    static let kafkaConsumerKeys = ["enabled", "cluster", "topics", "group-id", "precision", "database", "retention-policy", "start",
                                   "changelog-flush-interval", "revoke-timeout", "librdkafka"]

    mutating func decodeKafkaConsumer(_ t: TOMLTable, index i: Int) -> KafkaConsumerConfig {
        let section = "kafka-consumer"
        var c = KafkaConsumerConfig()
        for key in t.keys.sorted() where !Self.kafkaConsumerKeys.contains(key) {
            let hint = NameSuggestion.closest(to: key, in: Self.kafkaConsumerKeys).map { "did you mean \"\($0)\"? " } ?? ""
            listenerProblem(section, i, key: key, "unknown option (\(hint)known: \(Self.kafkaConsumerKeys.joined(separator: ", ")))")
        }
        if let b = bool(t, "enabled", section, i) { c.enabled = b }
        if let s = string(t, "cluster", section, i) { c.cluster = s }
        if let v = t["topics"] {
            if let array = v.array, array.allSatisfy({ $0.type == .string }) {
                c.settings.topics = array.compactMap { $0.string }
            } else {
                listenerProblem(section, i, key: "topics", "expected an array of topic names, got \(describe(v, key: "topics"))")
                unreadableConsumerTopics.insert(i)
            }
        }
        if let s = string(t, "group-id", section, i) { c.settings.groupID = s }
        if let p = precision(t, section, i) { c.precision = p }
        c.destination = destination(t, section, i)
        if let s = string(t, "start", section, i) {
            if let start = KafkaConsumerStart(rawValue: s) { c.settings.start = start } else {
                listenerProblem(section, i, key: "start", "\"\(s)\" is not earliest or latest (where a new group starts reading)")
            }
        }
        if let d = consumerDuration(t, "changelog-flush-interval", index: i, in: Limits.changelogFlushInterval) {
            c.changelogFlushInterval = d.swiftDuration
        }
        if let d = consumerDuration(t, "revoke-timeout", index: i, in: Limits.revokeTimeout) { c.revokeTimeout = d.swiftDuration }
        if let v = t["librdkafka"] {
            let (properties, problems) = rawLibrdkafka(v)
            c.settings.librdkafka = properties
            for p in problems { listenerProblem(section, i, key: p.key, p.message) }
        }
        return c
    }

    /// A Go duration option of the section within `range`; nil (after reporting) when absent or bad.
    private mutating func consumerDuration(_ t: TOMLTable, _ key: String, index i: Int, in range: ClosedRange<GoDuration>) -> GoDuration? {
        guard let s = string(t, key, "kafka-consumer", i) else { return nil }
        let d: GoDuration
        do { d = try GoDuration(parsing: s) } catch {
            listenerProblem("kafka-consumer", i, key: key, "\(error)")
            return nil
        }
        guard range.contains(d) else {
            listenerProblem("kafka-consumer", i, key: key, "must be from \(range.lowerBound) to \(range.upperBound), got \(d)")
            return nil
        }
        return d
    }

    /// What needs the whole file: the cluster each section names, required options, and
    /// librdkafka's verdict on the consumer's properties.
    mutating func checkKafkaConsumers(_ config: RelayConfiguration) {
        let section = "kafka-consumer"
        var groups: [String: Int] = [:]
        var topics: [String: Int] = [:]
        for (i, c) in config.kafkaConsumers.enumerated() {
            var readable = true
            func problem(_ key: String?, _ message: String) {
                readable = false
                listenerProblem(section, i, key: key, message)
            }
            let cluster = config.kafkaCluster(id: c.cluster)
            if cluster == nil {
                let ids = config.kafka.map { "\"\($0.id)\"" }
                problem("cluster", "no [[kafka]] section has id \"\(c.cluster)\" (known: \(ids.isEmpty ? "none" : ids.joined(separator: ", ")))")
            }
            if unreadableConsumerTopics.contains(i) {
                readable = false
            } else if c.settings.topics.isEmpty {
                problem("topics", "at least one topic is needed")
            } else if let bad = c.settings.topics.first(where: { $0.isEmpty || $0.contains(" " as Character) }) {
                problem("topics", "\"\(bad)\" is not a topic name")
            }
            if c.settings.groupID.isEmpty { problem("group-id", "a consumer group id is needed (relays with the same group split the partitions)") }
            if c.enabled, !c.settings.groupID.isEmpty {
                let key = c.cluster + "\u{0}" + c.settings.groupID
                if let first = groups[key] {
                    problem("group-id", "\"\(c.settings.groupID)\" on cluster \"\(c.cluster)\" is also used by [[kafka-consumer]] #\(first + 1): one relay joins a group once")
                } else {
                    groups[key] = i
                }
            }
            if c.enabled {
                // The engine keys a partition's alert state by topic and partition number: one
                // section per topic, or two groups would write one state.
                for topic in Set(c.settings.topics).sorted() {
                    if let first = topics[topic] {
                        problem("topics", "\"\(topic)\" is also read by [[kafka-consumer]] #\(first + 1): a topic's partitions (and their alert state) have one consumer per relay")
                    } else {
                        topics[topic] = i
                    }
                }
            }
            guard readable, let cluster, let rejected = c.settings.librdkafkaProblem(cluster: cluster) else { continue }
            let isRaw = c.settings.librdkafka[rejected.name] != nil
            var reason = rejected.reason
            // librdkafka quotes the value it refused; a secret's value must not reach the message.
            if let value = c.settings.librdkafka[rejected.name], RdKafkaProperty(rejected.name, value).isSecret, !value.isEmpty {
                reason = reason.replacing(value, with: "<redacted>")
            }
            listenerProblem(section, i, key: isRaw ? "librdkafka.\(rejected.name)" : nil, "librdkafka rejects \(rejected.name): \(reason)")
        }
    }
}
