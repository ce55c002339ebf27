import AlertRelayTestSupport
import Foundation
import Ingest
import LineProtocol
import Logging
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let quiet: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

func port(_ address: SocketAddress) -> Int { address.port ?? 0 }

@Suite(.serialized) struct UDPListenerTests {
    func start(_ sink: CountingSink, precision: Precision = .nanoseconds) async throws -> UDPListener {
        var config = UDPListenerConfig()
        config.bindAddress = "127.0.0.1:0"
        config.readBuffer = 4 << 20
        config.precision = precision
        return try await UDPListener.start(config, sink: sink, logger: quiet)
    }

    @Test func manyLinesPerDatagramAndOneBadLineKeepsTheGoodOnes() async throws {
        let sink = CountingSink()
        let udp = try await start(sink)
        defer { Task { await udp.stop() } }
        let good = (0..<25).map { "cpu,host=h\($0) usage_idle=\(Double($0) + 0.5) \(1_700_000_000_000_000_000 + $0)" }
        var lines = good
        lines.insert("cpu,host=bad usage_idle=oops", at: 10)
        try LoopbackClient.sendUDP([Array(lines.joined(separator: "\n").utf8)], port: port(udp.localAddress))
        #expect(await eventually { sink.pointCount == 25 })
        #expect(udp.statistics.snapshot.linesRejected == 1)
        #expect(udp.statistics.snapshot.pointsAccepted == 25)
        #expect(sink.points.map { $0.tag("host") } == (0..<25).map { "h\($0)" })
        #expect(sink.points[3].fields == [Field(key: "usage_idle", value: .float(3.5))])
        #expect(udp.grantedReadBuffer >= 4 << 20 || udp.grantedReadBuffer > 0)
    }

    @Test func anUnterminatedQuoteCostsOnlyItsOwnLine() async throws {
        let sink = CountingSink()
        let udp = try await start(sink)
        defer { Task { await udp.stop() } }
        let good = (0..<100).map { "cpu,host=h\($0) v=\($0) \($0)" }
        try LoopbackClient.sendUDP([Array(("cpu,t=bad v=5,msg=\"x\n" + good.joined(separator: "\n")).utf8)], port: port(udp.localAddress))
        #expect(await eventually { sink.pointCount == 100 })
        #expect(udp.statistics.snapshot.linesRejected == 1)
        #expect(sink.points.map(\.time) == (0..<100).map { Int64($0) })
    }

    @Test func largeAndEmptyDatagrams() async throws {
        let sink = CountingSink(keep: 5000)
        let udp = try await start(sink)
        defer { Task { await udp.stop() } }
        // ~64 KB: the largest IPv4 UDP payload is 65,507 bytes.
        var text = ""
        var count = 0
        while true {
            let line = "mem,host=server-\(count) used_percent=\(count).25,free=\(count * 1024)i\n"
            if text.utf8.count + line.utf8.count > 65_507 { break }
            text += line
            count += 1
        }
        try LoopbackClient.sendUDP([Array(text.utf8), []], port: port(udp.localAddress))
        #expect(await eventually { sink.pointCount == count })
        #expect(await eventually { udp.statistics.snapshot.messages == 2 })
        #expect(udp.statistics.snapshot.linesRejected == 0)
    }

