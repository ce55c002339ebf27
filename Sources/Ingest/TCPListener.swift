import Locking
import Logging
import LineProtocol
import NIOCore
import NIOPosix
import Synchronization

/// The TCP listener: newline-delimited line protocol on many concurrent connections. When the
/// pipeline is full it stops reading (TCP never drops); a line longer than `max-line-length` is
/// rejected and skipped without closing the connection.
///
/// Stopping is graceful: no new connections, then what clients already sent is read and handed
/// on (until each connection ends or falls quiet, bounded by the grace period), then the
/// connections close.
public final class TCPListener: Sendable {
    /// Counters.
    public let statistics: ListenerStatistics
    /// The bound address.
    public let localAddress: SocketAddress
    private let channel: Channel
    private let connections: OpenConnections

    /// Binds and starts accepting connections.
    public static func start(_ config: TCPListenerConfig, sink: PointSink, group: EventLoopGroup,
                             logger: Logger) async throws -> TCPListener {
        let statistics = ListenerStatistics(name: "tcp:\(config.bindAddress)")
        let connections = OpenConnections(limit: config.maxConnections, statistics: statistics)
        let channel = try await StreamServer.bind(config.bindAddress, kind: "tcp", group: group, logger: logger,
                                                  connections: connections, statistics: statistics, { channel in
            if config.idleTimeout > .zero {
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: TimeAmount(config.idleTimeout)))
            }
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(WholeLinesDecoder(maxLineLength: config.maxLineLength)))
            try channel.pipeline.syncOperations.addHandler(
                TCPLineProtocolHandler(precision: config.precision, destination: config.destination, sink: sink, statistics: statistics,
                                       maxLineLength: config.maxLineLength, connections: connections, logger: logger))
        }, autoRead: false)
        return TCPListener(statistics: statistics, localAddress: channel.localAddress!, channel: channel, connections: connections)
    }

    private init(statistics: ListenerStatistics, localAddress: SocketAddress, channel: Channel, connections: OpenConnections) {
        self.statistics = statistics
        self.localAddress = localAddress
        self.channel = channel
        self.connections = connections
    }

    /// Stops accepting, reads what open connections already sent until each ends or no byte has
    /// arrived for 250 ms, waits until the pipeline took every parsed batch, then closes them;
    /// all within `grace` and at most 2 s (a client that never pauses does not hold the shutdown).
    public func stop(grace: Duration = .seconds(2)) async {
        try? await channel.close()
        let connections = self.connections
        await readUntilQuiet(limit: min(grace, .seconds(2)), quiet: .milliseconds(250),
                             progress: { statistics.bytes.load(ordering: .relaxed) },
                             busy: { connections.pendingBatches.load(ordering: .relaxed) > 0 },
                             done: { connections.count == 0 && connections.pendingBatches.load(ordering: .relaxed) == 0 })
        for c in connections.all { try? await c.close() }
    }
}

/// What the decoder hands on: whole lines, or word that a line was too long and skipped.
enum WholeLines: Equatable {
    case lines(ByteBuffer)
    case tooLong(bytes: Int)
}

/// Splits a TCP stream into runs of whole lines where InfluxDB's line scan ends them (quoted and
/// escaped newlines stay inside), each byte scanned once; see ``LineStreamSplitter`` for lines
/// longer than `max-line-length`.
struct WholeLinesDecoder: ByteToMessageDecoder {
    typealias InboundOut = WholeLines
    private var splitter: LineStreamSplitter

    /// `oneLinePerMessage` hands each line on by itself (the output then does not depend on how
    /// the stream was cut, which tests check); the listener hands on all whole lines at hand.
    init(maxLineLength: Int, oneLinePerMessage: Bool = false) {
        splitter = LineStreamSplitter(maxRecordLength: maxLineLength, oneRecordPerStep: oneLinePerMessage)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        step(context: context, buffer: &buffer, atEnd: false)
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // The connection ended: a last line without a newline (or with an open quote) still counts.
        while step(context: context, buffer: &buffer, atEnd: true) == .continue {}
        return .needMoreData
    }

    private mutating func step(context: ChannelHandlerContext, buffer: inout ByteBuffer, atEnd: Bool) -> DecodingState {
        switch buffer.withUnsafeReadableBytes({ splitter.next($0, atEnd: atEnd) }) {
        case .needMore:
            return .needMoreData
        case .records(let count):
            context.fireChannelRead(wrapInboundOut(.lines(buffer.readSlice(length: count)!)))
            return .continue
        case .skip(let count, let lineLength):
            buffer.moveReaderIndex(forwardBy: count)
            if let lineLength { context.fireChannelRead(wrapInboundOut(.tooLong(bytes: lineLength))) }
            return .continue
        }
    }
}

final class TCPLineProtocolHandler: ChannelInboundHandler {
    typealias InboundIn = WholeLines

    private var parser: BatchParser
    private let sink: PointSink
    private let statistics: ListenerStatistics
    private let maxLineLength: Int
    private let logger: Logger
    private var pending: [PointBatch] = []
    /// The connection is paused on a full pipeline, waiting for its call back.
    private var waitingForRoom = false
    private let connections: OpenConnections
    private let destination: PointDestination

    init(precision: Precision, destination: PointDestination, sink: PointSink, statistics: ListenerStatistics, maxLineLength: Int,
         connections: OpenConnections, logger: Logger) {
        self.destination = destination
        self.connections = connections
        self.parser = BatchParser(precision: precision, statistics: statistics, logger: logger)
        self.sink = sink
        self.statistics = statistics
        self.maxLineLength = maxLineLength
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        statistics.datagrams.add(1, ordering: .relaxed)
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .lines(let buffer):
            statistics.bytes.add(UInt64(buffer.readableBytes), ordering: .relaxed)
            let points = parser.parse(buffer, now: unixNanosecondsNow()).points
            if !points.isEmpty {
                pending.append(PointBatch(points: points, source: statistics.name, destination: destination))
                connections.pendingBatches.add(1, ordering: .relaxed)
            }
        case .tooLong(let bytes):
            statistics.bytes.add(UInt64(bytes), ordering: .relaxed)
            statistics.rejected.add(1, ordering: .relaxed)
            logger.warning("rejected line", metadata: [
                "listener": .string(statistics.name),
                "error": .string("line of \(bytes) bytes is longer than max-line-length (\(maxLineLength)); skipped"),
            ])
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        drain(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The last line of a connection closed without a newline arrives here.
        drain(context: context)
        context.fireChannelInactive()
    }

    /// Hands pending batches to the sink; reads more only when all were taken (backpressure). A
    /// full pipeline pauses the connection until it calls back with room.
    private func drain(context: ChannelHandlerContext) {
        while let batch = pending.first {
            guard sink.offer(batch) else {
                guard !waitingForRoom else { return }
                waitingForRoom = true
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let loop = context.eventLoop
                sink.whenRoom(for: batch.points.count) {
                    loop.execute {
                        let (handler, context) = loopBound.value
                        handler.waitingForRoom = false
                        handler.drain(context: context)
                    }
                }
                return
            }
            pending.removeFirst()
            connections.pendingBatches.subtract(1, ordering: .relaxed)
        }
        if context.channel.isActive { context.read() }
    }

    /// `idle-timeout`: nothing read for that long closes the connection, unless the relay itself
    /// paused reading it (a full pipeline) or still holds its points.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            guard !waitingForRoom, pending.isEmpty else { return }
            statistics.idleClosed.add(1, ordering: .relaxed)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
