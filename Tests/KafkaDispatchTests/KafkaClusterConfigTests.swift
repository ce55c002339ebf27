import Foundation
import GoDuration
import Testing
@testable import KafkaDispatch

@Suite struct KafkaClusterConfigTests {
    static func enabled(_ edit: (inout KafkaClusterConfig) -> Void = { _ in }) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        c.enabled = true
        c.id = "infra"
        c.brokers = ["127.0.0.1:9092", "kafka-2:9093"]
        edit(&c)
        return c
    }

    func property(_ c: KafkaClusterConfig, _ name: String) -> String? {
        c.librdkafkaProperties().last { $0.name == name }?.value
    }

    @Test func kapacitorDefaults() {
        let c = KafkaClusterConfig()
        #expect(c.enabled == false)
        #expect(c.id == "default")
        #expect(c.effectiveTimeout == GoDuration(nanoseconds: 10_000_000_000))
        #expect(c.effectiveBatchSize == 100)
        #expect(c.effectiveBatchTimeout == .second)
        #expect(c.acks == .all && c.idempotent && c.compression == .none)
    }

    @Test func propertyMapping() throws {
        let c = Self.enabled {
            $0.timeout = try! GoDuration(parsing: "3s")
            $0.batchSize = 500
            $0.batchTimeout = try! GoDuration(parsing: "10ms")
            $0.messageTimeout = try! GoDuration(parsing: "2m")
        }
        #expect(property(c, "bootstrap.servers") == "127.0.0.1:9092,kafka-2:9093")
        #expect(property(c, "client.id") == "infra")
        #expect(property(c, "socket.timeout.ms") == "3000")
        #expect(property(c, "batch.num.messages") == "500")
        #expect(property(c, "linger.ms") == "10")
        #expect(property(c, "security.protocol") == "plaintext")
        #expect(property(c, "acks") == "all")
        #expect(property(c, "enable.idempotence") == "true")
        #expect(property(c, "message.timeout.ms") == "120000")
        #expect(property(c, "compression.codec") == "none")
        // librdkafka accepts them and holds the values we meant.
        #expect(c.problems().isEmpty)
        #expect(c.effectiveLibrdkafkaValue("linger.ms") == "10")
        #expect(c.effectiveLibrdkafkaValue("batch.num.messages") == "500")
        #expect(c.effectiveLibrdkafkaValue("socket.timeout.ms") == "3000")
        #expect(c.effectiveLibrdkafkaValue("enable.idempotence") == "true")
    }

    @Test func defaultsMapToKapacitorDefaults() {
        let c = Self.enabled()
        #expect(property(c, "socket.timeout.ms") == "10000")
        #expect(property(c, "batch.num.messages") == "100")
        #expect(property(c, "linger.ms") == "1000")
        #expect(property(c, "message.timeout.ms") == "300000")
        #expect(property(c, "linger.ms") == "1000")
        var sub = c
        sub.batchTimeout = GoDuration(nanoseconds: 1_500_000)
        #expect(property(sub, "linger.ms") == "1.5")
    }

    @Test func tlsMapping() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("alertrelay-tls-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["ca.crt", "cert.crt", "cert.key"] {
            try Data("x".utf8).write(to: dir.appendingPathComponent(name))
        }
        let c = Self.enabled {
            $0.useSSL = true
            $0.sslCA = dir.appendingPathComponent("ca.crt").path
            $0.sslCert = dir.appendingPathComponent("cert.crt").path
            $0.sslKey = dir.appendingPathComponent("cert.key").path
            $0.insecureSkipVerify = true
        }
        #expect(property(c, "security.protocol") == "ssl")
        #expect(property(c, "ssl.ca.location") == c.sslCA)
        #expect(property(c, "ssl.certificate.location") == c.sslCert)
        #expect(property(c, "ssl.key.location") == c.sslKey)
        #expect(property(c, "enable.ssl.certificate.verification") == "false")
        #expect(property(c, "ssl.endpoint.identification.algorithm") == "none")
        var verified = c
        verified.insecureSkipVerify = false
        #expect(property(verified, "enable.ssl.certificate.verification") == nil)
        #expect(verified.effectiveLibrdkafkaValue("ssl.endpoint.identification.algorithm") == "https")
    }

    @Test(arguments: [
        ("PLAIN", false, "sasl_plaintext"), ("SCRAM-SHA-256", false, "sasl_plaintext"), ("SCRAM-SHA-512", true, "sasl_ssl"),
    ])
    func saslMapping(mechanism: String, ssl: Bool, proto: String) {
        let c = Self.enabled {
            $0.saslMechanism = KafkaSASLMechanism(rawValue: mechanism)
            $0.saslUsername = "relay"
            $0.saslPassword = "s3cret"
            $0.useSSL = ssl
        }
        #expect(property(c, "security.protocol") == proto)
        #expect(property(c, "sasl.mechanisms") == mechanism)
        #expect(property(c, "sasl.username") == "relay")
        #expect(property(c, "sasl.password") == "s3cret")
        #expect(c.problems().isEmpty)
        #expect(c.effectiveLibrdkafkaValue("sasl.mechanisms") == mechanism)
        // The password never shows when properties are printed.
        let printed = c.librdkafkaProperties().map(\.description).joined(separator: " ")
        #expect(!printed.contains("s3cret"))
        #expect(printed.contains("sasl.password=<redacted>"))
    }

    @Test func rawPropertiesGoLastAndAreJudgedByLibrdkafka() {
        let c = Self.enabled { $0.librdkafka = ["linger.ms": "5", "queue.buffering.max.messages": "1000"] }
        #expect(c.effectiveLibrdkafkaValue("linger.ms") == "5")
        #expect(c.effectiveLibrdkafkaValue("queue.buffering.max.messages") == "1000")
        let bad = Self.enabled { $0.librdkafka = ["no.such.property": "1"] }
        #expect(bad.problems() == [KafkaConfigProblem(key: "librdkafka.no.such.property",
                                                      reason: "librdkafka rejects no.such.property: No such configuration property: \"no.such.property\"")])
    }

    @Test(arguments: [
        ("empty id", KafkaClusterConfigTests.enabled { c in c.id = "" }, [KafkaConfigProblem(key: "id", reason: "id must not be empty")]),
        ("no brokers", KafkaClusterConfigTests.enabled { c in c.brokers = [] },
         [KafkaConfigProblem(key: "brokers", reason: "no brokers specified, must provide at least one broker URL")]),
        ("bad broker", KafkaClusterConfigTests.enabled { c in c.brokers = ["kafka-1"] },
         [KafkaConfigProblem(key: "brokers", reason: "broker \"kafka-1\" is not host:port (for example \"kafka-1:9092\")")]),
        ("negative batch", KafkaClusterConfigTests.enabled { c in c.batchSize = -1 },
         [KafkaConfigProblem(key: "batch-size", reason: "must not be negative, got -1")]),
        ("missing ca", KafkaClusterConfigTests.enabled { c in c.useSSL = true; c.sslCA = "/nonexistent/ca.crt" },
         [KafkaConfigProblem(key: "ssl-ca", reason: "\"/nonexistent/ca.crt\": file does not exist")]),
        ("ca is a dir", KafkaClusterConfigTests.enabled { c in c.useSSL = true; c.sslCA = "/tmp" },
         [KafkaConfigProblem(key: "ssl-ca", reason: "\"/tmp\": is a directory, not a file")]),
        ("ssl options without use-ssl", KafkaClusterConfigTests.enabled { c in c.sslCA = "/tmp/ca" },
         [KafkaConfigProblem(key: "ssl-ca", reason: "has no effect without use-ssl = true")]),
        ("cert without key", KafkaClusterConfigTests.enabled { c in c.useSSL = true; c.sslCert = "/etc/hostname" },
         [KafkaConfigProblem(key: "ssl-key", reason: "ssl-cert and ssl-key must be given together")]),
        ("sasl without user", KafkaClusterConfigTests.enabled { c in c.saslMechanism = .plain },
         [KafkaConfigProblem(key: "sasl-mechanism", reason: "needs sasl-username and sasl-password")]),
        ("user without sasl", KafkaClusterConfigTests.enabled { c in c.saslUsername = "u" },
         [KafkaConfigProblem(key: "sasl-username", reason: "needs sasl-mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)")]),
        ("idempotent acks=1", KafkaClusterConfigTests.enabled { c in c.acks = .leader },
         [KafkaConfigProblem(key: "acks", reason: "the idempotent producer needs acks = \"all\" (or set idempotent = false)")]),
    ] as [(String, KafkaClusterConfig, [KafkaConfigProblem])])
    func validation(name: String, config: KafkaClusterConfig, expected: [KafkaConfigProblem]) {
        #expect(config.problems() == expected, "\(name)")
    }

    @Test func disabledSectionsAreNotChecked() {
        var c = KafkaClusterConfig()
        c.brokers = []
        #expect(c.problems().isEmpty)
    }

    @Test func duplicateIDs() {
        let a = Self.enabled()
        let problems = KafkaClusterConfig.validate([a, a])
        #expect(problems.count == 1)
        #expect(problems.first?.index == 1)
        #expect(problems.first?.problem == KafkaConfigProblem(key: "id", reason: "duplicate id \"infra\" (also [[kafka]] #1): each cluster needs its own id"))
    }
}
