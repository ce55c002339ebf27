import AlertRelayTestSupport
import Foundation
import Testing

/// Descriptors and idle connections (issue 14): a relay with a small open-file limit and more
/// idle connections than it can hold.
extension EndToEndTests {
    /// CPU seconds (user + system) the process has used, from /proc.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `ulimit -n 200` and 250 idle TCP connections: the relay keeps each stream listener to its
    /// share of the descriptors, closes the connections beyond it at once (counted), stays idle
    /// on the CPU, answers `/health`, spools and delivers alerts, and takes new connections once
    /// the idle ones close (before: the event loop spun at 100% CPU, `/health` timed out and
    /// 1,385 of 1,500 alerts went out unspooled, counted nowhere).
    @Test func idleConnectionsBeyondTheOpenFileLimitCostNothing() async throws {
        let broker = try TestBroker(topics: ["r:1"])
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = Self.config(broker) + "\n[spool]\n  dir = \"\(dir.path)/spool\"\n"
        let relay = try RelayProcess(config: config, rules: ["r.yaml": Self.sequenceRule("r")], shell: "ulimit -n 200")
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<250 { idle.append(try LoopbackClient.connectTCP(port: relay.tcpPort)) }
        try? await Task.sleep(for: .milliseconds(500))
        let cpuBefore = Self.cpuSeconds(relay.process.processIdentifier)
        let start = ContinuousClock.now
        try? await Task.sleep(for: .seconds(3))
        let cpu = (Self.cpuSeconds(relay.process.processIdentifier) - cpuBefore) / Double((ContinuousClock.now - start).components.seconds)
        #expect(try LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/health").0 == 200)
        for i in 0..<50 { try LoopbackClient.sendUDP([Array("r,host=h\(i % 5) seq=\(i)i \(i)\n".utf8)], port: relay.udpPort) }
        let messages = try await Self.consume(broker, "r", count: 50)
        let metrics = Self.metrics(relay)
        let open = Self.metric(metrics, "alertrelay_listener_connections{listener=\"tcp:127.0.0.1:0\"}") ?? -1
        let refused = Self.metric(metrics, "alertrelay_connections_refused_total{listener=\"tcp:127.0.0.1:0\"}") ?? -1
        print("ulimit -n 200, 250 idle connections: relay CPU \(String(format: "%.1f", cpu * 100))% over 3 s, \(open) held, \(refused) closed at once, \(Set(messages.map(\.value)).count) of 50 alerts delivered")
        #expect(cpu < 0.1, "the relay should be idle")
        #expect(open == 68, "(200 - 64 reserved) / 2 stream listeners")
        #expect(refused == 250 - 68)
        #expect(Set(messages.map(\.value)) == Set((0..<50).map(String.init)))
        #expect(Self.metric(metrics, "alertrelay_spool_unspooled_total{reason=\"descriptors\"}") == nil, "every alert was spooled")
        // Once the idle connections go, new ones are served.
        for fd in idle { close(fd) }
        idle = []
        #expect(await eventually(timeout: .seconds(5)) { Self.metric(Self.metrics(relay), "alertrelay_listener_connections{listener=\"tcp:127.0.0.1:0\"}") == 0 })
        let fd = try LoopbackClient.connectTCP(port: relay.tcpPort)
        try LoopbackClient.write(fd, Array("r,host=late seq=50i 50\n".utf8))
        close(fd)
        #expect(try await Self.consume(broker, "r", count: 51).contains { $0.value == "50" })
        #expect(relay.stop() == 0)
    }

    /// `idle-timeout` and `read-header-timeout`: a TCP client that falls silent and an HTTP client
    /// that never finishes its request head are disconnected and counted.
    @Test func silentConnectionsAreClosedAfterTheirTimeouts() async throws {
        let broker = try TestBroker(topics: ["r:1"])
        defer { broker.stop() }
        let config = Self.config(broker)
            .replacingOccurrences(of: "[[tcp]]\n  bind-address = \"127.0.0.1:0\"\n", with: "[[tcp]]\n  bind-address = \"127.0.0.1:0\"\n  idle-timeout = \"1s\"\n")
            .replacingOccurrences(of: "[http]\n  bind-address = \"127.0.0.1:0\"\n", with: "[http]\n  bind-address = \"127.0.0.1:0\"\n  read-header-timeout = \"1s\"\n")
        let relay = try RelayProcess(config: config, rules: ["r.yaml": Self.sequenceRule("r")])
        let tcp = try LoopbackClient.connectTCP(port: relay.tcpPort)
        defer { close(tcp) }
        try LoopbackClient.write(tcp, Array("r,host=a seq=1i 1\n".utf8))
        let http = try LoopbackClient.connectTCP(port: relay.httpPort)
        defer { close(http) }
        try LoopbackClient.write(http, Array("GET /health HTTP/1.1\r\nHost: x\r\n".utf8))  // no blank line: the head never ends
        #expect(await eventually(timeout: .seconds(5)) {
            let m = Self.metrics(relay)
            return Self.metric(m, "alertrelay_connections_idle_closed_total{listener=\"tcp:127.0.0.1:0\"}") == 1
                && Self.metric(m, "alertrelay_connections_idle_closed_total{listener=\"http:127.0.0.1:0\"}") == 1
        })
        var byte: UInt8 = 0
        #expect(read(tcp, &byte, 1) == 0, "the relay closed the silent TCP connection")
        #expect(try await Self.consume(broker, "r", count: 1).map(\.value) == ["1"], "what it sent before was kept")
        #expect(relay.stop() == 0)
    }
}
