import NIOCore
import NIOHTTP1

/// One request on a keep-alive HTTP/1.1 connection and the promise its response completes.
struct HTTPExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    /// Keep the answer's body (its first ``HTTPClientHandler/maxBody`` bytes): `captureResponse`.
    var captureBody: Bool
    var promise: EventLoopPromise<HTTPAnswer>
}

/// A response: status, whether the server keeps the connection, and the first bytes of the body
/// when they were asked for (bounded: the body only serves as a failure's reason).
struct HTTPAnswer: Sendable {
    var status: HTTPResponseStatus
    var keepAlive: Bool
    var body: String
}

/// Why an exchange ended without a response.
struct HTTPExchangeError: Error, CustomStringConvertible {
    var description: String
}

/// The client side of one connection: writes an ``HTTPExchange``'s request and completes its
/// promise with the response (or fails it when the connection ends first). One exchange at a
/// time (the output waits for each answer: no pipelining, order kept). Lives on the channel's
/// event loop only.
final class HTTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    /// The most response-body bytes kept.
    static let maxBody = 4096

    private var pending: EventLoopPromise<HTTPAnswer>?
    private var head: HTTPResponseHead?
    private var body = ""
    private var captureBody = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending = exchange.promise
        head = nil
        body = ""
        captureBody = exchange.captureBody
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body(var b):
            // The rest of a longer body is read and passed over: the connection stays usable.
            let room = captureBody ? Self.maxBody - body.utf8.count : 0
            if room > 0, let s = b.readString(length: min(room, b.readableBytes)) { body += s }
        case .end:
            guard let h = head, let p = pending else { return }
            pending = nil
            p.succeed(HTTPAnswer(status: h.status, keepAlive: h.isKeepAlive, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(HTTPExchangeError(description: "the server closed the connection before answering"))
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        pending?.fail(HTTPExchangeError(description: "\(error)"))
        pending = nil
        context.close(promise: nil)
    }
}
