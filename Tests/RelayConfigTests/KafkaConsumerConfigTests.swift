import Foundation
import Ingest
import KafkaDispatch
import LineProtocol
import Testing
@testable import RelayConfig

/// `[[kafka-consumer]]` sections: a `[[kafka]]` cluster's connection reused, group settings,
/// errors at file:line:col.
@Suite struct KafkaConsumerConfigTests {
    static let cluster = """
        [[kafka]]
          enabled = true
          id = "infra"
          brokers = ["127.0.0.1:9092"]
          use-ssl = true
          sasl-mechanism = "PLAIN"
          sasl-username = "u"
          sasl-password = "p"

        """

    @Test func aConsumerLoadsAndReusesItsClustersConnection() throws {
        let c = try RelayConfiguration.parse("default-retention-policy = \"autogen\"\n" + Self.cluster + """
            [[kafka-consumer]]
              cluster = "infra"
              topics = ["telegraf", "apps"]
              group-id = "alertrelay"
              precision = "s"
              database = "telegraf"
              start = "earliest"
              [kafka-consumer.librdkafka]
                "fetch.wait.max.ms" = 50
                "check.crcs" = true
            """, file: "c.conf")
        let k = try #require(c.kafkaConsumers.first)
        #expect(k.enabled && k.cluster == "infra" && k.settings.topics == ["telegraf", "apps"] && k.settings.groupID == "alertrelay")
        #expect(k.precision == .seconds && k.settings.start == .earliest)
        #expect(k.destination == PointDestination(database: "telegraf", retentionPolicy: "autogen"))
        #expect(k.settings.librdkafka == ["fetch.wait.max.ms": "50", "check.crcs": "true"])
        let cluster = try #require(c.kafkaCluster(id: "infra"))
        let properties = k.settings.librdkafkaProperties(cluster: cluster)
        func value(_ name: String) -> String? { properties.last { $0.name == name }?.value }
        #expect(value("bootstrap.servers") == "127.0.0.1:9092" && value("security.protocol") == "sasl_ssl" && value("sasl.username") == "u")
        #expect(value("group.id") == "alertrelay" && value("partition.assignment.strategy") == "cooperative-sticky")
        #expect(value("enable.auto.commit") == "false" && value("enable.auto.offset.store") == "false" && value("auto.offset.reset") == "earliest")
        #expect(value("fetch.wait.max.ms") == "50")
        // None of the producer's settings reach the consumer.
        #expect(value("acks") == nil && value("linger.ms") == nil && value("enable.idempotence") == nil)
    }

