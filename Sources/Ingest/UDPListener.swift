#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import LineProtocol
import NIOCore
import NIOPosix

/// The UDP listener: each datagram is parsed on its own (bad lines counted, good ones kept) and
/// handed to the sink; when the sink is full the datagram's points are dropped and counted.
///
/// Reads use recvmmsg (NIO's vector reads) so bursts are drained in few system calls.
public final class UDPListener: Sendable {
    /// Datagrams read per recvmmsg call. Every call sets up this many 64 KiB slots, also the one
    /// per wake-up that finds the socket empty, so a sidecar's few datagrams per wake-up pay for
    /// each slot; 8 per call (up to 64 calls per wake-up) still drains a burst in few calls.
    static let vectorReadCount = 8

    /// Counters.
    public let statistics: ListenerStatistics
    /// The bound address (the real port when configured with port 0).
    public let localAddress: SocketAddress
    /// SO_RCVBUF as the kernel granted it.
    public let grantedReadBuffer: Int
    private let channel: Channel

    /// Binds and starts reading.
    public static func start(_ config: UDPListenerConfig, sink: PointSink, group: EventLoopGroup,
                             logger: Logger) async throws -> UDPListener {
        let address = config.bindAddress
        let statistics = ListenerStatistics(name: "udp:\(config.bindAddress)")
        var bootstrap = DatagramBootstrap(group: group)
            // With vector reads NIO splits one receive buffer into equal slots, one per datagram:
            // every slot must hold the largest datagram (64 KiB), or it arrives truncated.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536 * vectorReadCount))
            .channelOption(.datagramVectorReadMessageCount, value: Self.vectorReadCount)
            .channelOption(.maxMessagesPerRead, value: 64)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPLineProtocolHandler(precision: config.precision, destination: config.destination, sink: sink, statistics: statistics, logger: logger))
                }
            }
        if config.readBuffer > 0 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(config.readBuffer))
        }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: address.bindHost, port: address.port).get()
        } catch {
            throw ListenerError.bindFailed("\(config.bindAddress)", reason: "\(error)")
        }
        let granted = Int((try? await channel.getOption(.socketOption(.so_rcvbuf)).get()) ?? 0)
        logger.info("udp listener started", metadata: [
            "address": .string(channel.localAddress?.hostAndPort ?? "\(config.bindAddress)"),
            "read-buffer-requested": .stringConvertible(config.readBuffer),
            "read-buffer-granted": .stringConvertible(granted),
        ])
        if config.readBuffer > 0 && granted < config.readBuffer {
            logger.warning("the kernel granted a smaller UDP read buffer than read-buffer; raise net.core.rmem_max",
                           metadata: ["requested": .stringConvertible(config.readBuffer), "granted": .stringConvertible(granted)])
        }
        return UDPListener(statistics: statistics, localAddress: channel.localAddress!, grantedReadBuffer: granted, channel: channel)
    }

    private init(statistics: ListenerStatistics, localAddress: SocketAddress, grantedReadBuffer: Int, channel: Channel) {
        self.statistics = statistics
        self.localAddress = localAddress
        self.grantedReadBuffer = grantedReadBuffer
        self.channel = channel
    }

    /// Datagrams the kernel dropped on this socket because its receive buffer was full (the
    /// `drops` column of /proc/net/udp and /proc/net/udp6 for the bound port): the loss that
    /// happens before the relay sees a datagram. nil where /proc is not readable.
    public var kernelDrops: UInt64? {
        guard let port = localAddress.port else { return nil }
        let hex = String(port, radix: 16, uppercase: true)
        let suffix = ":" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        var total: UInt64?
        for file in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 13, fields[1].hasSuffix(suffix), let drops = UInt64(fields[fields.count - 1]) else { continue }
                total = (total ?? 0) + drops
            }
        }
        return total
    }

    /// Reads what the socket already holds — until no datagram has arrived for 100 ms, at most
    /// `grace` or 500 ms (a sender that never pauses does not hold the shutdown) — then closes it,
    /// so datagrams in the kernel buffer at SIGTERM are not lost.
    public func stop(grace: Duration = .seconds(2)) async {
        await readUntilQuiet(limit: min(grace, .milliseconds(500)), quiet: .milliseconds(100),
                             progress: { statistics.datagrams.load(ordering: .relaxed) })
        try? await channel.close()
    }
}

final class UDPLineProtocolHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private var parser: BatchParser
    private let sink: PointSink
    private let statistics: ListenerStatistics
    private let destination: PointDestination

    init(precision: Precision, destination: PointDestination, sink: PointSink, statistics: ListenerStatistics, logger: Logger) {
        self.destination = destination
        self.parser = BatchParser(precision: precision, statistics: statistics, logger: logger)
        self.sink = sink
        self.statistics = statistics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        statistics.datagrams.add(1, ordering: .relaxed)
        statistics.bytes.add(UInt64(envelope.data.readableBytes), ordering: .relaxed)
        let points = parser.parse(envelope.data, now: unixNanosecondsNow()).points
        guard !points.isEmpty else { return }
        if !sink.offer(PointBatch(points: points, source: statistics.name, destination: destination)) {
            statistics.dropped.add(UInt64(points.count), ordering: .relaxed)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A datagram read error (e.g. ICMP port unreachable echoes) must not close the socket.
    }
}
