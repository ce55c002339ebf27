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
    /// Sends `count` copies of `datagram` to each of `ports` from one socket, one round per
    /// `interval` (busy-waiting on the clock between them: sleeps are far too coarse for tens of
    /// microseconds).
    static func sendPaced(_ datagram: [UInt8], count: Int, interval: Duration, ports: [Int]) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addresses = ports.map { port -> sockaddr_in in
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            return address
        }
        let clock = ContinuousClock()
        var next = clock.now
        for _ in 0..<count {
            while clock.now < next {}
            for i in addresses.indices {
                _ = datagram.withUnsafeBytes { buf in
                    withUnsafePointer(to: &addresses[i]) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            }
            next += interval
        }
    }

    static func config(_ broker: TestBroker, linger: String, readBuffer: Int) -> String {
        """
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
    }

    /// The kernel's drops and the points evaluated once every datagram is one or the other.
    static func outcome(_ relay: RelayProcess, sent: Int) async -> (drops: Int, evaluated: Int) {
        var drops = 0, evaluated = 0
        _ = await eventually(timeout: .seconds(20)) {
            drops = UDPEngineReadEndToEndTests.metric(relay, "alertrelay_udp_kernel_drops_total")
            evaluated = UDPEngineReadEndToEndTests.metric(relay, "alertrelay_points_evaluated_total")
            return drops >= 0 && evaluated + drops >= sent
        }
        return (drops, evaluated)
    }

    /// One-point datagrams take ~830 bytes of kernel memory each (their buffers' true size).
    /// Into a 16 KiB buffer (`read-buffer = 8192`, 19 of them): 1,000 at 1,000 a second, where a
    /// linger that slept its 20 ms through would take in 20 each time; the relay without a linger
    /// has 19 ms to read each. Into the default buffer (~250): 3,000 at 10,000 a second. Two
    /// relays, one without a linger and one with 20 ms, take the same datagrams at the same time
    /// from one sender (a trickle of 100 two ms apart first, so that the second is lingering when
    /// the burst starts), on one machine alike. On a machine too loaded for either to keep up
    /// (both drop: every wake-up waits for a core, and a linger's wait adds to that) the counts
    /// differ by noise: a margin of 5% of what was sent or half of what the relay without a
    /// linger lost, whichever is more (a full suite's parallel tests moved them by 20%). Where
    /// the relay without a linger keeps everything, the lingering one may lose at most 5%; a
    /// linger that slept through the burst into the 16 KiB buffer would lose more than that (at
    /// least 1 of every 20, plus what arrives while the read's datagrams are evaluated).
    @Test(arguments: [(8_192, 1000, 1000), (0, 3000, 100)])
    func aBurstWhileLingeringLosesNothingThatNoLingerKept(readBuffer: Int, burst: Int, microseconds: Int) async throws {
        let broker = try TestBroker(topics: ["q:1"])
        defer { broker.stop() }
        let off = try RelayProcess(config: Self.config(broker, linger: "0s", readBuffer: readBuffer), rules: UDPEngineReadEndToEndTests.quietRule)
        let on = try RelayProcess(config: Self.config(broker, linger: "20ms", readBuffer: readBuffer), rules: UDPEngineReadEndToEndTests.quietRule)
        try await Task.sleep(for: .milliseconds(300))
        let datagram = Array("q,host=h1 v=1 1\n".utf8)
        let ports = [off.udpPort, on.udpPort]
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                UDPLingerBoundEndToEndTests.sendPaced(datagram, count: 100, interval: .milliseconds(2), ports: ports)
                UDPLingerBoundEndToEndTests.sendPaced(datagram, count: burst, interval: .microseconds(Int64(microseconds)), ports: ports)
                done.resume()
            }
        }
        let sent = 100 + burst
        let offOutcome = await Self.outcome(off, sent: sent)
        let onOutcome = await Self.outcome(on, sent: sent)
        print("udp-linger bound, read-buffer \(readBuffer), \(burst) datagrams \(microseconds) us apart: linger off dropped \(offOutcome.drops) and evaluated \(offOutcome.evaluated) of \(sent); 20ms dropped \(onOutcome.drops) and evaluated \(onOutcome.evaluated) of \(sent)")
        // The 1-minute load average against the cores: on a machine with no core to spare each
        // wake-up waits for one, and the lingering relay's checks wait longer than the other's
        // socket wake-ups (a full suite's parallel tests: 608 drops against 35). Only the
        // accounting is checked there.
        let load = Double((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "") ?? 0
        if load <= Double(ProcessInfo.processInfo.activeProcessorCount) {
            #expect(onOutcome.drops <= offOutcome.drops + max(sent / 20, offOutcome.drops / 2), "the lingering relay dropped \(onOutcome.drops) datagrams, the relay without a linger \(offOutcome.drops)")
        } else {
            print("udp-linger bound: load \(load) on \(ProcessInfo.processInfo.activeProcessorCount) cores; the drop comparison is not checked")
        }
        #expect(onOutcome.evaluated + onOutcome.drops == sent, "every datagram was either evaluated or counted as a kernel drop")
        #expect(off.stop() == 0)
        #expect(on.stop() == 0)
    }
}
