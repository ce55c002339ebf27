import NIOCore

/// A running source of points: the UDP, TCP and HTTP listeners today, a Kafka consumer next. It
/// hands its batches to a ``PointSink`` (and pauses when the sink has no room), counts what it
/// did, and stops gracefully: what its clients already sent is read and handed on first, within
/// `grace`.
public protocol IngestSource: Sendable {
    /// Its counters (points, bytes, rejected lines, connections).
    var statistics: ListenerStatistics { get }
    /// Where it reads, e.g. `127.0.0.1:8089` with the port it really got.
    var address: String { get }
    /// Counters only the source itself knows, as `(name, value)` totals (UDP: the kernel's drops).
    var extraTotals: [(name: String, value: UInt64)] { get }
    /// Stops reading; returns once what was already sent was handed on (at most `grace`).
    func stop(grace: Duration) async
}

extension IngestSource {
    public var extraTotals: [(name: String, value: UInt64)] { [] }
}

extension SocketAddress {
    /// `host:port` as Go's net.JoinHostPort writes it (`127.0.0.1:8089`, `[::1]:8089`), not
    /// NIO's description (`[IPv4]127.0.0.1/127.0.0.1:8089`); a unix socket as its path.
    var hostAndPort: String {
        if case .unixDomainSocket = self { return pathname ?? "?" }
        let host = ipAddress ?? "?"
        return host.contains(":") ? "[\(host)]:\(port ?? 0)" : "\(host):\(port ?? 0)"
    }
}

extension UDPListener: IngestSource {
    public var address: String { localAddress.hostAndPort }
    public var extraTotals: [(name: String, value: UInt64)] { kernelDrops.map { [("udp_kernel_drops", $0)] } ?? [] }
}

extension TCPListener: IngestSource {
    public var address: String { localAddress.hostAndPort }
}

extension HTTPWriteListener: IngestSource {
    public var address: String { localAddress.hostAndPort }
    public func stop(grace: Duration) async { await stop() }
}
