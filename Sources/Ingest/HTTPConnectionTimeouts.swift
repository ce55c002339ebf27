import NIOCore
import NIOHTTP1

/// Closes HTTP connections that hold a descriptor without using it: a request head must arrive
/// within `read-header-timeout` of connecting (a client trickling header bytes, "slowloris", is
/// cut off), and a keep-alive connection must send its next request within `idle-timeout` of the
/// previous answer. No timer runs while a request is being read or answered. Zero turns either off.
final class HTTPConnectionTimeouts: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let readHeader: Duration
    private let idle: Duration
    private let statistics: ListenerStatistics
    private var timer: Scheduled<Void>?

    init(readHeader: Duration, idle: Duration, statistics: ListenerStatistics) {
        self.readHeader = readHeader
        self.idle = idle
        self.statistics = statistics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, readHeader) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, readHeader)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context, idle) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ after: Duration) {
        disarm()
        guard after > .zero else { return }
        let channel = context.channel
        let statistics = self.statistics
        timer = context.eventLoop.scheduleTask(in: TimeAmount(after)) {
            statistics.idleClosed.add(1, ordering: .relaxed)
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
