import AlertRelayTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Ingest

/// The kernel's figures for one socket (`SO_MEMINFO`), as `/metrics` reports its drops.
@Suite struct UDPSocketMemoryTests {
    /// Datagrams that do not fit an unread buffer are this socket's drops, and every datagram is
    /// either queued or dropped; a closed socket answers nothing.
    @Test func dropsAreTheDatagramsAFullBufferRefused() throws {
        let socket = try UDPSocket(binding: BindAddress(host: "127.0.0.1", port: 0), readBuffer: 4096)
        let port = socket.localAddress.port ?? 0
        #expect(socket.memory?.drops == 0)
        let sent = 200
        try LoopbackClient.sendUDP(Array(repeating: Array("m v=1 1\n".utf8), count: sent), port: port)
        var queued = 0
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 { queued += 1 }
        let drops = try #require(socket.memory?.drops)
        #expect(drops > 0, "a 4 KiB buffer holds a few datagrams of 200")
        #expect(Int(drops) + queued == sent, "queued \(queued), dropped \(drops)")
        socket.close()
        #expect(socket.memory == nil)
    }
}
