import AlertRelayTestSupport
import Foundation
import Ingest
import LineProtocol
import Testing

/// Real InfluxDB clients from Debian writing to our `/write`: the `influx` CLI (influxdb-client)
/// and python3-influxdb. CI installs both; elsewhere these tests are skipped when a client is missing.
@Suite(.serialized) struct RealClientTests {
    static let influxCLI = "/usr/bin/influx"
    static let debianPython = "/usr/bin/python3"

    static var hasInfluxCLI: Bool { FileManager.default.isExecutableFile(atPath: influxCLI) }
    static var hasPythonInfluxDB: Bool {
        FileManager.default.isExecutableFile(atPath: debianPython)
            && (try? run(debianPython, ["-c", "import influxdb"]).0) == 0
    }

    static func run(_ path: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func start(_ sink: CountingSink) async throws -> HTTPWriteListener {
        var config = HTTPListenerConfig()
        config.bindAddress = "127.0.0.1:0"
        return try await HTTPWriteListener.start(config, sink: sink, group: group, logger: quiet)
    }

    @Test(.enabled(if: RealClientTests.hasInfluxCLI, "the influx CLI (Debian influxdb-client) is not installed"))
    func influxCLIInsert() async throws {
        let sink = CountingSink()
        let http = try await start(sink)
        defer { Task { await http.stop() } }
        let (status, output) = try Self.run(Self.influxCLI, [
            "-host", "127.0.0.1", "-port", String(port(http.localAddress)), "-database", "telegraf",
            "-execute", "INSERT cpu,host=server01 usage_idle=5.5,usage_user=93i",
        ])
        #expect(status == 0, "\(output)")
        #expect(await eventually { sink.pointCount == 1 })
        #expect(sink.points.first.map { Array($0.tags) } == [Tag(key: "host", value: "server01")])
        #expect(sink.points.first.map { Array($0.fields) } == [Field(key: "usage_idle", value: .float(5.5)), Field(key: "usage_user", value: .integer(93))])
    }

    @Test(.enabled(if: RealClientTests.hasPythonInfluxDB, "python3-influxdb (Debian) is not installed"))
    func pythonInfluxDBWritePoints() async throws {
        let sink = CountingSink()
        let http = try await start(sink)
        defer { Task { await http.stop() } }
        let script = """
            from influxdb import InfluxDBClient
            c = InfluxDBClient(host="127.0.0.1", port=\(port(http.localAddress)), database="telegraf")
            ok = c.write_points([
                {"measurement": "cpu", "tags": {"host": "a b"}, "time": 1700000000000000000, "fields": {"usage_idle": 3.0, "note": "hi \\"there\\""}},
                {"measurement": "mem", "tags": {"host": "x"}, "time": 1700000001000000000, "fields": {"used": 42}},
            ], time_precision="n")
            print("ok" if ok else "failed")
            """
        let (status, output) = try Self.run(Self.debianPython, ["-c", script])
        #expect(status == 0 && output.contains("ok"), "\(output)")
        #expect(await eventually { sink.pointCount == 2 })
        let points = sink.points
        #expect(points.map(\.measurement) == ["cpu", "mem"])
        #expect(points.first?.tag("host") == "a b")
        #expect(points.first?.field("note") == .string("hi \"there\""))
        #expect(points.last?.field("used") == .integer(42))
        #expect(points.map(\.time) == [1_700_000_000_000_000_000, 1_700_000_001_000_000_000])
    }
}
