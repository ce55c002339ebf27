import AlertRelayTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The linger's receive-buffer bound (`LingerBound`): a steady trickle that makes the engine
/// linger, then a burst at a high rate into the socket. A linger that slept its whole 20 ms
/// through the burst would overflow the buffer; the bounded one ends when the buffer fills a
/// quarter and lingers no more while the rate stays high, so it loses no datagram the relay
/// without a linger kept — into the system's default receive buffer and into a small one.
@Suite(.serialized) struct UDPLingerBoundEndToEndTests {
    /// Sends `count` copies of `datagram` from one socket, one per `interval` (busy-waiting on the
    /// clock between them: sleeps are far too coarse for tens of microseconds).
    static func sendPaced(_ datagram: [UInt8], count: Int, interval: Duration, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let clock = ContinuousClock()
        var next = clock.now
        for _ in 0..<count {
            while clock.now < next {}
            _ = datagram.withUnsafeBytes { buf in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            next += interval
        }
    }

    /// One run: a relay with `linger` and `readBuffer`, a trickle of 100 datagrams 2 ms apart, then
    /// `burst` datagrams `interval` apart. Returns the kernel's drops and the points evaluated.
    static func run(linger: String, readBuffer: Int, burst: Int, interval: Duration) async throws -> (drops: Int, evaluated: Int, sent: Int) {
        let broker = try TestBroker(topics: ["q:1"])
        defer { broker.stop() }
        let config = """
            [[kafka]]
              enabled = true
              id = "infra-monitoring"
              brokers = ["\(broker.bootstrap)"]
              batch-timeout = "10ms"
            [[udp]]
              bind-address = "127.0.0.1:0"
              read-buffer = \(readBuffer)
            [http]
              bind-address = "127.0.0.1:0"
            [relay]
              hostname = "relay-test"
              udp-linger = "\(linger)"
            """
        let relay = try RelayProcess(config: config, rules: UDPEngineReadEndToEndTests.quietRule)
        try await Task.sleep(for: .milliseconds(300))
        let datagram = Array("q,host=h1 v=1 1\n".utf8)
        let port = relay.udpPort
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                sendPaced(datagram, count: 100, interval: .milliseconds(2), port: port)
                sendPaced(datagram, count: burst, interval: interval, port: port)
                done.resume()
            }
        }
        let sent = 100 + burst
        var drops = 0, evaluated = 0
        _ = await eventually(timeout: .seconds(20)) {
            drops = UDPEngineReadEndToEndTests.metric(relay, "alertrelay_udp_kernel_drops_total")
            evaluated = UDPEngineReadEndToEndTests.metric(relay, "alertrelay_points_evaluated_total")
            return drops >= 0 && evaluated + drops >= sent
        }
        #expect(relay.stop() == 0)
        return (drops, evaluated, sent)
    }

    /// 3,000 one-point datagrams at 20,000 a second (150 ms): ~1 KB of kernel memory each, a
    /// default buffer holds ~200, so a 20 ms linger through it would take in ~400.
    @Test(arguments: [0, 32_768])
    func aBurstWhileLingeringLosesNothingThatNoLingerKept(readBuffer: Int) async throws {
        let interval = Duration.microseconds(50)
        let off = try await Self.run(linger: "0s", readBuffer: readBuffer, burst: 3000, interval: interval)
        let on = try await Self.run(linger: "20ms", readBuffer: readBuffer, burst: 3000, interval: interval)
        print("udp-linger bound, read-buffer \(readBuffer): linger off dropped \(off.drops) and evaluated \(off.evaluated) of \(off.sent); 20ms dropped \(on.drops) and evaluated \(on.evaluated) of \(on.sent)")
        #expect(on.drops <= off.drops, "the lingering relay dropped \(on.drops) datagrams, the relay without a linger \(off.drops)")
        #expect(on.evaluated + on.drops == on.sent, "every datagram was either evaluated or counted as a kernel drop")
    }
}
