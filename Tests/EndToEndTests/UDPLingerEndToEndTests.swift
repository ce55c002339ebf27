import AlertRelayTestSupport
import Foundation
import Testing

/// `[relay] udp-linger`: datagrams arriving more often than one per linger are read many per
/// engine turn — the engine thread sleeps far fewer times than datagrams arrive — and every
/// point is still evaluated; a lone datagram after a quiet spell is read as it arrives.
@Suite(.serialized) struct UDPLingerEndToEndTests {
    /// Voluntary context switches (sleeps) of the relay's engine thread so far.
    static func engineSleeps(_ relay: RelayProcess) -> Int {
        let task = "/proc/\(relay.process.processIdentifier)/task"
        for t in (try? FileManager.default.contentsOfDirectory(atPath: task)) ?? [] {
            let comm = (try? String(contentsOfFile: "\(task)/\(t)/comm", encoding: .utf8)) ?? ""
            guard comm.hasPrefix("rule-engine") else { continue }
            let status = (try? String(contentsOfFile: "\(task)/\(t)/status", encoding: .utf8)) ?? ""
            for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
                return Int(line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? -1
            }
        }
        return -1
    }

    @Test func lingeringReadsManyDatagramsPerWakeUpAndEvaluatesEveryPoint() async throws {
        let broker = try TestBroker(topics: ["u:1"])
        defer { broker.stop() }
        let rules = UDPEngineReadEndToEndTests.quietRule.merging(["u.yaml": "id: u\nmeasurement: u\ngroupBy: [host]\ncrit: '\"v\" > 0'\nkafka: {topic: u, template: '{{.ID}}'}\n"]) { $1 }
        let relay = try RelayProcess(config: EndToEndTests.config(broker, extra: "  udp-linger = \"20ms\""), rules: rules)
        try await Task.sleep(for: .milliseconds(300))
        let datagram = Array((0..<5).map { "q,host=h\($0) v=1 1\n" }.joined().utf8)
        let before = Self.engineSleeps(relay)
        #expect(before >= 0, "the engine thread's counters are readable")
        let started = ContinuousClock.now
        // Paced on a thread of its own: the cooperative pool's sleeps stretch to tens of ms under load.
        let port = relay.udpPort
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                for _ in 0..<400 {
                    _ = try? LoopbackClient.sendUDP([datagram], port: port)
                    Thread.sleep(forTimeInterval: 0.002)
                }
                done.resume()
            }
        }
        let sleeps = Self.engineSleeps(relay) - before
        let elapsed = ContinuousClock.now - started
        print("udp-linger 20ms: 400 datagrams over \(elapsed), the engine thread slept \(sleeps) times")
        if elapsed < .seconds(4) {
            // Datagrams came at least every 10 ms on average, more often than one per linger: read
            // many per wake-up (a wake-up each, ~400, without lingering; ~one per 20 ms with it).
            #expect(sleeps < 300, "slept \(sleeps) times for 400 datagrams over \(elapsed)")
        } else {
            // A machine too loaded to send at that rate sends slower than one per linger, where
            // lingering rightly stays off: only the evaluation is checked.
            print("udp-linger: the sender could not keep one datagram per 10 ms; the wake-up bound is not checked")
        }
        #expect(await eventually(timeout: .seconds(20)) { UDPEngineReadEndToEndTests.metric(relay, "alertrelay_points_evaluated_total") == 2000 },
                "evaluated \(UDPEngineReadEndToEndTests.metric(relay, "alertrelay_points_evaluated_total")) of 2000")
        // After a quiet spell a datagram is read when it comes (no linger first): its alert is sent.
        try await Task.sleep(for: .milliseconds(200))
        try LoopbackClient.sendUDP([Array("u,host=lone v=1 1\n".utf8)], port: relay.udpPort)
        let lone = try await EndToEndTests.consume(broker, "u", count: 1, timeout: .seconds(10))
        #expect(lone.map(\.value) == ["u:host=lone"])
        #expect(UDPEngineReadEndToEndTests.metric(relay, "alertrelay_udp_kernel_drops_total") <= 0)
        #expect(relay.stop() == 0)
    }
}
