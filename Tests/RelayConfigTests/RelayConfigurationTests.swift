import Foundation
import GoDuration
import KafkaDispatch
import Testing
@testable import RelayConfig

@Suite struct RelayConfigurationTests {
    /// The seed's first example, pasted in unchanged.
    @Test func kapacitorExamplePastesIn() throws {
        let text = """
            [[kafka]]
              enabled = true
              id = "localhost"
              brokers = []
              timeout = "10s"
              batch-size = 100
              batch-timeout = "1s"
              use-ssl = false
              ssl-ca = ""
              ssl-cert = ""
              ssl-key = ""
              insecure-skip-verify = false
            """
        // Kapacitor itself refuses an enabled cluster without brokers; so do we, at the right line.
        #expect(throws: ConfigError(problems: [ConfigProblem(file: "k.conf", line: 4, column: 3,
            message: "[[kafka]] #1 (id \"localhost\"): brokers: no brokers specified, must provide at least one broker URL")])) {
            try RelayConfiguration.parse(text, file: "k.conf")
        }
        let fixed = text.replacingOccurrences(of: "brokers = []", with: "brokers = [\"127.0.0.1:9092\"]")
        let config = try RelayConfiguration.parse(fixed, file: "k.conf")
        #expect(config.kafka.count == 1)
        let c = try #require(config.kafka.first)
        #expect(c.enabled && c.id == "localhost" && c.brokers == ["127.0.0.1:9092"])
        #expect(c.timeout == GoDuration(nanoseconds: 10_000_000_000) && c.batchSize == 100 && c.batchTimeout == .second)
    }

    @Test func severalClustersAndRawProperties() throws {
        let text = """
            [[kafka]]
              enabled = true
              id = "a"
              brokers = ["k1:9092", "k2:9092"]
              compression = "lz4"
              acks = "all"
              [kafka.librdkafka]
                "queue.buffering.max.messages" = 5000
                "socket.keepalive.enable" = true

            [[kafka]]
              enabled = false
              id = "b"
            """
        let config = try RelayConfiguration.parse(text, file: "x.conf")
        #expect(config.kafka.map(\.id) == ["a", "b"])
        #expect(config.enabledKafkaClusters.map(\.id) == ["a"])
        #expect(config.kafka[0].librdkafka == ["queue.buffering.max.messages": "5000", "socket.keepalive.enable": "true"])
        #expect(config.kafka[0].effectiveLibrdkafkaValue("queue.buffering.max.messages") == "5000")
    }

    /// Broken [[kafka]] sections, each with the exact message expected.
    @Test(arguments: [
        ("[[kafka]]\nenabled = true\nid = \"\"\nbrokers = [\"a:1\"]\n",
         "c.conf:3:1: [[kafka]] #1 (id \"\"): id: id must not be empty"),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\nbatch-size = \"100\"\n",
         "c.conf:4:1: [[kafka]] #1 (id \"default\"): batch-size: expected an integer, got string \"100\""),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\ntimeout = 10\n",
         "c.conf:4:1: [[kafka]] #1 (id \"default\"): timeout: expected a duration string such as \"10s\" or \"500ms\", got integer 10"),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\nbatch-timeout = \"1sec\"\n",
         "c.conf:4:1: [[kafka]] #1 (id \"default\"): batch-timeout: time: unknown unit \"sec\" in duration \"1sec\""),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\nbatchsize = 5\n",
         "c.conf:4:1: [[kafka]] #1 (id \"default\"): batchsize: unknown option (did you mean \"batch-size\"? known: enabled, id, brokers, timeout, batch-size, batch-timeout, use-ssl, ssl-ca, ssl-cert, ssl-key, insecure-skip-verify, sasl-mechanism, sasl-username, sasl-password, compression, acks, idempotent, message-timeout, librdkafka)"),
        ("[[kafka]]\nenabled = \"yes\"\n",
         "c.conf:2:1: [[kafka]] #1 (id \"default\"): enabled: expected true or false, got string \"yes\""),
        ("[[kafka]]\nenabled = true\nbrokers = \"a:1\"\n",
         "c.conf:3:1: [[kafka]] #1 (id \"default\"): brokers: expected an array of \"host:port\" strings, got string \"a:1\""),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\nuse-ssl = true\nssl-ca = \"/nonexistent/ca.pem\"\n",
         "c.conf:5:1: [[kafka]] #1 (id \"default\"): ssl-ca: \"/nonexistent/ca.pem\": file does not exist"),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\n[kafka.librdkafka]\n\"linger.ms\" = \"soon\"\n",
         "c.conf:5:1: [[kafka]] #1 (id \"default\"): librdkafka.linger.ms: librdkafka rejects linger.ms: Invalid value for configuration property \"queue.buffering.max.ms\""),
        ("[[kafka]]\nenabled = true\nid = \"x\"\nbrokers = [\"a:1\"]\n\n[[kafka]]\nenabled = true\nid = \"x\"\nbrokers = [\"b:1\"]\n",
         "c.conf:8:1: [[kafka]] #2 (id \"x\"): id: duplicate id \"x\" (also [[kafka]] #1): each cluster needs its own id"),
        ("[kafka]\nenabled = true\n",
         "c.conf:1:1: kafka must be written as [[kafka]] sections (an array of tables), not [kafka]"),
        ("[kafak]\nenabled = true\n",
         "c.conf:1:1: unknown section or key \"kafak\" (did you mean \"kafka\"?) (known: [[kafka]], [[kafka-consumer]], [[udp]], [[tcp]], [http], [admin], [load], [logging], [relay], [spool], [[httppost]])"),
        ("[[kafka]]\nenabled = true\nbrokers = [\"a:1\"\n",
         "c.conf:3:11: TOML syntax: the array opened here is not closed: expected ',' or ']' before the end of the file"),
    ])
    func brokenSections(text: String, message: String) {
        do {
            _ = try RelayConfiguration.parse(text, file: "c.conf")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func everyProblemIsListed() {
        let text = "[[kafka]]\nenabled = true\nid = \"\"\nbatch-size = -1\n"
        do {
            _ = try RelayConfiguration.parse(text, file: "c.conf")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.count == 3)
            #expect(error.problems.map(\.line) == [1, 3, 4])
        }
    }

    @Test func missingFile() {
        #expect(throws: ConfigError(problems: [ConfigProblem(file: "/nonexistent/alertrelay.conf", line: nil,
                                                             message: "cannot read the file: No such file or directory")])) {
            try RelayConfiguration.load(path: "/nonexistent/alertrelay.conf")
        }
    }

    /// A path that opens but cannot be read (a directory) says so, not "not UTF-8".
    @Test func unreadableFile() {
        #expect(throws: ConfigError(problems: [ConfigProblem(file: "/tmp", line: nil, message: "cannot read the file: Is a directory")])) {
            try RelayConfiguration.load(path: "/tmp")
        }
    }
}

