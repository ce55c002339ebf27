import AlertRelayTestSupport
import Foundation
import Testing

/// The `post` handler's remaining Kapacitor options through `alertrelay run`: `https://` URLs
/// against python TLS servers the test starts (certificates made with openssl in a temp dir),
/// URL templates, `timeout` and `captureResponse`.
extension EndToEndTests {
    /// The dead letters written so far, one string per line.
    static func deadLetters(_ dir: URL) -> [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("dead.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// With the test CA trusted (`SSL_CERT_FILE`, as Go and so Kapacitor read it): a server whose
    /// certificate the CA signed gets every alert, by name (SNI = the URL's host) and by address
    /// (no SNI; the certificate's IP entry checked). A self-signed certificate and one for another
    /// host are refused at the handshake and dead-lettered at once (trying again cannot fix a
    /// certificate); `skipSSLVerification` accepts the self-signed one.
    @Test func httpsPostsVerifyTheServersCertificate() async throws {
        let dir = try Self.tempDirectory("post-https")
        defer { try? FileManager.default.removeItem(at: dir) }
        let certs = try TestCertificates(in: dir)
        let trusted = try TestReceiver("http", tls: certs.server)
        defer { trusted.stop() }
        let selfSigned = try TestReceiver("http", tls: certs.selfSigned)
        defer { selfSigned.stop() }
        let wrongHost = try TestReceiver("http", tls: certs.wrongHost)
        defer { wrongHost.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let handlers = """
            post:
              - {url: 'https://localhost:\(trusted.port)/trusted'}
              - {url: 'https://127.0.0.1:\(trusted.port)/by-address'}
              - {url: 'https://localhost:\(selfSigned.port)/self-signed'}
              - {url: 'https://localhost:\(selfSigned.port)/skipped', skipSSLVerification: true}
              - {url: 'https://localhost:\(wrongHost.port)/wrong-host'}

            """
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:1/unused", dir: dir),
                                     rules: Self.postRule(handlers, log: log), environment: ["SSL_CERT_FILE": certs.ca])
        try Self.sendThreeAlerts(relay)
        let done = await eventually(timeout: .seconds(20)) {
            trusted.requests.count >= 6 && selfSigned.requests.count >= 3 && Self.deadLetters(dir).count >= 6
        }
        let relayLog = relay.log
        #expect(relay.stop() == 0)
        #expect(done, "\(trusted.requests.count) \(selfSigned.requests.count) \(Self.deadLetters(dir))\n\(relayLog)")
        let alerts = Self.loggedAlerts(log)
        #expect(alerts.count == 3)
        let byName = trusted.requests.filter { $0.path == "/trusted" }
        let byAddress = trusted.requests.filter { $0.path == "/by-address" }
        #expect(byName.map(\.body) == alerts && byName.allSatisfy { $0.sni == "localhost" }, "\(byName.map(\.sni))")
        #expect(byAddress.map(\.body) == alerts && byAddress.allSatisfy { $0.sni == nil }, "\(byAddress.map(\.sni))")
        #expect(byName.allSatisfy { $0.headers["host"] == "localhost:\(trusted.port)" && $0.headers["content-type"] == "application/json" })
        #expect(selfSigned.requests.map(\.path) == ["/skipped", "/skipped", "/skipped"])
        #expect(selfSigned.requests.map(\.body) == alerts)
        #expect(wrongHost.requests.isEmpty)
        let dead = Self.deadLetters(dir)
        #expect(dead.count == 6, "\(dead)")
        #expect(dead.filter { $0.contains("\"url\":\"https://localhost:\(selfSigned.port)/self-signed\"") }.count == 3, "\(dead)")
        #expect(dead.filter { $0.contains("\"url\":\"https://localhost:\(wrongHost.port)/wrong-host\"") }.count == 3, "\(dead)")
        #expect(dead.allSatisfy { $0.contains("TLS handshake with https://localhost:") && $0.contains("failed: the server's certificate does not verify") },
                "\(dead)")
        print("https refusal reasons:\n" + Set(dead.compactMap { line in line.range(of: "\"reason\":").map { String(line[$0.upperBound...].prefix(300)) } }).joined(separator: "\n"))
    }

    /// Without the CA trusted (the system store alone), the same server is refused: every alert
    /// is a dead letter, none reached it.
    @Test func httpsWithoutTheCATrustedIsRefused() async throws {
        let dir = try Self.tempDirectory("post-https-untrusted")
        defer { try? FileManager.default.removeItem(at: dir) }
        let certs = try TestCertificates(in: dir)
        let server = try TestReceiver("http", tls: certs.server)
        defer { server.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "https://localhost:\(server.port)/alerts", dir: dir),
                                     rules: Self.postRule("post: {endpoint: ep}\n", log: log), environment: ["SSL_CERT_FILE": ""])
        try Self.sendThreeAlerts(relay)
        let dead = await eventually(timeout: .seconds(15)) { Self.deadLetters(dir).count == 3 }
        #expect(relay.stop() == 0)
        #expect(dead, "\(Self.deadLetters(dir))")
        #expect(server.requests.isEmpty)
        #expect(Self.deadLetters(dir).allSatisfy { $0.contains("\"output\":\"post:ep\"") && $0.contains("TLS handshake with https://localhost:\(server.port) failed") })
    }

