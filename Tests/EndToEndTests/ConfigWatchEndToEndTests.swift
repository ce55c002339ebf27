import AlertRelayTestSupport
import Foundation
import Testing

/// `[relay] watch-config`: a ConfigMap update, as the kubelet makes it, reloads the relay.
extension EndToEndTests {
    /// A kubelet-style volume: `..<timestamp>/` holds the files, `..data` points at it, and the
    /// names the relay opens (`alertrelay.conf`, `rules`, `handlers`) are symlinks through `..data`.
    struct ConfigMapVolume {
        let root: URL
        var version = 0

        init(root: URL) { self.root = root }

        /// Writes a new timestamped directory and swaps `..data` to it the way the kubelet does:
        /// a `..data_tmp` symlink renamed over `..data`, then the old directory removed.
        mutating func publish(config: String, rules: [String: String]) throws {
            let fm = FileManager.default
            version += 1
            let name = "..2026_12_01_10_00_0\(version).\(UUID().uuidString.prefix(6))"
            let dir = root.appendingPathComponent(name)
            try fm.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
            try fm.createDirectory(at: dir.appendingPathComponent("handlers"), withIntermediateDirectories: true)
            try config.write(to: dir.appendingPathComponent("alertrelay.conf"), atomically: false, encoding: .utf8)
            for (file, text) in rules { try text.write(to: dir.appendingPathComponent("rules/\(file)"), atomically: false, encoding: .utf8) }
            let data = root.appendingPathComponent("..data")
            let old = try? fm.destinationOfSymbolicLink(atPath: data.path)
            let tmp = root.appendingPathComponent("..data_tmp")
            try fm.createSymbolicLink(atPath: tmp.path, withDestinationPath: name)
            guard rename(tmp.path, data.path) == 0 else { throw TestSupportError("rename ..data_tmp: \(errno)") }
            if let old { try fm.removeItem(at: root.appendingPathComponent(old)) }
            for link in ["alertrelay.conf", "rules", "handlers"] where (try? fm.destinationOfSymbolicLink(atPath: root.appendingPathComponent(link).path)) == nil {
                try fm.createSymbolicLink(atPath: root.appendingPathComponent(link).path, withDestinationPath: "..data/\(link)")
            }
        }
    }

    static func watchRule(threshold: Int) -> String {
        "id: w\nmeasurement: w\ncrit: '\"v\" > \(threshold)'\nkafka: {topic: w}\n"
    }

    /// Swapping `..data` to a directory with a changed rule applies it within 2 s (no SIGHUP);
    /// a swap to a broken rule file is refused and logged, and the rule before it keeps working.
    @Test func configMapSwapReloadsTheNewRuleAndRefusesABrokenOne() async throws {
        let broker = try TestBroker(topics: ["w:1"])
        defer { broker.stop() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("configmap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var volume = ConfigMapVolume(root: root)
        let config = Self.config(broker)
        try volume.publish(config: config, rules: ["w.yaml": Self.watchRule(threshold: 100)])
        let relay = try RelayProcess(directory: root, configPath: root.appendingPathComponent("alertrelay.conf").path, watchConfig: true)

        try volume.publish(config: config, rules: ["w.yaml": Self.watchRule(threshold: 10)])
        let swapped = ContinuousClock.now
        let reloaded = await eventually(timeout: .seconds(2)) { relay.lastReloadLine != nil }
        let took = ContinuousClock.now - swapped
        print("ConfigMap swap → reloaded in \(took)")
        #expect(reloaded, "no reload within 2 s of the swap:\n\(relay.log)")
        #expect(relay.log.contains("trigger=\"file change\""))
        // 50 is above the new threshold (10), not the old one (100).
        try LoopbackClient.sendUDP([Array("w v=50 1764288000000000000\n".utf8)], port: relay.udpPort)
        let first = try await Self.consume(broker, "w", count: 1)
        #expect(first.count == 1 && first.first?.value.contains("\"level\":\"CRITICAL\"") == true, "\(first)\n\(relay.log)")

        try volume.publish(config: config, rules: ["w.yaml": "id: w\ncrit: [unclosed\n"])
        let refused = await eventually(timeout: .seconds(2)) { relay.log.contains("reload refused") }
        #expect(refused, "the broken file was not refused:\n\(relay.log)")
        #expect(relay.log.contains("rules/w.yaml:3:1: YAML:"), "\(relay.log)")
        // Still the threshold-10 rule: 5 recovers the alert.
        try LoopbackClient.sendUDP([Array("w v=5 1764288010000000000\n".utf8)], port: relay.udpPort)
        let both = try await Self.consume(broker, "w", count: 2)
        #expect(both.count == 2 && both.last?.value.contains("\"level\":\"OK\"") == true, "\(both)\n\(relay.log)")
        #expect(relay.log.components(separatedBy: "msg=reloaded").count - 1 == 1, "one reload applied:\n\(relay.log)")
        #expect(relay.stop() == 0)
    }

    /// `watch-config = false`: a changed file is not reloaded until SIGHUP.
    @Test func watchConfigOffWaitsForSIGHUP() async throws {
        let broker = try TestBroker(topics: ["w:1"])
        defer { broker.stop() }
        let relay = try RelayProcess(config: Self.config(broker), rules: ["w.yaml": Self.watchRule(threshold: 100)], watchConfig: false)
        try relay.writeRule("w.yaml", Self.watchRule(threshold: 10))
        try? await Task.sleep(for: .milliseconds(800))
        #expect(relay.lastReloadLine == nil, "reloaded without SIGHUP:\n\(relay.log)")
        relay.signal(SIGHUP)
        #expect(await eventually(timeout: .seconds(5)) { relay.lastReloadLine != nil })
        #expect(relay.stop() == 0)
    }
}