@Suite struct ShippedConfigTests {
    /// Config/alertrelay.conf is the example operators copy: it must load as shipped.
    @Test func exampleConfigLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try RelayConfiguration.load(path: root.appendingPathComponent("Config/alertrelay.conf").path, environment: [:])
        #expect(config.enabledKafkaClusters.map(\.id) == ["infra-monitoring"])
        #expect(config.udp.map(\.bindAddress) == ["127.0.0.1:8089"])
        #expect(config.kafka.first?.effectiveBatchSize == 100)
    }
}

@Suite struct ListenerConfigTests {
    @Test func listenerSections() throws {
        let text = """
            [[udp]]
              bind-address = "127.0.0.1:8089"
              read-buffer = 52428800
              precision = "s"
            [[udp]]
              bind-address = ":8090"
            [[tcp]]
              bind-address = "127.0.0.1:8094"
              max-line-length = 4096
            [http]
              bind-address = "127.0.0.1:8086"
              max-body-size = 1048576
              auth-token = "t0ken"
            """
        let c = try RelayConfiguration.parse(text, file: "l.conf")
        #expect(c.udp.map(\.bindAddress) == ["127.0.0.1:8089", ":8090"])
        #expect(c.udp[0].readBuffer == 52_428_800 && c.udp[0].precision == .seconds && c.udp[1].precision == .nanoseconds)
        #expect(c.tcp.first?.maxLineLength == 4096)
        #expect(c.http?.maxBodySize == 1_048_576 && c.http?.authToken == "t0ken")
    }

