import Foundation
import GoDuration
import Testing
@testable import RelayConfig

/// Options that must be refused with their line, and values that must never be printed.
@Suite struct ConfigHardeningTests {
    func problems(_ text: String, checkPaths: Bool = false, environment: [String: String] = [:]) -> String {
        do {
            _ = try RelayConfiguration.parse(text, file: "h.conf", environment: environment, checkPaths: checkPaths)
            return ""
        } catch {
            return error.description
        }
    }

    static let kafka = "[[kafka]]\nenabled = true\nbrokers = [\"a:1\"]\n"

    /// A secret typed as a number is still a secret: the message names the option and the type only.
    @Test(arguments: [
        ("[http]\nauth-token = 1234567890123\n", "h.conf:2:1: [http]: auth-token: expected a string, got an integer", "1234567890123"),
        (kafka + "sasl-mechanism = \"PLAIN\"\nsasl-username = \"u\"\nsasl-password = 987654321\n",
         "h.conf:6:1: [[kafka]] #1 (id \"default\"): sasl-password: expected a string, got an integer", "987654321"),
        (kafka + "sasl-password = 98765.4321\n", "sasl-password: expected a string, got a number", "98765"),
        (kafka + "[kafka.librdkafka]\n\"ssl.key.password\" = [\"hunter2\"]\n", "librdkafka.ssl.key.password: expected a string, number or boolean, got an array", "hunter2"),
    ])
    func secretValuesAreNeverPrinted(text: String, message: String, secret: String) {
        let out = problems(text)
        #expect(out.contains(message), "\(out)")
        #expect(!out.contains(secret))
    }

    @Test func environmentValuesAreNeverPrinted() {
        let out = problems(Self.kafka, environment: ["ALERTRELAY_KAFKA_0_BATCH_SIZE": "s3cret-in-the-wrong-variable"])
        #expect(out == "environment: ALERTRELAY_KAFKA_0_BATCH_SIZE: expected an integer (the value is not shown)")
    }

    /// Each duration and size has a range; outside it the option is refused at its line.
    @Test(arguments: [
        (kafka + "message-timeout = \"1194h\"\n", "h.conf:4:1: [[kafka]] #1 (id \"default\"): message-timeout: must be from 1ms to 596h31m23.647s (0 means the default), got 1194h0m0s"),
        (kafka + "message-timeout = \"1ns\"\n", "h.conf:4:1: [[kafka]] #1 (id \"default\"): message-timeout: must be from 1ms to 596h31m23.647s (0 means the default), got 1ns"),
        (kafka + "message-timeout = \"1s\"\nbatch-timeout = \"2s\"\n", "h.conf:4:1: [[kafka]] #1 (id \"default\"): message-timeout: must be longer than batch-timeout (2s), got 1s"),
        (kafka + "timeout = \"1ms\"\n", "h.conf:4:1: [[kafka]] #1 (id \"default\"): timeout: must be from 10ms to 5m0s (0 means the default), got 1ms"),
        (kafka + "batch-timeout = \"1h\"\n", "h.conf:4:1: [[kafka]] #1 (id \"default\"): batch-timeout: must be from 0s to 15m0s (0 means the default), got 1h0m0s"),
        (kafka + "batch-size = 2000000\n", "h.conf:4:1: [[kafka]] #1 (id \"default\"): batch-size: must be from 1 to 1000000 (0 means 100), got 2000000"),
        ("[relay]\nshutdown-timeout = \"-5s\"\n", "h.conf:2:1: [relay]: shutdown-timeout: must be from 1s to 1h0m0s, got -5s"),
        ("[relay]\nstate-interval = \"1ns\"\n", "h.conf:2:1: [relay]: state-interval: must be from 1s to 24h0m0s, got 1ns"),
        ("[relay]\nqueue-size = 0\n", "h.conf:2:1: [relay]: queue-size: must be from 1 to 10000000, got 0"),
        ("[relay]\nudp-linger = \"2s\"\n", "h.conf:2:1: [relay]: udp-linger: must be from 0s to 1s, got 2s"),
        ("[spool]\nmax-size = 1024\n", "h.conf:2:1: [spool]: max-size: must be from 1048576 to 1099511627776, got 1024"),
        ("[http]\nmax-body-size = 4294967296\n", "h.conf:2:1: [http]: max-body-size: must be from 1 to 1073741824, got 4294967296"),
        ("[[tcp]]\nmax-line-length = 0\n", "h.conf:2:1: [[tcp]] #1: max-line-length: must be from 1 to 67108864, got 0"),
    ])
    func outOfRangeValuesAreRefused(text: String, message: String) {
        #expect(problems(text) == message)
    }

    @Test func inRangeValuesLoad() throws {
        let c = try RelayConfiguration.parse(Self.kafka + "message-timeout = \"596h\"\nbatch-timeout = \"500us\"\n[relay]\nshutdown-timeout = \"1s\"\nstate-interval = \"24h\"\n",
                                             file: "h.conf")
        #expect(c.kafka[0].effectiveMessageTimeout.milliseconds == 596 * 3_600_000)
        #expect(c.relay.shutdownTimeout == .second)
        #expect(c.relay.udpLinger == .zero, "off unless set")
        let lingering = try RelayConfiguration.parse("[relay]\nudp-linger = \"20ms\"\n", file: "h.conf")
        #expect(lingering.relay.udpLinger == GoDuration(nanoseconds: 20_000_000))
    }

    /// `check` (and `run`) refuse a spool, state or dead-letter path that cannot be written, at its line.
    @Test func unwritablePathsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paths-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/plain-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        let text = "[relay]\nstate-file = \"\(file)/state.json\"\ndead-letter-file = \"\(dir)/missing/dead.jsonl\"\n[spool]\ndir = \"\(file)/spool\"\n"
        let out = problems(text, checkPaths: true)
        #expect(out.contains("h.conf:2:1: [relay]: state-file: \"\(file)\" is not a directory"))
        #expect(out.contains("h.conf:3:1: [relay]: dead-letter-file: the directory \"\(dir)/missing\" does not exist"))
        #expect(out.contains("h.conf:5:1: [spool]: dir: cannot create \"\(file)/spool\": \"\(file)\" exists and is not a directory"))
        #expect(problems(text) == "", "paths are checked only when asked")
        let good = "[relay]\nstate-file = \"\(dir)/state.json\"\ndead-letter-file = \"\(dir)/dead.jsonl\"\n[spool]\ndir = \"\(dir)/new/spool\"\n"
        #expect(problems(good, checkPaths: true) == "")
    }
}
