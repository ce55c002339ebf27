import AlertRelayTestSupport
import Foundation
import Testing

/// The relay's own log lines as an operator reads them.
extension EndToEndTests {
    /// JSON logs: listener addresses as `127.0.0.1:port` (not NIO's `[IPv4]127.0.0.1/127.0.0.1:port`),
    /// counts as JSON numbers, durations as Go prints them, and librdkafka's lines at their own
    /// level with their facility (a broker port nothing listens on: `FAIL` at error).
    @Test func logLinesCarryPlainAddressesNumbersGoDurationsAndKafkaFacilities() async throws {
        let config = """
            [[kafka]]
              enabled = true
              id = "down"
              brokers = ["127.0.0.1:9"]
            [[udp]]
              bind-address = "127.0.0.1:0"
            [http]
              bind-address = "127.0.0.1:0"
            [logging]
              format = "json"
            [relay]
              shutdown-timeout = "1m30s"
            """
        let relay = try RelayProcess(config: config, rules: ["w.yaml": "id: w\ncrit: '\"v\" > 1'\nkafka: {topic: w}\n"])
        let kafkaLine = await eventually(timeout: .seconds(10)) { relay.log.contains(#""facility":"FAIL""#) }
        relay.signal(SIGTERM)
        relay.process.waitUntilExit()
        let lines = relay.log.split(separator: "\n")
        #expect(relay.stop() == 0)
        let udp = lines.first { $0.contains(#""msg":"udp listener started""#) } ?? ""
        #expect(udp.contains(#""address":"127.0.0.1:"#) && !udp.contains("[IPv4]"), "\(udp)")
        let started = lines.first { $0.contains(#""msg":"alertrelay started""#) } ?? ""
        #expect(started.contains(#""rules":1,"#) || started.contains(#""rules":1}"#), "\(started)")
        let stopping = lines.first { $0.contains(#""msg":"stopping""#) } ?? ""
        #expect(stopping.contains(#""timeout":"1m30s""#), "\(stopping)")
        #expect(kafkaLine, "no librdkafka line with its facility:\n\(relay.log)")
        let fail = lines.first { $0.contains(#""facility":"FAIL""#) } ?? ""
        #expect(fail.contains(#""lvl":"error""#) && fail.contains("127.0.0.1:9"), "\(fail)")
    }
}