    @Test(arguments: [
        ("[[kafka-consumer]]\n  cluster = \"nope\"\n  topics = [\"t\"]\n  group-id = \"g\"\n",
         "c.conf:10:3: [[kafka-consumer]] #1: cluster: no [[kafka]] section has id \"nope\" (known: \"infra\")"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = []\n  group-id = \"g\"\n",
         "c.conf:11:3: [[kafka-consumer]] #1: topics: at least one topic is needed"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  start = \"beginning\"\n",
         "c.conf:13:3: [[kafka-consumer]] #1: start: \"beginning\" is not earliest or latest (where a new group starts reading)"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n",
         "c.conf:9:1: [[kafka-consumer]] #1: group-id: a consumer group id is needed (relays with the same group split the partitions)"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = \"t\"\n  group-id = \"g\"\n",
         "c.conf:11:3: [[kafka-consumer]] #1: topics: expected an array of topic names, got string \"t\""),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  groupid = \"x\"\n",
         "c.conf:13:3: [[kafka-consumer]] #1: groupid: unknown option (did you mean \"group-id\"? known:"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  [kafka-consumer.librdkafka]\n    \"fetch.wait.max.ms\" = \"soon\"\n",
         "c.conf:14:5: [[kafka-consumer]] #1: librdkafka.fetch.wait.max.ms: librdkafka rejects fetch.wait.max.ms: "),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  precision = \"days\"\n",
         "c.conf:13:3: [[kafka-consumer]] #1: precision: \"days\" is not one of ns, us, ms, s, m, h"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"u\"]\n  group-id = \"g\"\n",
         "c.conf:16:3: [[kafka-consumer]] #2: group-id: \"g\" on cluster \"infra\" is also used by [[kafka-consumer]] #1: one relay joins a group once"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  changelog-flush-interval = \"1ms\"\n",
         "c.conf:13:3: [[kafka-consumer]] #1: changelog-flush-interval: must be from 10ms to 1m0s, got 1ms"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  changelog-flush-interval = \"soon\"\n",
         "c.conf:13:3: [[kafka-consumer]] #1: changelog-flush-interval: "),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  revoke-timeout = \"2h\"\n",
         "c.conf:13:3: [[kafka-consumer]] #1: revoke-timeout: must be from 1s to 10m0s, got 2h0m0s"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n  revoke-timeout = 30\n",
         "c.conf:13:3: [[kafka-consumer]] #1: revoke-timeout: expected a string, got"),
        ("[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"u\", \"t\"]\n  group-id = \"h\"\n",
         "c.conf:15:3: [[kafka-consumer]] #2: topics: \"t\" is also read by [[kafka-consumer]] #1: a topic's partitions (and their alert state) have one consumer per relay"),
    ])
    func brokenSections(text: String, message: String) {
        do {
            _ = try RelayConfiguration.parse(Self.cluster + text, file: "c.conf")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.problems.count == 1, "\(error)")
            #expect(error.description.hasPrefix(message), "\(error)")
        }
    }

    @Test func timingsAreOptionsOfTheSection() throws {
        let base = Self.cluster + "[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n"
        let defaults = try #require(try RelayConfiguration.parse(base, file: "c.conf").kafkaConsumers.first)
        #expect(defaults.changelogFlushInterval == .milliseconds(100) && defaults.revokeTimeout == .seconds(30))
        let set = try #require(try RelayConfiguration.parse(base + "  changelog-flush-interval = \"250ms\"\n  revoke-timeout = \"1m30s\"\n",
                                                            file: "c.conf").kafkaConsumers.first)
        #expect(set.changelogFlushInterval == .milliseconds(250) && set.revokeTimeout == .seconds(90))
    }

    @Test func environmentOverridesReachTheSection() throws {
        let text = Self.cluster + "[[kafka-consumer]]\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n"
        let c = try RelayConfiguration.parse(text, file: "c.conf", environment: [
            "ALERTRELAY_KAFKA_CONSUMER_0_GROUP_ID": "relays", "ALERTRELAY_KAFKA_CONSUMER_0_TOPICS": "a, b",
            "ALERTRELAY_KAFKA_CONSUMER_0_START": "earliest", "ALERTRELAY_KAFKA_CONSUMER_0_ENABLED": "true",
            "ALERTRELAY_KAFKA_CONSUMER_0_CHANGELOG_FLUSH_INTERVAL": "50ms", "ALERTRELAY_KAFKA_CONSUMER_0_REVOKE_TIMEOUT": "5s",
            "ALERTRELAY_KAFKA_CONSUMER_0_RETENTION_POLICY": "week",
            // [[kafka]]'s own overrides still mean [[kafka]].
            "ALERTRELAY_KAFKA_0_BROKERS": "10.0.0.1:9092",
        ])
        let k = try #require(c.kafkaConsumers.first)
        #expect(k.settings.groupID == "relays" && k.settings.topics == ["a", "b"] && k.settings.start == .earliest && k.enabled)
        #expect(k.changelogFlushInterval == .milliseconds(50) && k.revokeTimeout == .seconds(5))
        #expect(k.destination.retentionPolicy == "week")
        #expect(c.kafka.first?.brokers == ["10.0.0.1:9092"])
        // A bad override is checked like the file's value, at the variable's name.
        #expect(throws: ConfigError.self) {
            try RelayConfiguration.parse(text, file: "c.conf", environment: ["ALERTRELAY_KAFKA_CONSUMER_0_REVOKE_TIMEOUT": "forever"])
        }
        for (name, message) in [
            ("ALERTRELAY_KAFKA_CONSUMER_1_GROUP_ID", "there is no [[kafka-consumer]] #2 in the file to override"),
            ("ALERTRELAY_KAFKA_CONSUMER_X_GROUP_ID", "expected ALERTRELAY_KAFKA_CONSUMER_<index>_<OPTION>"),
            ("ALERTRELAY_KAFKA_CONSUMER_0_GROUPID", "unknown option \"groupid\" of [kafka-consumer]"),
        ] {
            do {
                _ = try RelayConfiguration.parse(text, file: "c.conf", environment: [name: "x"])
                Issue.record("accepted \(name)")
            } catch {
                #expect(error.description.contains("environment: \(name): \(message)"), "\(error)")
            }
        }
    }

    @Test func aDisabledSectionIsKeptButStartsNothing() throws {
        let c = try RelayConfiguration.parse(Self.cluster + "[[kafka-consumer]]\n  enabled = false\n  cluster = \"infra\"\n  topics = [\"t\"]\n  group-id = \"g\"\n",
                                             file: "c.conf")
        #expect(c.kafkaConsumers.count == 1 && !c.kafkaConsumers[0].enabled)
    }
}
