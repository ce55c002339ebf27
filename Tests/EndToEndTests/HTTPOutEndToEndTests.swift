import AlertRelayTestSupport
import Foundation
import Testing

/// `httpOut(name)` served by the running relay at `/kapacitor/v1/tasks/<task>/<name>` (issue 17).
extension EndToEndTests {
    @Test func httpOutServesTheTasksLatestOutputOverHTTP() async throws {
        let broker = try TestBroker(topics: ["cpu:1"])
        defer { broker.stop() }
        let tick = """
            stream
                |from()
                    .measurement('cpu')
                    .groupBy('host')
                |window()
                    .period(10s)
                    .every(10s)
                    .align()
                |mean('value')
                |httpOut('mean')
                |alert()
                    .crit(lambda: "mean" > 90)
                    .levelTag('level')
                    .kafka()
                    .cluster('infra-monitoring')
                    .kafkaTopic('cpu')
                |httpOut('alerts')
            """
        let relay = try RelayProcess(config: Self.config(broker) + "\n[admin]\n  bind-address = \"127.0.0.1:0\"\n  auth-token = \"t\"\n",
                                     rules: ["cpu_mean.tick": tick])
        let auth = ["Authorization": "Token t"]
        #expect(try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/kapacitor/v1/tasks/cpu_mean/mean").0 == 401)
        let (before, empty) = try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/kapacitor/v1/tasks/cpu_mean/mean", headers: auth)
        #expect(before == 200 && empty == "{\"series\":null}", "\(empty)")
        try LoopbackClient.sendUDP([Array("cpu,host=a value=95 1\ncpu,host=a value=97 2000000000\ncpu,host=a value=1 10000000000\n".utf8)],
                                   port: relay.udpPort)
        let alerts = try await Self.consume(broker, "cpu", count: 1)
        #expect(alerts.count == 1)
        let (status, mean) = try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/kapacitor/v1/tasks/cpu_mean/mean", headers: auth)
        #expect(status == 200)
        #expect(mean == "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"mean\"],\"values\":[[\"1970-01-01T00:00:10Z\",96]]}]}",
                "\(mean)")
        let (_, served) = try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/kapacitor/v1/tasks/cpu_mean/alerts", headers: auth)
        #expect(served.contains("\"tags\":{\"host\":\"a\",\"level\":\"CRITICAL\"}"), "\(served)")
        #expect(try LoopbackClient.http(port: relay.adminPort, method: "GET", path: "/kapacitor/v1/tasks/cpu_mean/nope", headers: auth).0 == 404)
        #expect(relay.stop() == 0)
    }
}
