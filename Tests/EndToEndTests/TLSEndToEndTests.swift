import AlertRelayTestSupport
import Foundation
import Testing

/// TLS to the brokers, end to end: `kafka-test-broker` behind `stunnel4` (see `TLSBroker`), the
/// relay's `use-ssl`, `ssl-ca`, `ssl-cert`, `ssl-key` and `insecure-skip-verify` as users write them.
@Suite(.serialized, .disabled(if: TLSBroker.unavailableReason != nil,
                              Comment(rawValue: TLSBroker.unavailableReason ?? "")))
struct TLSEndToEndTests {
    static func config(_ bootstrap: String, _ options: [String: String]) -> String {
        var text = "[[kafka]]\n  enabled = true\n  id = \"tls\"\n  brokers = [\"\(bootstrap)\"]\n  batch-timeout = \"10ms\"\n  use-ssl = true\n"
        for (k, v) in options.sorted(by: { $0.key < $1.key }) { text += "  \(k) = \(v)\n" }
        return text
    }

    static func quoted(_ s: String) -> String { "\"\(s)\"" }

    /// One `alertrelay send-test` through the TLS front.
    static func sendTest(_ broker: TLSBroker, _ options: [String: String], message: String) throws -> CommandResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("alertrelay.conf").path
        try config(broker.bootstrap, options).write(toFile: path, atomically: true, encoding: .utf8)
        return try AlertRelayCLI.run(["send-test", "--config", path, "--cluster", "tls", "--topic", "t", "--key", "k",
                                      "--message", message, "--timeout", "5s"])
    }

    /// The matrix of issue 7: each server setup, each client setup, delivered or refused with a reason.
    @Test func certificateMatrix() throws {
        let broker = try TLSBroker(topics: ["t:1"])
        defer { broker.stop() }
        let c = broker.certificates
        var delivered: [String] = []

        // The broker's certificate is for localhost/127.0.0.1, signed by the test CA.
        try broker.serve(certificate: c.server.cert, key: c.server.key)
        let good = try Self.sendTest(broker, ["ssl-ca": Self.quoted(c.ca)], message: "correct CA")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.hasPrefix("delivered to cluster \"tls\" topic \"t\""))
        delivered.append("correct CA")
        let wrongCA = try Self.sendTest(broker, ["ssl-ca": Self.quoted(c.otherCA)], message: "wrong CA")
        #expect(wrongCA.status == 1)
        #expect(wrongCA.stderr.contains("certificate verify failed"), "\(wrongCA.stderr)")

        // A certificate for another host name, signed by the right CA.
        try broker.serve(certificate: c.wrongHost.cert, key: c.wrongHost.key)
        let mismatch = try Self.sendTest(broker, ["ssl-ca": Self.quoted(c.ca)], message: "hostname mismatch")
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr.contains("certificate verify failed"), "\(mismatch.stderr)")

        // Self-signed, another host name: only insecure-skip-verify gets through, and says so.
        try broker.serve(certificate: c.selfSigned.cert, key: c.selfSigned.key)
        let strict = try Self.sendTest(broker, ["ssl-ca": Self.quoted(c.ca)], message: "self-signed, verified")
        #expect(strict.status == 1)
        let insecure = try Self.sendTest(broker, ["insecure-skip-verify": "true"], message: "insecure-skip-verify")
        #expect(insecure.status == 0, "\(insecure.stderr)")
        #expect(insecure.stderr.contains("warning: insecure-skip-verify is set"))
        delivered.append("insecure-skip-verify")

        // The broker requires a client certificate signed by the test CA.
        try broker.serve(certificate: c.server.cert, key: c.server.key, clientCA: c.ca)
        let withCert = try Self.sendTest(broker, ["ssl-ca": Self.quoted(c.ca), "ssl-cert": Self.quoted(c.client.cert),
                                                  "ssl-key": Self.quoted(c.client.key)], message: "client certificate")
        #expect(withCert.status == 0, "\(withCert.stderr)")
        delivered.append("client certificate")
        let withoutCert = try Self.sendTest(broker, ["ssl-ca": Self.quoted(c.ca)], message: "no client certificate")
        #expect(withoutCert.status == 1)
        #expect(withoutCert.stderr.contains("last error from the brokers"), "\(withoutCert.stderr)")

        // Exactly the delivered ones reached the topic.
        try broker.serve(certificate: c.server.cert, key: c.server.key)
        let messages = try broker.consume("t", expecting: delivered.count)
        #expect(messages.map(\.value) == delivered)
    }

    /// `alertrelay run` with TLS: the seed's CRITICAL alert arrives through TLS; with the wrong CA
    /// the reason is in the log, in `/metrics` and in `/ready`.
    @Test func relayDeliversThroughTLSAndReportsAWrongCA() async throws {
        let broker = try TLSBroker(topics: ["cpu-alerts:1"])
        defer { broker.stop() }
        let c = broker.certificates
        try broker.serve(certificate: c.server.cert, key: c.server.key)
        let rule = try String(contentsOf: EndToEndTests.repo.appendingPathComponent("Config/rules/kafka-cpu-alert.yaml"), encoding: .utf8)
        let listeners = "[[udp]]\n  bind-address = \"127.0.0.1:0\"\n[http]\n  bind-address = \"127.0.0.1:0\"\n[relay]\n  hostname = \"relay-test\"\n"

        let relay = try RelayProcess(config: Self.config(broker.bootstrap, ["ssl-ca": Self.quoted(c.ca)]) + listeners,
                                     rules: ["kafka-cpu-alert.yaml": rule])
        #expect(await eventually(timeout: .seconds(15)) { (try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/ready").0) == 200 })
        try LoopbackClient.sendUDP([Array("cpu,host=a usage_idle=5 10000000000\n".utf8)], port: relay.udpPort)
        var got: [ConsumedMessage] = []
        _ = await eventually(timeout: .seconds(15)) {
            got = (try? broker.consume("cpu-alerts", expecting: 1)) ?? []
            return !got.isEmpty
        }
        #expect(relay.stop() == 0)
        #expect(got.map(\.key) == ["cpu:nil"])
        #expect(got.first?.value.contains("\"level\":\"CRITICAL\"") == true)

        let wrong = try RelayProcess(config: Self.config(broker.bootstrap, ["ssl-ca": Self.quoted(c.otherCA)]) + listeners,
                                     rules: ["kafka-cpu-alert.yaml": rule])
        var ready = (0, "")
        _ = await eventually(timeout: .seconds(20)) {
            ready = (try? LoopbackClient.http(port: wrong.httpPort, method: "GET", path: "/ready")) ?? (0, "")
            return ready.0 == 503 && ready.1.contains("certificate verify failed")
        }
        #expect(ready.0 == 503)
        #expect(ready.1.contains("certificate verify failed"), "\(ready.1)")
        let metrics = (try? LoopbackClient.http(port: wrong.httpPort, method: "GET", path: "/metrics").1) ?? ""
        let log = wrong.log
        #expect(wrong.stop() == 0)
        #expect(log.contains("certificate verify failed"), "\(log)")
        #expect(metrics.contains("alertrelay_kafka_client_errors_total{cluster=\"tls\"}"))
        #expect(!metrics.contains("alertrelay_kafka_client_errors_total{cluster=\"tls\"} 0\n"), "\(metrics)")
    }
}
