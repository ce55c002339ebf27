import Foundation
import GoDuration
import Ingest
import KafkaDispatch
import LineProtocol
import Testing
@testable import RelayConfig

/// A kapacitor.conf loads as it is: Kapacitor's options that apply are applied, the others are
/// warned about once each with why, and a typo in a section alertrelay owns stays an error.
@Suite struct KapacitorConfTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kapacitor-1.5.9.conf")

    static func shipped() throws -> String { try String(contentsOf: fixture, encoding: .utf8) }

    /// Kapacitor 1.5.9's shipped etc/kapacitor/kapacitor.conf, unchanged.
    @Test func shippedKapacitorConfLoadsWithWarningsOnly() throws {
        let config = try RelayConfiguration.parse(try Self.shipped(), file: "kapacitor.conf")
        let sections = config.warnings.filter { $0.message.contains("is a Kapacitor section alertrelay does not use") }
        // One warning per section name, at its first header, in file order.
        let names = sections.map { String($0.message.dropFirst().prefix { $0 != "]" }) }
        #expect(names == ["tls", "config-override", "replay", "task", "storage", "deadman", "influxdb", "kubernetes", "smtp",
                          "snmptrap", "opsgenie", "opsgenie2", "victorops", "pagerduty", "pagerduty2", "pushover", "slack",
                          "telegram", "hipchat", "alerta", "servicenow", "sensu", "reporting", "stats", "udf", "talk", "mqtt",
                          "swarm", "collectd", "opentsdb", "scraper", "azure", "consul", "dns", "ec2", "file-discovery", "gce",
                          "marathon", "nerve", "serverset", "static-discovery", "static", "triton"])
        #expect(Set(names).count == names.count)
        let smtp = try #require(sections.first { $0.message.hasPrefix("[smtp]") })
        #expect(smtp.description == "kapacitor.conf:225:1: [smtp] is a Kapacitor section alertrelay does not use, ignored: alertrelay's handlers are kafka and log")
        let others = config.warnings.filter { !$0.message.contains("is a Kapacitor section") }.map(\.description)
        #expect(others == [
            "kapacitor.conf:8:1: data_dir: a Kapacitor option without effect here, ignored: alertrelay keeps its state in [relay] state-file",
            "kapacitor.conf:13:1: skip-config-overrides: a Kapacitor option without effect here, ignored: alertrelay has no configuration overrides",
            "kapacitor.conf:27:3: [http]: log-enabled: true has no effect here, ignored: requests are not logged one by one; they are counted in /metrics",
            "kapacitor.conf:60:5: [logging]: file: a Kapacitor option without effect here, ignored: alertrelay logs to standard error (journald, docker and kubectl logs collect it)",
        ])
        // What applies is applied.
        #expect(config.relay.hostname == "localhost")
        #expect(config.http?.bindAddress == ":9092")
        #expect(config.logging.level == .info)
        #expect(config.load.enabled && config.load.dir == "/etc/kapacitor/load")
        #expect(config.kafka.count == 1 && !config.kafka[0].enabled && config.kafka[0].id == "localhost")
        #expect(config.udp.isEmpty)
    }

    /// The shipped file with its [[kafka]] enabled and a Kapacitor [[udp]] section added: both apply.
    @Test func enabledKafkaAndUDPApply() throws {
        var text = try Self.shipped()
        let kafka = try #require(text.range(of: "[[kafka]]\n  # Configure Kafka\n  enabled = false"))
        text.replaceSubrange(kafka, with: "[[kafka]]\n  # Configure Kafka\n  enabled = true")
        text = text.replacingOccurrences(of: "  brokers = []\n", with: "  brokers = [\"kafka-1:9093\", \"kafka-2:9093\"]\n")
        text += """

            [[udp]]
              enabled = true
              bind-address = ":8089"
              database = "telegraf"
              retention-policy = "autogen"
              buffer = 1000
              read-buffer = 8388608
              precision = "s"

            [[udp]]
              enabled = false
              bind-address = ":8090"
              database = "other"
              batch-size = 5000
              batch-pending = 10
              batch-timeout = "1s"

            """
        let config = try RelayConfiguration.parse(text, file: "kapacitor.conf")
        let k = try #require(config.kafka.first)
        #expect(k.enabled && k.brokers == ["kafka-1:9093", "kafka-2:9093"] && k.effectiveBatchSize == 100 && k.timeout == GoDuration(nanoseconds: 10_000_000_000))
        #expect(config.udp.count == 2)
        let u = config.udp[0]
        #expect(u.enabled && u.bindAddress == ":8089" && u.bindAddress.bindHost == "0.0.0.0" && u.bindAddress.port == 8089)
        #expect(u.readBuffer == 8_388_608 && u.precision == .seconds)
        #expect(u.destination == PointDestination(database: "telegraf", retentionPolicy: "autogen"))
        #expect(!config.udp[1].enabled && config.udp[1].destination.database == "other")
        // Kapacitor's default-retention-policy is "": a section without retention-policy keeps "".
        #expect(config.udp[1].destination.retentionPolicy == "")
        let udpWarnings = config.warnings.filter { $0.message.hasPrefix("[[udp]]") }.map(\.message)
        #expect(udpWarnings == [
            "[[udp]] #1: buffer: a Kapacitor option without effect here, ignored: points wait in the relay's own queue ([relay] queue-size)",
            "[[udp]] #2: batch-size: a Kapacitor option without effect here, ignored: InfluxDB's write batching: alertrelay evaluates each datagram as it arrives",
            "[[udp]] #2: batch-pending: a Kapacitor option without effect here, ignored: InfluxDB's write batching: alertrelay evaluates each datagram as it arrives",
            "[[udp]] #2: batch-timeout: a Kapacitor option without effect here, ignored: InfluxDB's write batching: alertrelay evaluates each datagram as it arrives",
        ])
    }

    @Test func defaultRetentionPolicyApplies() throws {
        let config = try RelayConfiguration.parse("""
            default-retention-policy = "autogen"
            [[udp]]
              database = "telegraf"
            [[tcp]]
              database = "telegraf"
              retention-policy = "weekly"
            [http]
              bind-address = "127.0.0.1:0"
            """, file: "k.conf")
        #expect(config.udp[0].destination == PointDestination(database: "telegraf", retentionPolicy: "autogen"))
        #expect(config.tcp[0].destination == PointDestination(database: "telegraf", retentionPolicy: "weekly"))
        #expect(config.http?.defaultRetentionPolicy == "autogen")
    }

    /// Typos in sections alertrelay owns are errors with file:line:col and the likely name.
    @Test(arguments: [
        ("[[udp]]\n  bind-adress = \":8089\"\n",
         "t.conf:2:3: [[udp]] #1: bind-adress: unknown option (did you mean \"bind-address\"? known: enabled, bind-address, database, retention-policy, read-buffer, precision)"),
        ("[[udpp]]\n  bind-address = \":8089\"\n",
         "t.conf:1:1: unknown section or key \"udpp\" (did you mean \"udp\"?) (known: [[kafka]], [[kafka-consumer]], [[udp]], [[tcp]], [http], [admin], [load], [logging], [relay], [spool], [[httppost]])"),
        ("[http]\n  https-enabled = true\n",
         "t.conf:2:3: [http]: https-enabled: alertrelay's HTTP listener has no TLS: terminate TLS in front of it (a proxy or an ingress), or set false"),
        ("[http]\n  auth-enabled = true\n",
         "t.conf:2:3: [http]: auth-enabled: true needs auth-token: alertrelay has no user store; writes then need `Authorization: Token <auth-token>`"),
        ("[[kafka]]\n  enabled = true\n  brokers = [\"k:9092\"]\n  compression = \"brotli\"\n",
         "t.conf:4:3: [[kafka]] #1 (id \"default\"): compression: \"brotli\" is not one of none, gzip, snappy, lz4, zstd"),
        ("[[kafka]]\n  enabled = true\n  brokers = [\"k:9092\"]\n  acks = 2\n",
         "t.conf:4:3: [[kafka]] #1 (id \"default\"): acks: expected \"all\" (or -1), 1 or 0, got integer 2"),
        ("[[kafka]]\n  enabled = true\n  brokers = [\"k:9092\"]\n  sasl-mechanism = \"GSSAPI\"\n",
         "t.conf:4:3: [[kafka]] #1 (id \"default\"): sasl-mechanism: \"GSSAPI\" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"),
        ("[[udp]]\n  enabled = \"yes\"\n",
         "t.conf:2:3: [[udp]] #1: enabled: expected true or false, got string \"yes\""),
        ("[[tcp]]\n  bind-address = \"::1:80\"\n",
         "t.conf:2:3: [[tcp]] #1: bind-address: \"::1:80\" is not host:port (for example \"127.0.0.1:8089\" or \":8089\")"),
    ])
    func ownedSectionTyposStayErrors(text: String, expected: String) {
        #expect(throws: ConfigError.self) { try RelayConfiguration.parse(text, file: "t.conf") }
        do { _ = try RelayConfiguration.parse(text, file: "t.conf") } catch {
            #expect(error.description == expected)
        }
    }

    @Test func typedKafkaOptions() throws {
        let c = try RelayConfiguration.parse("""
            [[kafka]]
              enabled = true
              brokers = ["k:9092"]
              compression = "zstd"
              acks = -1
              sasl-mechanism = "SCRAM-SHA-512"
              sasl-username = "u"
              sasl-password = "p"
            """, file: "k.conf").kafka[0]
        #expect(c.compression == .zstd && c.acks == .all && c.saslMechanism == .scramSHA512)
        #expect(c.librdkafkaProperties().contains { $0.name == "sasl.mechanisms" && $0.value == "SCRAM-SHA-512" })
    }

    /// The 9092 trap: a listener where a [[kafka]] broker is looked for.
    @Test(arguments: [
        ("[http]\n  bind-address = \":9092\"\n", "localhost:9092", true),
        ("[http]\n  bind-address = \"127.0.0.1:9092\"\n", "127.0.0.1:9092", true),
        ("[[tcp]]\n  bind-address = \"0.0.0.0:9092\"\n", "127.0.0.1:9092", true),
        ("[http]\n  bind-address = \":9092\"\n", "kafka-0.kafka:9092", false),
        ("[http]\n  bind-address = \"127.0.0.1:8086\"\n", "127.0.0.1:9092", false),
    ])
    func listenerOnBrokerAddressWarns(listener: String, broker: String, warns: Bool) throws {
        let text = "[[kafka]]\n  enabled = true\n  brokers = [\"\(broker)\"]\n" + listener
        let config = try RelayConfiguration.parse(text, file: "k.conf")
        let trap = config.warnings.filter { $0.message.contains("finds broker") }
        #expect(trap.count == (warns ? 1 : 0), "\(config.warnings)")
        if warns {
            #expect(trap[0].line == 5 && trap[0].column == 3)
            #expect(trap[0].message.contains("the relay would send Kafka requests to its own listener"))
        }
    }
}