    /// With SO_REUSEADDR on the relay's socket any local user could bind the same port (setting
    /// it too) and receive the datagrams instead of the relay; the bind must be exclusive.
    @Test func udpPortIsBoundExclusively() async throws {
        let sink = CountingSink()
        let udp = try await start(sink)
        defer { Task { await udp.stop() } }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port(udp.localAddress)).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == -1 && errno == EADDRINUSE, "a second socket bound the relay's UDP port")
        var config = UDPListenerConfig()
        config.bindAddress = BindAddress(host: "127.0.0.1", port: port(udp.localAddress))
        await #expect(throws: ListenerError.self) { try await UDPListener.start(config, sink: sink, logger: quiet) }
        try LoopbackClient.sendUDP([Array("a v=1".utf8)], port: port(udp.localAddress))
        #expect(await eventually { sink.pointCount == 1 })
    }

    /// Stopping reads what the kernel buffer already holds (until the socket is empty), then closes it.
    @Test func stopReadsWhatTheSocketHoldsThenCloses() async throws {
        let sink = CountingSink()
        let udp = try await start(sink)
        try LoopbackClient.sendUDP(Array(repeating: Array("a v=1\na v=2".utf8), count: 100), port: port(udp.localAddress))
        await udp.stop()
        #expect(sink.pointCount == 200)
        #expect(udp.statistics.snapshot.messages == 100)
        #expect(udp.socket.isClosed)
    }

    @Test func fullPipelineDropsAndCounts() async throws {
        let sink = CountingSink()
        sink.setFull(true)
        let udp = try await start(sink)
        defer { Task { await udp.stop() } }
        try LoopbackClient.sendUDP([Array("a v=1\na v=2\na v=3".utf8)], port: port(udp.localAddress))
        #expect(await eventually { udp.statistics.snapshot.pointsDropped == 3 })
        #expect(sink.pointCount == 0)
    }

    @Test func precisionAndReceiveTime() async throws {
        let sink = CountingSink()
        let udp = try await start(sink, precision: .seconds)
        defer { Task { await udp.stop() } }
        let before = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        try LoopbackClient.sendUDP([Array("a v=1 1700000000\na v=2".utf8)], port: port(udp.localAddress))
        #expect(await eventually { sink.pointCount == 2 })
        #expect(sink.points[0].time == 1_700_000_000_000_000_000)
        #expect(sink.points[1].time % 1_000_000_000 == 0 && sink.points[1].time >= before)
    }
}

@Suite(.serialized) struct TCPListenerTests {
    func start(_ sink: CountingSink, maxLineLength: Int = 1 << 20) async throws -> TCPListener {
        var config = TCPListenerConfig()
        config.bindAddress = "127.0.0.1:0"
        config.maxLineLength = maxLineLength
        return try await TCPListener.start(config, sink: sink, group: group, logger: quiet)
    }

    @Test func linesSplitByteByByteAndMergedAcrossWrites() async throws {
        let sink = CountingSink()
        let tcp = try await start(sink)
        defer { Task { await tcp.stop() } }
        let fd = try LoopbackClient.connectTCP(port: port(tcp.localAddress))
        let text = "cpu,host=a v=1 1\ncpu,host=b s=\"multi\nline\" 2\nbad\ncpu,host=c v=3 3\n"
        for byte in text.utf8 { try LoopbackClient.write(fd, [byte]) }
        try LoopbackClient.write(fd, Array("m v=1 4\nm v=2 5\nm v=".utf8))
        try LoopbackClient.write(fd, Array("3 6\n".utf8))
        try LoopbackClient.write(fd, Array("m v=4 7".utf8))  // no final newline: counted at close
        close(fd)
        #expect(await eventually { sink.pointCount == 7 })
        #expect(tcp.statistics.snapshot.linesRejected == 1)
        #expect(sink.points.map(\.time) == [1, 2, 3, 4, 5, 6, 7])
        #expect(sink.points[1].fields == [Field(key: "s", value: .string("multi\nline"))])
    }

    @Test func tooLongLineIsRejectedAndTheConnectionGoesOn() async throws {
        let sink = CountingSink()
        let tcp = try await start(sink, maxLineLength: 1000)
        defer { Task { await tcp.stop() } }
        let fd = try LoopbackClient.connectTCP(port: port(tcp.localAddress))
        defer { close(fd) }
        try LoopbackClient.write(fd, Array(("m v=1 1\nm s=\"" + String(repeating: "x", count: 5000) + "\" 2\nm v=3 3\n").utf8))
        #expect(await eventually { sink.pointCount == 2 })
        #expect(tcp.statistics.snapshot.linesRejected == 1)
        #expect(sink.points.map(\.time) == [1, 3])
    }

    @Test func anUnterminatedQuoteCostsOnlyItsOwnLine() async throws {
        let sink = CountingSink(keep: 60_000)
        let tcp = try await start(sink)
        defer { Task { await tcp.stop() } }
        let fd = try LoopbackClient.connectTCP(port: port(tcp.localAddress))
        // 1.6 MB of good lines after the open quote: past max-line-length (1 MiB) the quote's record
        // is handed on up to its last newline and taken line by line; the lines after it as usual.
        let n = 50_000
        try LoopbackClient.write(fd, Array(("cpu,t=bad v=5,msg=\"x\n" + (0..<n).map { "cpu,host=server-01 v=\($0) \($0)\n" }.joined()).utf8))
        #expect(await eventually(timeout: .seconds(10)) { sink.pointCount == n })
        #expect(tcp.statistics.snapshot.linesRejected == 1)
        // One more at the end of the connection: what is left is parsed as a whole, line by line.
        try LoopbackClient.write(fd, Array("m f=\"y\nm v=1 99999999\n".utf8))
        close(fd)
        #expect(await eventually { sink.pointCount == n + 1 })
        #expect(tcp.statistics.snapshot.linesRejected == 2)
        let inOrder = sink.points.map(\.time) == (0..<Int64(n)).map { $0 } + [99_999_999]
        #expect(inOrder)
    }

