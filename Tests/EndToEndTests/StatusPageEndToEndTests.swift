import AlertRelayTestSupport
import Foundation
import Testing

/// The status page at `/` (issue 18, item 3), rendered by headless Chromium: its script reads
/// the alerts API and shows the alert the test raised.
extension EndToEndTests {
    /// Debian's `chromium` (scripts/install-deps.sh installs it; CI runs that first).
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false

    /// The DOM after the page's scripts ran (`--dump-dom` with a virtual time budget).
    static func renderedDOM(_ url: String) throws -> String {
        guard let chromium else {
            throw TestSupportError("chromium is not installed (run scripts/install-deps.sh); CI must have it")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                       "--virtual-time-budget=5000", "--dump-dom", url]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dom = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: dom, as: UTF8.self)
    }

    @Test(.enabled(if: chromium != nil || inCI, "chromium is not installed and CI is not set: the status page is not rendered (scripts/install-deps.sh installs it)"))
    func statusPageShowsARaisedAlertInHeadlessChromium() async throws {
        let broker = try TestBroker(topics: ["cpu-alerts:1"])
        defer { broker.stop() }
        var seed = try Self.seedFiles()
        seed.rules["mem_alert.yaml"] = Self.memRule
        let relay = try RelayProcess(config: Self.config(broker), rules: seed.rules, handlers: seed.handlers)
        defer { relay.stop() }
        try LoopbackClient.sendUDP([Array("mem,host=web-7 used=97.5 1764288010000000000\n".utf8)], port: relay.udpPort)
        #expect(await eventually(timeout: .seconds(10)) {
            (try? HTTPExchange(port: relay.httpPort, method: "GET", path: "/alertrelay/v1/alerts").body.contains("mem:host=web-7")) == true
        }, "\(relay.log)")
        let page = try HTTPExchange(port: relay.httpPort, method: "GET", path: "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(!page.body.contains("src=\"http") && !page.body.contains("href=\"http"), "no external assets")

        let dom = try Self.renderedDOM("http://127.0.0.1:\(relay.httpPort)/")
        // The active alerts table: a row with the level badge, the ID, the rule and the last value.
        let alerts = try #require(dom.range(of: "<table id=\"alerts\">").map { dom[$0.lowerBound...] }, "\(dom)")
        let table = alerts[..<(alerts.range(of: "</table>")?.upperBound ?? alerts.endIndex)]
        #expect(table.contains("<span class=\"level CRITICAL\">CRITICAL</span>"), "\(table)")
        #expect(table.contains("<td>mem:host=web-7</td>"), "\(table)")
        #expect(table.contains("<td>mem_alert</td>"), "\(table)")
        #expect(table.contains("<td>used=97.5</td>"), "\(table)")
        #expect(table.contains("<td>mem:host=web-7 is CRITICAL</td>"), "\(table)")
        #expect(dom.contains("1 critical, 0 warning, 0 info"), "the summary line")
        #expect(dom.contains("infra-monitoring"), "the Kafka cluster")
        #expect(dom.contains("no spool ([spool] dir is not set)"))
    }
}