    /// A URL template (inline and in `[[httppost]]`) is rendered over each alert's data, as
    /// Kapacitor's; `alertrelay test` prints the rendered URL.
    @Test func postURLTemplatesAreRenderedPerAlert() async throws {
        let dir = try Self.tempDirectory("post-url-template")
        defer { try? FileManager.default.removeItem(at: dir) }
        let http = try TestReceiver("http")
        defer { http.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let handlers = "post:\n  - {endpoint: ep}\n  - {url: 'http://127.0.0.1:\(http.port)/inline/{{ .Level }}?id={{ .ID }}'}\n"
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/ep/{{ .Level }}", dir: dir),
                                     rules: Self.postRule(handlers, log: log))
        try Self.sendThreeAlerts(relay)
        let delivered = await eventually(timeout: .seconds(15)) { http.requests.count >= 6 }
        #expect(relay.stop() == 0)
        #expect(delivered)
        #expect(http.requests.filter { $0.path.hasPrefix("/ep/") }.map(\.path) == ["/ep/CRITICAL", "/ep/CRITICAL", "/ep/OK"])
        #expect(http.requests.filter { $0.path.hasPrefix("/inline/") }.map(\.path)
            == ["/inline/CRITICAL?id=cpu:host=a", "/inline/CRITICAL?id=cpu:host=b", "/inline/OK?id=cpu:host=a"])
        #expect(http.requests.filter { $0.path.hasPrefix("/ep/") }.map(\.body) == Self.loggedAlerts(log))
    }

    /// A handler's `timeout` ends an attempt the server does not answer in time; it is tried
    /// again (a slow server may recover), and once the server answers quickly every alert is
    /// delivered, in order.
    @Test func aPostTimeoutEndsTheAttemptAndItIsTriedAgain() async throws {
        let dir = try Self.tempDirectory("post-timeout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let http = try TestReceiver("http", delay: 1.5)
        defer { http.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/alerts", dir: dir),
                                     rules: Self.postRule("post: {endpoint: ep, timeout: 300ms}\n", log: log))
        try Self.sendThreeAlerts(relay)
        #expect(await eventually(timeout: .seconds(10)) { relay.log.contains("no answer within") })
        try http.setPlan(delay: 0)
        let alerts = Self.loggedAlerts(log)
        let delivered = await eventually(timeout: .seconds(20)) {
            var seen: [[UInt8]] = []
            for r in http.requests where !seen.contains(r.body) { seen.append(r.body) }
            // The attempt that ran out is recorded too, once the server's sleep ends.
            return seen == alerts && http.requests.filter { $0.body == alerts.first }.count >= 2
        }
        let relayLog = relay.log
        #expect(relay.stop() == 0)
        #expect(delivered, "\(http.requests.count)\n\(relayLog)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("dead.jsonl").path))
    }

    /// `captureResponse`: a non-2xx answer's body is logged with Kapacitor's message and the
    /// status, and kept in the dead letter's reason — its first 4096 bytes only. Without it, the
    /// log and reason carry Kapacitor's hint instead of the body.
    @Test func captureResponseLogsTheAnswersBody() async throws {
        let dir = try Self.tempDirectory("post-capture")
        defer { try? FileManager.default.removeItem(at: dir) }
        let answer = "field v is not allowed " + String(repeating: "x", count: 10_000)
        let http = try TestReceiver("http", then: 422, answer: answer)
        defer { http.stop() }
        let log = dir.appendingPathComponent("alerts.log")
        let handlers = "post:\n  - {endpoint: ep, captureResponse: true}\n  - {url: 'http://127.0.0.1:\(http.port)/plain'}\n"
        let relay = try RelayProcess(config: Self.postConfig(endpoint: "http://127.0.0.1:\(http.port)/alerts", dir: dir),
                                     rules: Self.postRule(handlers, log: log))
        try Self.sendThreeAlerts(relay)
        let dead = await eventually(timeout: .seconds(15)) { Self.deadLetters(dir).count == 6 }
        let relayLog = relay.log
        #expect(relay.stop() == 0)
        #expect(dead, "\(Self.deadLetters(dir))")
        let lines = relayLog.split(separator: "\n").filter { $0.contains("POST returned non 2xx status code") }
        #expect(lines.count == 6, "\(relayLog)")
        let captured = String(answer.prefix(4096))
        let withBody = lines.filter { $0.contains("code=422") && $0.contains(captured) && !$0.contains(captured + "x") }
        #expect(withBody.count == 3, "\(lines.first ?? "")")
        #expect(lines.filter { $0.contains("code=422") && $0.contains("unknown error, use .captureResponse() to capture the HTTP response") }.count == 3)
        let letters = Self.deadLetters(dir)
        #expect(letters.filter { $0.contains("returned 422 Unprocessable Entity: field v is not allowed xxx") }.count == 3, "\(letters.first ?? "")")
        #expect(letters.filter { $0.contains("/plain returned 422 Unprocessable Entity: unknown error, use .captureResponse()") }.count == 3)
        print("captureResponse log line: \(lines.first.map { String($0.prefix(200)) } ?? "")…")
    }
}