    @Test func backpressureLosesNothing() async throws {
        let sink = CountingSink(keep: 100_000)
        sink.setFull(true)
        let tcp = try await start(sink)
        defer { Task { await tcp.stop() } }
        let fd = try LoopbackClient.connectTCP(port: port(tcp.localAddress))
        let n = 20_000
        let writer = Task.detached {
            var text = ""
            for i in 0..<n { text += "m,k=v value=\(i) \(i)\n" }
            try LoopbackClient.write(fd, Array(text.utf8))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(sink.pointCount == 0)
        sink.setFull(false)
        try await writer.value
        close(fd)
        #expect(await eventually(timeout: .seconds(10)) { sink.pointCount == n })
        #expect(tcp.statistics.snapshot.pointsDropped == 0)
        #expect(sink.points.map(\.time) == (0..<Int64(n)).map { $0 })
    }

    @Test func manyConcurrentConnections() async throws {
        let sink = CountingSink(keep: 100_000)
        let tcp = try await start(sink)
        defer { Task { await tcp.stop() } }
        let p = port(tcp.localAddress)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for c in 0..<50 {
                tasks.addTask {
                    let fd = try LoopbackClient.connectTCP(port: p)
                    defer { close(fd) }
                    try LoopbackClient.write(fd, Array((0..<100).map { "m,conn=\(c) v=\($0)\n" }.joined().utf8))
                }
            }
            try await tasks.waitForAll()
        }
        #expect(await eventually { sink.pointCount == 5000 })
    }
}

@Suite(.serialized) struct HTTPListenerTests {
    func start(_ sink: CountingSink, maxBody: Int = 1 << 20, token: String = "") async throws -> HTTPWriteListener {
        var config = HTTPListenerConfig()
        config.bindAddress = "127.0.0.1:0"
        config.maxBodySize = maxBody
        config.authToken = token
        return try await HTTPWriteListener.start(config, sink: sink, group: group, logger: quiet)
    }

    @Test func writePingAndV2() async throws {
        let sink = CountingSink()
        let http = try await start(sink)
        defer { Task { await http.stop() } }
        let p = port(http.localAddress)
        #expect(try LoopbackClient.http(port: p, method: "GET", path: "/ping").0 == 204)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write?db=telegraf", body: Array("cpu v=1 1\ncpu v=2 2\n".utf8)).0 == 204)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/api/v2/write?bucket=b&precision=s", body: Array("cpu v=3 3".utf8)).0 == 204)
        #expect(sink.points.map(\.time) == [1, 2, 3_000_000_000])
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write?precision=fortnights", body: Array("cpu v=1".utf8)).0 == 400)
        #expect(try LoopbackClient.http(port: p, method: "GET", path: "/write").0 == 405)
        #expect(try LoopbackClient.http(port: p, method: "GET", path: "/nope").0 == 404)
    }

    @Test func partialWriteKeepsGoodLinesAndNamesTheBadOne() async throws {
        let sink = CountingSink()
        let http = try await start(sink)
        defer { Task { await http.stop() } }
        let (status, body) = try LoopbackClient.http(port: port(http.localAddress), method: "POST", path: "/write",
                                                     body: Array("cpu v=1 1\ncpu v=oops 2\ncpu v=3 3\n".utf8))
        #expect(status == 400)
        #expect(body == "{\"error\":\"partial write: unable to parse 'cpu v=oops 2': invalid boolean (line 2, column 7) dropped=0\"}\n")
        #expect(sink.points.map(\.time) == [1, 3])
        let (allBad, allBadBody) = try LoopbackClient.http(port: port(http.localAddress), method: "POST", path: "/write", body: Array("nope".utf8))
        #expect(allBad == 400)
        #expect(allBadBody == "{\"error\":\"unable to parse 'nope': missing fields (line 1, column 5)\"}\n")
    }

