import AlertRelayTestSupport
import Foundation
import Testing

/// `/health`, `/ready` and `/metrics` whether or not ingest HTTP is configured (issue 14).
extension EndToEndTests {
    /// UDP only, `[admin]` on its own address with its own token: the probes answer, `/metrics`
    /// needs the token.
    @Test func adminEndpointsWithoutIngestHTTP() async throws {
        let broker = try TestBroker(topics: ["r:1"])
        defer { broker.stop() }
        let config = Self.config(broker).replacingOccurrences(of: "[http]\n  bind-address = \"127.0.0.1:0\"\n", with: "")
            + "\n[admin]\n  bind-address = \"127.0.0.1:0\"\n  auth-token = \"s3cret\"\n"
        let relay = try RelayProcess(config: config, rules: ["r.yaml": Self.sequenceRule("r")])
        #expect(relay.httpPort == 0 && relay.adminPort > 0, "\(relay.log)")
        #expect(try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/health").0 == 200)
        #expect(await eventually(timeout: .seconds(10)) { (try? LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/ready").0) == 200 })
        #expect(try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/metrics").0 == 401)
        #expect(try LoopbackClient.http(port: relay.adminPort, method: "POST", path: "/write", body: Array("r seq=1i".utf8)).0 == 404,
                "the admin address takes no writes")
        try LoopbackClient.sendUDP([Array("r,host=a seq=7i 7\n".utf8)], port: relay.udpPort)
        #expect(try await Self.consume(broker, "r", count: 1).map(\.value) == ["7"])
        let (status, metrics) = try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/metrics", headers: ["Authorization": "Token s3cret"])
        #expect(status == 200)
        #expect(metrics.contains("alertrelay_points_evaluated_total 1\n"), "\(metrics)")
        #expect(relay.stop() == 0)
    }

    /// `[http]` for writes and `[admin]` elsewhere: the admin endpoints leave the ingest port.
    @Test func adminEndpointsMoveOffTheIngestPort() async throws {
        let broker = try TestBroker(topics: ["r:1"])
        defer { broker.stop() }
        let relay = try RelayProcess(config: Self.config(broker) + "\n[admin]\n  bind-address = \"127.0.0.1:0\"\n",
                                     rules: ["r.yaml": Self.sequenceRule("r")])
        #expect(try LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/metrics").0 == 404)
        #expect(try LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/ping").0 == 204)
        #expect(try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/metrics").0 == 200, "no admin token: open")
        #expect(relay.stop() == 0)
    }
}
