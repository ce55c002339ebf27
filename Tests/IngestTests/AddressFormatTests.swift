import NIOCore
import Testing
@testable import Ingest

/// Listener addresses in logs and the start-up line as Go's net.JoinHostPort writes them.
@Suite struct AddressFormatTests {
    @Test func addressesAreHostColonPort() throws {
        let v4 = try SocketAddress(ipAddress: "127.0.0.1", port: 8089)
        #expect("\(v4)".hasPrefix("[IPv4]"), "NIO's own description, which logs used to show")
        #expect(v4.hostAndPort == "127.0.0.1:8089")
        #expect(try SocketAddress(ipAddress: "::1", port: 9092).hostAndPort == "[::1]:9092")
        #expect(try SocketAddress(unixDomainSocketPath: "/run/relay.sock").hostAndPort == "/run/relay.sock")
    }
}