    @Test func anUnterminatedQuoteAndManyBadLinesNameTheFirst100() async throws {
        let sink = CountingSink()
        let http = try await start(sink)
        defer { Task { await http.stop() } }
        let good = (0..<100).map { "cpu,host=h\($0) v=\($0) \($0)\n" }.joined()
        let bad = (0..<250).map { "bad\($0)\n" }.joined()
        let (status, body) = try LoopbackClient.http(port: port(http.localAddress), method: "POST", path: "/write",
                                                     body: Array(("cpu,t=bad v=5,msg=\"x\n" + good + bad).utf8))
        #expect(status == 400)
        #expect(body.hasPrefix("{\"error\":\"partial write: unable to parse 'cpu,t=bad v=5,msg=\\\"x': unbalanced quotes (line 1, column 21)\\nunable to parse 'bad0': missing fields (line 102, column 5)\\n"))
        #expect(body.components(separatedBy: "unable to parse").count - 1 == 100)
        #expect(body.hasSuffix("unable to parse 'bad98': missing fields (line 200, column 6) dropped=151\"}\n"))
        #expect(sink.points.map(\.time) == (0..<100).map { Int64($0) })
        #expect(http.statistics.snapshot.linesRejected == 251)
    }

    @Test func gzipBodyAndLimits() async throws {
        let sink = CountingSink()
        let http = try await start(sink, maxBody: 10_000)
        defer { Task { await http.stop() } }
        let p = port(http.localAddress)
        let text = (0..<100).map { "cpu,host=h\($0) v=\($0) \($0)\n" }.joined()
        let gz = try gzip(Array(text.utf8))
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Content-Encoding": "gzip"], body: gz).0 == 204)
        #expect(sink.pointCount == 100)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", body: [UInt8](repeating: 0x41, count: 20_000)).0 == 413)
        let bomb = try gzip([UInt8](repeating: 0x41, count: 200_000))
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Content-Encoding": "gzip"], body: bomb).0 == 413)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Content-Encoding": "gzip"], body: Array("not gzip".utf8)).0 == 400)
    }

    @Test func bearerToken() async throws {
        let sink = CountingSink()
        let http = try await start(sink, token: "s3cret")
        defer { Task { await http.stop() } }
        let p = port(http.localAddress)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", body: Array("m v=1".utf8)).0 == 401)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Authorization": "Token s3cret"], body: Array("m v=1".utf8)).0 == 204)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Authorization": "Bearer s3cret"], body: Array("m v=1".utf8)).0 == 204)
    }

    /// A write without the token, or declaring a body over max-body-size, is answered from its
    /// head: nothing of its body is buffered first (20 such 24 MiB POSTs held 580 MB before).
    @Test func writesAreJudgedOnTheirHead() async throws {
        let sink = CountingSink()
        let http = try await start(sink, maxBody: 1 << 20, token: "s3cret")
        defer { Task { await http.stop() } }
        let p = port(http.localAddress)
        let big = "POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: \(24 << 20)\r\n"
        #expect(try LoopbackClient.earlyStatus(port: p, head: big + "\r\n", bodyPrefix: Array("m v=1\n".utf8)) == 401)
        #expect(try LoopbackClient.earlyStatus(port: p, head: big + "Authorization: Token s3cret\r\n\r\n", bodyPrefix: Array("m v=1\n".utf8)) == 413)
        // The connection stays usable after an early answer: the body is read and dropped.
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Authorization": "Token s3cret"], body: Array("m v=1".utf8)).0 == 204)
        #expect(sink.pointCount == 1)
    }

    /// Tokens are compared as bytes: a Unicode-equivalent spelling (é precomposed vs e + U+0301,
    /// equal as Swift Strings) is a different token.
    @Test func tokensCompareAsBytes() async throws {
        let sink = CountingSink()
        let http = try await start(sink, token: "caf\u{E9}")
        defer { Task { await http.stop() } }
        let p = port(http.localAddress)
        #expect("caf\u{E9}" == "cafe\u{301}")
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Authorization": "Token cafe\u{301}"], body: Array("m v=1".utf8)).0 == 401)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Authorization": "Token caf\u{E9}"], body: Array("m v=1".utf8)).0 == 204)
        #expect(try LoopbackClient.http(port: p, method: "POST", path: "/write", headers: ["Authorization": "Token caf"], body: Array("m v=1".utf8)).0 == 401)
    }

    /// gzip(1) from the system, so the test does not trust our own zlib use twice.
    func gzip(_ data: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(data))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(out)
    }
}
