import Logging
import NIOCore
import NIOPosix

/// What TCP and HTTP listeners share: a stream server on `host:port` whose connections get
/// `initializer`'s handlers, at most `connections.limit` at once; binding errors name the address.
///
/// A failing `accept` (no descriptor left: EMFILE/ENFILE) pauses accepting for a second instead of
/// retrying at once — without it the event loop spins on the pending connection at 100% CPU — and
/// is counted and logged (at most every 10 s).
enum StreamServer {
    static func bind(_ address: BindAddress, kind: String, group: EventLoopGroup, logger: Logger,
                     connections: OpenConnections, statistics: ListenerStatistics,
                     _ initializer: @escaping @Sendable (Channel) throws -> Void, autoRead: Bool = true) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: true))
                    try channel.pipeline.syncOperations.addHandler(AcceptFailureCounter(statistics: statistics, logger: logger))
                }
            }
            .childChannelOption(.autoRead, value: autoRead)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard connections.admit(channel) else { throw ConnectionLimitReached() }
                    try initializer(channel)
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: address.bindHost, port: address.port).get()
        } catch {
            throw ListenerError.bindFailed("\(address)", reason: "\(error)")
        }
        logger.info("\(kind) listener started", metadata: ["address": .string(channel.localAddress?.hostAndPort ?? ""),
                                                          "max-connections": .stringConvertible(connections.limit)])
        return channel
    }
}

/// Counts the accept errors the back-off handler before it paused on, by kind, and logs them.
final class AcceptFailureCounter: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    private let statistics: ListenerStatistics
    private let logger: Logger
    private var lastLog: NIODeadline?

    init(statistics: ListenerStatistics, logger: Logger) {
        self.statistics = statistics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let descriptors = (error as? IOError).map { $0.errnoCode == EMFILE || $0.errnoCode == ENFILE } ?? false
        if descriptors {
            statistics.descriptorErrors.add(1, ordering: .relaxed)
        } else {
            statistics.acceptErrors.add(1, ordering: .relaxed)
        }
        let now = NIODeadline.now()
        if lastLog.map({ now - $0 >= .seconds(10) }) ?? true {
            lastLog = now
            logger.error(descriptors ? "cannot accept connections: no file descriptor left (the open-file limit); accepting again in 1 s"
                                     : "cannot accept a connection; accepting again in 1 s",
                         metadata: ["listener": .string(statistics.name), "error": .string("\(error)")])
        }
    }
}
