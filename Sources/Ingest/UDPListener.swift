#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import LineProtocol
import Locking
import NIOCore

/// The UDP listener: each datagram is parsed on its own (bad lines counted, good ones kept) on
/// the thread of the ``DatagramHost`` it is attached to — the engine thread when the sink is the
/// relay's pipeline, which evaluates the points where it read them (no queue, no second thread;
/// a datagram the engine has no time for waits in the kernel buffer, and the kernel counts what
/// it drops), else a reader thread of its own that offers them to the sink (a full sink drops
/// them, counted).
public final class UDPListener: Sendable {
    /// Counters.
    public let statistics: ListenerStatistics
    /// The bound socket (owned by the host from the start until it closes it).
    public let socket: UDPSocket
    /// The timestamps' unit.
    public let precision: Precision
    /// What the points are tagged with (`database`, `retention-policy`).
    public let destination: PointDestination
    /// Where rejected lines are logged.
    let logger: Logger
    private let host: any DatagramHost

    /// The bound address (the real port when configured with port 0).
    public var localAddress: SocketAddress { socket.localAddress }
    /// SO_RCVBUF as the kernel granted it.
    public var grantedReadBuffer: Int { socket.grantedReadBuffer }

    /// Binds and starts reading: on `sink`'s own thread when it is a ``DatagramHost``, else on a
    /// reader thread of the listener's own.
    public static func start(_ config: UDPListenerConfig, sink: PointSink, logger: Logger) async throws -> UDPListener {
        let socket = try UDPSocket(binding: config.bindAddress, readBuffer: config.readBuffer)
        let granted = socket.grantedReadBuffer
        logger.info("udp listener started", metadata: [
            "address": .string(socket.localAddress.hostAndPort),
            "read-buffer-requested": .stringConvertible(config.readBuffer),
            "read-buffer-granted": .stringConvertible(granted),
        ])
        if config.readBuffer > 0 && granted < config.readBuffer {
            logger.warning("the kernel granted a smaller UDP read buffer than read-buffer; raise net.core.rmem_max",
                           metadata: ["requested": .stringConvertible(config.readBuffer), "granted": .stringConvertible(granted)])
        }
        let host = (sink as? any DatagramHost) ?? UDPReaderThread(sink: sink)
        let listener = UDPListener(config, socket: socket, host: host, logger: logger)
        host.attach(listener)
        return listener
    }

    private init(_ config: UDPListenerConfig, socket: UDPSocket, host: any DatagramHost, logger: Logger) {
        statistics = ListenerStatistics(name: "udp:\(config.bindAddress)")
        self.socket = socket
        precision = config.precision
        destination = config.destination
        self.host = host
        self.logger = logger
    }

    /// Datagrams the kernel dropped on this socket because its receive buffer was full: the loss
    /// that happens before the relay sees a datagram. nil once closed or where the kernel does not
    /// say (`SO_MEMINFO`).
    public var kernelDrops: UInt64? { socket.memory?.drops }

    /// How long the host reads a stopping socket at most before it closes it.
    public static let drainLimit: Duration = .milliseconds(500)

    /// Stops reading: the host's thread reads what the socket holds until it is empty (at most
    /// 500 ms or `grace`, so that a sender that never pauses does not hold the shutdown), then
    /// closes it — so datagrams in the kernel buffer at SIGTERM or a reload are not lost. Waits
    /// for that at most `grace` (a busy engine thread gets to it before it finishes anyway).
    public func stop(grace: Duration = .seconds(2)) async {
        let finished = ConditionLocked(false)
        host.detach(self, drainFor: min(grace, Self.drainLimit)) {
            finished.withLock { $0 = true }
            finished.broadcast()
        }
        let done = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            DetachedThread.start("udp-stop") { c.resume(returning: finished.wait(timeout: grace, until: { !$0 }) { v, _ in v }) }
        }
        if !done {
            // The stop stays queued on the host's thread: it still reads the socket empty and closes it.
            logger.warning("udp listener still being read at the end of the stop's grace period; its reader closes it when it gets to it",
                           metadata: ["listener": .string(statistics.name)])
        }
    }
}
