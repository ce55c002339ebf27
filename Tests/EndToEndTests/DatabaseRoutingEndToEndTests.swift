import AlertRelayTestSupport
import Foundation
import Testing

/// Points carry their listener's `database` and `retention-policy` (HTTP: `db` and `rp`), and
/// rules read only theirs: a YAML `database`, a TICKscript `dbrp`, or — without either — every one.
@Suite struct DatabaseRoutingEndToEndTests {
    /// Every `udp:host:port` of the start-up line's listeners, in config order.
    static func udpPorts(_ log: String) -> [Int] {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("msg=\"alertrelay started\"") }),
              let r = line.range(of: "listeners=") else { return [] }
        let value = line[r.upperBound...].drop { $0 == "\"" }.prefix { $0 != "\"" && $0 != " " }
        return value.split(separator: ",").filter { $0.hasPrefix("udp:") }.compactMap { Int($0.split(separator: ":").last ?? "") }
    }

    @Test func twoUDPListenersWithTheirOwnDatabases() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dbrp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let telegraf = out.appendingPathComponent("telegraf.log").path
        let apps = out.appendingPathComponent("apps.log").path
        let every = out.appendingPathComponent("every.log").path
        let relay = try RelayProcess(config: """
            default-retention-policy = "autogen"
            [[udp]]
              bind-address = "127.0.0.1:0"
              database = "telegraf"
            [[udp]]
              bind-address = "127.0.0.1:0"
              database = "apps"
            [http]
              bind-address = "127.0.0.1:0"
            """, rules: [
            "telegraf.yaml": """
                id: telegraf-only
                measurement: cpu
                database: telegraf
                retentionPolicy: autogen
                groupBy: [host]
                crit: '"v" > 0'
                log: {path: "\(telegraf)"}
                """,
            "apps-only.tick": """
                dbrp "apps"."autogen"
                stream
                    |from()
                        .measurement('cpu')
                        .groupBy('host')
                    |alert()
                        .crit(lambda: "v" > 0)
                        .log('\(apps)')
                """,
            "every.yaml": """
                id: every-database
                measurement: cpu
                groupBy: [host]
                crit: '"v" > 0'
                log: {path: "\(every)"}
                """,
        ])
        defer { relay.stop() }
        let ports = Self.udpPorts(relay.log)
        try #require(ports.count == 2, "\(relay.log)")
        try LoopbackClient.sendUDP([Array("cpu,host=from-telegraf v=1 1764288000000000000\n".utf8)], port: ports[0])
        try LoopbackClient.sendUDP([Array("cpu,host=from-apps v=1 1764288000000000000\n".utf8)], port: ports[1])
        // HTTP: db and rp from the query, as Kapacitor's /write; no rp: default-retention-policy.
        let (status, _) = try LoopbackClient.http(port: relay.httpPort, method: "POST", path: "/write?db=telegraf",
                                                  body: Array("cpu,host=http-telegraf v=1 1764288000000000000\n".utf8))
        #expect(status == 204)
        let (other, _) = try LoopbackClient.http(port: relay.httpPort, method: "POST", path: "/write?db=telegraf&rp=weekly",
                                                 body: Array("cpu,host=http-weekly v=1 1764288000000000000\n".utf8))
        #expect(other == 204)
        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let all = ["host=from-telegraf", "host=from-apps", "host=http-telegraf", "host=http-weekly"]
        #expect(await eventually(timeout: .seconds(10)) { all.allSatisfy { read(every).contains($0) } }, "\(relay.log)")
        #expect(read(telegraf).contains("host=from-telegraf") && read(telegraf).contains("host=http-telegraf"))
        #expect(!read(telegraf).contains("host=from-apps") && !read(telegraf).contains("host=http-weekly"))
        #expect(read(apps).contains("host=from-apps"))
        #expect(!read(apps).contains("host=from-telegraf") && !read(apps).contains("host=http-telegraf"))
    }
}
