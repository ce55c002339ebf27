import AlertRelayTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The engine thread reads the UDP sockets itself: a reload that swaps the socket set loses no
/// datagram, and neither a TCP flood nor a UDP flood keeps the other kind of input waiting.
@Suite(.serialized) struct UDPEngineReadEndToEndTests {
    static func metric(_ relay: RelayProcess, _ name: String) -> Int {
        let m = (try? LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/metrics").1) ?? ""
        for line in m.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return -1
    }

    /// A UDP port free now (bound and released), for a second listener whose port the test must know.
    static func freeUDPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSupportError("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static let quietRule = ["q.yaml": "id: q\nmeasurement: q\ngroupBy: [host]\ncrit: '\"v\" < 0'\nkafka: {topic: q, template: '{{.ID}}'}\n"]

    /// Datagrams keep arriving at the first listener while two reloads add a second UDP listener
    /// (a control hands the engine its socket) and remove it again (the engine reads it empty,
    /// then closes it): every point sent to either is evaluated, none dropped.
    @Test func datagramsSentThroughReloadsThatSwapTheSocketSetAreAllEvaluated() async throws {
        let broker = try TestBroker(topics: ["q:1"])
        defer { broker.stop() }
        let base = EndToEndTests.config(broker)
        let relay = try RelayProcess(config: base, rules: Self.quietRule)
        let second = try Self.freeUDPPort()
        let datagram = Array((0..<5).map { "q,host=h\($0) v=1 1\n" }.joined().utf8)
        let sent = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let port = relay.udpPort
        let sender = Task.detached {
            while !stop.load(ordering: .relaxed) {
                if (try? LoopbackClient.sendUDP(Array(repeating: datagram, count: 10), port: port)) != nil { sent.add(50, ordering: .relaxed) }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        try relay.writeConfig(base + "\n[[udp]]\n  bind-address = \"127.0.0.1:\(second)\"\n")
        relay.signal(SIGHUP)
        #expect(await eventually(timeout: .seconds(10)) { relay.lastReloadLine?.contains("udp:127.0.0.1:\(second)") == true })
        // A burst into the second listener's socket just before the reload that removes it.
        try LoopbackClient.sendUDP(Array(repeating: datagram, count: 40), port: second)
        let reloads = relay.log.components(separatedBy: "msg=reloaded").count
        try relay.writeConfig(base)
        relay.signal(SIGHUP)
        #expect(await eventually(timeout: .seconds(10)) { relay.log.components(separatedBy: "msg=reloaded").count > reloads })
        try await Task.sleep(for: .milliseconds(200))
        stop.store(true, ordering: .relaxed)
        await sender.value
        let expected = sent.load(ordering: .relaxed) + 40 * 5
        #expect(await eventually(timeout: .seconds(20)) { Self.metric(relay, "alertrelay_points_evaluated_total") == expected },
                "evaluated \(Self.metric(relay, "alertrelay_points_evaluated_total")) of \(expected)")
        #expect(Self.metric(relay, "alertrelay_udp_kernel_drops_total") <= 0)
        #expect(relay.stop() == 0)
    }

    /// A TCP connection that writes as fast as the engine takes its points does not keep a
    /// datagram's alert waiting (the engine looks at its sockets every turn), and a UDP flood does
    /// not keep an HTTP write's alert waiting (a turn reads at most 64 datagrams).
    @Test func aTCPFloodDoesNotStarveUDPNorAUDPFloodHTTP() async throws {
        let broker = try TestBroker(topics: ["u:1"])
        defer { broker.stop() }
        let rules = Self.quietRule.merging(["u.yaml": "id: u\nmeasurement: u\ngroupBy: [host]\ncrit: '\"v\" > 0'\nkafka: {topic: u, template: '{{.ID}}'}\n"]) { $1 }
        let relay = try RelayProcess(config: EndToEndTests.config(broker), rules: rules)
        let stop = Atomic<Bool>(false)
        let fd = try LoopbackClient.connectTCP(port: relay.tcpPort)
        var chunk = ""
        for i in 0..<2000 { chunk += "q,host=t\(i % 100) v=1 \(i)\n" }
        let bytes = Array(chunk.utf8)
        let tcpFlood = Task.detached {
            while !stop.load(ordering: .relaxed) { try? LoopbackClient.write(fd, bytes) }
        }
        #expect(await eventually(timeout: .seconds(10)) { Self.metric(relay, "alertrelay_points_evaluated_total") > 20_000 }, "the TCP flood runs")
        try LoopbackClient.sendUDP([Array("u,host=udp v=1 1\n".utf8)], port: relay.udpPort)
        let fromUDP = try await EndToEndTests.consume(broker, "u", count: 1, timeout: .seconds(10))
        #expect(fromUDP.map(\.value) == ["u:host=udp"], "a datagram's alert during a TCP flood")
        stop.store(true, ordering: .relaxed)
        await tcpFlood.value
        close(fd)

        let port = relay.udpPort
        let datagram = Array((0..<25).map { "q,host=f\($0) v=1 1\n" }.joined().utf8)
        let udpStop = Atomic<Bool>(false)
        let udpFlood = Task.detached {
            while !udpStop.load(ordering: .relaxed) { try? LoopbackClient.sendUDP(Array(repeating: datagram, count: 64), port: port) }
        }
        let evaluated = Self.metric(relay, "alertrelay_points_evaluated_total")
        #expect(await eventually(timeout: .seconds(10)) { Self.metric(relay, "alertrelay_points_evaluated_total") > evaluated + 20_000 }, "the UDP flood runs")
        let status = try LoopbackClient.http(port: relay.httpPort, method: "POST", path: "/write?db=x", body: Array("u,host=http v=1 2\n".utf8)).0
        #expect(status == 204)
        let both = try await EndToEndTests.consume(broker, "u", count: 2, timeout: .seconds(10))
        #expect(both.map(\.value) == ["u:host=udp", "u:host=http"], "an HTTP write's alert during a UDP flood")
        #expect(try LoopbackClient.http(port: relay.httpPort, method: "GET", path: "/health").0 == 200)
        udpStop.store(true, ordering: .relaxed)
        await udpFlood.value
        #expect(relay.stop() == 0)
    }
}