    @Test(arguments: [
        ("[[udp]]\nbind-address = \"nope\"\n", "l.conf:2:1: [[udp]] #1: bind-address: \"nope\" is not host:port (for example \"127.0.0.1:8089\" or \":8089\")"),
        ("[[udp]]\nprecision = \"fortnight\"\n", "l.conf:2:1: [[udp]] #1: precision: \"fortnight\" is not one of ns, us, ms, s, m, h"),
        ("[[udp]]\nread-buffer = -1\n", "l.conf:2:1: [[udp]] #1: read-buffer: must be from 0 to 2147483647, got -1"),
        ("[[udp]]\nreadbuffer = 1\n", "l.conf:2:1: [[udp]] #1: readbuffer: unknown option (did you mean \"read-buffer\"? known: enabled, bind-address, database, retention-policy, read-buffer, precision)"),
        ("[[tcp]]\nmax-line-length = \"1MB\"\n", "l.conf:2:1: [[tcp]] #1: max-line-length: expected an integer, got string \"1MB\""),
        ("[udp]\nbind-address = \":1\"\n", "l.conf:1:1: udp must be written as [[udp]] sections (an array of tables), not [udp]"),
        ("[[http]]\nbind-address = \":1\"\n", "l.conf:1:1: http must be written as one [http] section"),
        ("[[udp]]\nbind-address = \":1\"\n[[udp]]\nbind-address = \":1\"\n", "l.conf:4:1: [[udp]] #2: bind-address: \":1\" is also used by [[udp]] #1"),
        ("[[tcp]]\nbind-address = \":1\"\n[http]\nbind-address = \":1\"\n", "l.conf:4:1: [http]: bind-address: \":1\" is also used by [[tcp]] #1"),
        ("[lsiteners]\n", "l.conf:1:1: unknown section or key \"lsiteners\" (known: [[kafka]], [[kafka-consumer]], [[udp]], [[tcp]], [http], [admin], [load], [logging], [relay], [spool], [[httppost]])"),
        ("[spool]\ndir = \"/s\"\nmax-age = \"a day\"\n", "l.conf:3:1: [spool]: max-age: time: invalid duration \"a day\""),
        ("[spool]\nmax-age = \"-1h\"\n", "l.conf:2:1: [spool]: max-age: must be positive (leave it out to keep messages until delivered), got \"-1h\""),
        ("[spool]\nmax-age = 3600\n", "l.conf:2:1: [spool]: max-age: expected a string, got integer 3600"),
    ])
    func brokenListenerSections(text: String, message: String) {
        do {
            _ = try RelayConfiguration.parse(text, file: "l.conf")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite struct EnvironmentOverrideTests {
    let text = "[[kafka]]\nenabled = true\nid = \"a\"\nbrokers = [\"file:9092\"]\n[[udp]]\nbind-address = \"127.0.0.1:8089\"\n"

    @Test func overridesApply() throws {
        let c = try RelayConfiguration.parse(text, file: "e.conf", environment: [
            "ALERTRELAY_KAFKA_0_BROKERS": "k1:9092, k2:9092", "ALERTRELAY_KAFKA_0_BATCH_SIZE": "500",
            "ALERTRELAY_KAFKA_0_USE_SSL": "false", "ALERTRELAY_UDP_0_BIND_ADDRESS": "0.0.0.0:8089",
            "ALERTRELAY_HTTP_BIND_ADDRESS": "127.0.0.1:9999", "OTHER": "ignored",
        ])
        #expect(c.kafka[0].brokers == ["k1:9092", "k2:9092"])
        #expect(c.kafka[0].batchSize == 500)
        #expect(c.udp[0].bindAddress == "0.0.0.0:8089")
        #expect(c.http?.bindAddress == "127.0.0.1:9999")
    }

    @Test(arguments: [
        ("ALERTRELAY_KAFKA_1_BROKERS", "x:1", "environment: ALERTRELAY_KAFKA_1_BROKERS: there is no [[kafka]] #2 in the file to override"),
        ("ALERTRELAY_KAFKA_0_BATCH_SIZE", "big", "environment: ALERTRELAY_KAFKA_0_BATCH_SIZE: expected an integer (the value is not shown)"),
        ("ALERTRELAY_KAFKA_0_ENABLED", "yes", "environment: ALERTRELAY_KAFKA_0_ENABLED: expected true or false (the value is not shown)"),
        ("ALERTRELAY_KAFKA_BROKERS", "x:1", "environment: ALERTRELAY_KAFKA_BROKERS: expected ALERTRELAY_KAFKA_<index>_<OPTION>"),
        ("ALERTRELAY_KAFKA_0_BROKER", "x:1", "environment: ALERTRELAY_KAFKA_0_BROKER: unknown option \"broker\" of [kafka] (known: acks, batch-size, batch-timeout, brokers, compression, enabled, id, idempotent, insecure-skip-verify, message-timeout, sasl-mechanism, sasl-password, sasl-username, ssl-ca, ssl-cert, ssl-key, timeout, use-ssl)"),
        ("ALERTRELAY_GRAPHITE_0_X", "1", "environment: ALERTRELAY_GRAPHITE_0_X: unknown section \"graphite\" (known: admin, http, kafka, kafka-consumer, load, logging, relay, spool, tcp, udp)"),
    ])
    func badOverrides(name: String, value: String, message: String) {
        do {
            _ = try RelayConfiguration.parse(text, file: "e.conf", environment: [name: value])
            Issue.record("accepted \(name)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func overriddenValuesAreStillValidated() {
        do {
            _ = try RelayConfiguration.parse(text, file: "e.conf", environment: ["ALERTRELAY_KAFKA_0_BROKERS": ""])
            Issue.record("accepted empty brokers")
        } catch {
            #expect(error.description == "e.conf:4:1: [[kafka]] #1 (id \"a\"): brokers: no brokers specified, must provide at least one broker URL")
        }
    }
}

/// `[load]`: where rule and handler files live.
@Suite struct LoadSectionTests {
    @Test func relativeDirIsRelativeToTheConfigFile() throws {
        let c = try RelayConfiguration.parse("[load]\n  dir = \"load\"\n", file: "/etc/alertrelay/alertrelay.conf")
        #expect(c.load.dir == "/etc/alertrelay/load")
        #expect(c.load.rulesDirectory == "/etc/alertrelay/load/rules")
        #expect(c.load.handlersDirectory == "/etc/alertrelay/load/handlers")
        let d = try RelayConfiguration.parse("", file: "/etc/alertrelay/alertrelay.conf")
        #expect(d.load.dir == "/etc/alertrelay")
        #expect(d.load.enabled)
    }

    @Test func badLoadSection() {
        #expect(throws: ConfigError.self) { try RelayConfiguration.parse("[load]\n  dri = \"x\"\n", file: "a.conf") }
        #expect(throws: ConfigError.self) { try RelayConfiguration.parse("[load]\n  enabled = 1\n", file: "a.conf") }
    }
}

@Suite struct SpoolSectionTests {
    @Test func maxAgeIsOptional() throws {
        #expect(try RelayConfiguration.parse("[spool]\ndir = \"/s\"\n", file: "a.conf").spool.maxAge == nil)
        #expect(try RelayConfiguration.parse("[spool]\ndir = \"/s\"\nmax-age = \"6h\"\n", file: "a.conf").spool.maxAge?.swiftDuration == .seconds(6 * 3600))
        #expect(try RelayConfiguration.parse("", file: "a.conf", environment: ["ALERTRELAY_SPOOL_MAX_AGE": "90m"]).spool.maxAge?.swiftDuration == .seconds(5400))
        #expect(try RelayConfiguration.parse("", file: "a.conf", environment: ["ALERTRELAY_SPOOL_WHEN_FULL": "drop-oldest"]).spool.whenFull == .dropOldest)
    }
}

@Suite struct SingleSectionOverrideTests {
    @Test func loggingRelayAndLoadCanBeSetFromTheEnvironment() throws {
        let c = try RelayConfiguration.parse("", file: "/etc/a/alertrelay.conf", environment: [
            "ALERTRELAY_LOGGING_FORMAT": "json", "ALERTRELAY_LOGGING_LEVEL": "debug",
            "ALERTRELAY_RELAY_QUEUE_SIZE": "5000", "ALERTRELAY_RELAY_HOSTNAME": "pod-1",
            "ALERTRELAY_LOAD_DIR": "/config",
        ])
        #expect(c.logging.format == .json && c.logging.level == .debug)
        #expect(c.relay.queueSize == 5000 && c.relay.hostname == "pod-1")
        #expect(c.load.dir == "/config")
        #expect(throws: ConfigError.self) { try RelayConfiguration.parse("", file: "a", environment: ["ALERTRELAY_LOGGING_FORMAT": "xml"]) }
    }
}
