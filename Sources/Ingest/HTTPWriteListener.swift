import Logging
import LineProtocol
import NIOCore
import NIOHTTP1
import NIOPosix

/// InfluxDB-compatible HTTP ingest: `POST /write?db=&precision=`, `POST /api/v2/write?bucket=&precision=`
/// (gzip bodies welcome), `GET /ping`, and Kapacitor's `POST /kapacitor/v1/write` and
/// `GET /kapacitor/v1/ping` (so Telegraf's influxdb output pointed at a Kapacitor URL works).
/// Good lines of a partly bad body are kept and the response is 400 naming the bad lines, as
/// InfluxDB answers a partial write.
public final class HTTPWriteListener: Sendable {
    /// Counters (messages = requests).
    public let statistics: ListenerStatistics
    /// The bound address.
    public let localAddress: SocketAddress
    private let channel: Channel

    /// Binds and starts serving.
    /// - Parameter routes: extra GET endpoints (`/metrics`, `/health`, `/ready`), asked for any
    ///   path the listener does not serve itself.
    /// - Parameter name: the listener's kind in its statistics' name (`http:127.0.0.1:8086`).
    public static func start(_ config: HTTPListenerConfig, sink: PointSink, group: EventLoopGroup,
                             logger: Logger, routes: HTTPRoutes? = nil, name: String = "http") async throws -> HTTPWriteListener {
        let statistics = ListenerStatistics(name: "\(name):\(config.bindAddress)")
        let connections = OpenConnections(limit: config.maxConnections, statistics: statistics)
        let channel = try await StreamServer.bind(config.bindAddress, kind: name, group: group, logger: logger,
                                                  connections: connections, statistics: statistics) { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(HTTPConnectionTimeouts(readHeader: config.readHeaderTimeout, idle: config.idleTimeout,
                                                                                  statistics: statistics))
            try channel.pipeline.syncOperations.addHandler(HTTPWriteHandler(config: config, sink: sink, statistics: statistics,
                                                                            logger: logger, routes: routes))
        }
        return HTTPWriteListener(statistics: statistics, localAddress: channel.localAddress!, channel: channel)
    }

    private init(statistics: ListenerStatistics, localAddress: SocketAddress, channel: Channel) {
        self.statistics = statistics
        self.localAddress = localAddress
        self.channel = channel
    }

    /// Stops accepting.
    public func stop() async {
        try? await channel.close()
    }
}

/// A response of an extra HTTP endpoint.
public struct HTTPRouteResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String
    /// Whether the `auth-token` (when set) is required.
    public var needsAuth: Bool
    /// Headers beside Content-Type and Content-Length.
    public var headers: [(String, String)]
    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String, needsAuth: Bool = false,
                headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.needsAuth = needsAuth
        self.headers = headers
    }
}

/// Extra endpoints: given the request, a response, or nil for 404.
public typealias HTTPRoutes = @Sendable (HTTPRouteRequest) -> HTTPRouteResponse?

final class HTTPWriteHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// How long a write waits for room in a full pipeline before it is answered 503.
    static let pipelineWait: TimeAmount = .seconds(10)
    /// A 400 response names at most this many rejected lines (a body of bad lines must not make a
    /// response as large as itself, nor cost a text per line); `dropped=` counts the rest.
    static let errorsPerResponse = 100

    private let config: HTTPListenerConfig
    private let routes: HTTPRoutes?
    private let sink: PointSink
    private let statistics: ListenerStatistics
    private var parser: BatchParser
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    /// The request was answered from its head (no token, or a declared body over the limit): its
    /// body is read and dropped, never buffered.
    private var answered = false
    /// `Token <auth-token>` and `Bearer <auth-token>` as bytes, compared in constant time.
    private let acceptedAuthorizations: [[UInt8]]

    static let writePaths: Set<String> = ["/write", "/api/v2/write", "/kapacitor/v1/write"]

    init(config: HTTPListenerConfig, sink: PointSink, statistics: ListenerStatistics, logger: Logger, routes: HTTPRoutes? = nil) {
        self.config = config
        self.routes = routes
        self.sink = sink
        self.statistics = statistics
        self.parser = BatchParser(precision: .nanoseconds, statistics: statistics, logger: logger)
        acceptedAuthorizations = config.authToken.isEmpty ? [] : ["Token ", "Bearer "].map { Array(($0 + config.authToken).utf8) }
    }

    /// Whether the request carries the token (always, when none is configured). Compared as bytes,
    /// not as Strings (String equality would accept a Unicode-equivalent token), and in time that
    /// does not depend on where the first difference is.
    private func authorized(_ head: HTTPRequestHead) -> Bool {
        guard !acceptedAuthorizations.isEmpty else { return true }
        let given = Array((head.headers.first(name: "authorization") ?? "").utf8)
        var match = false
        for expected in acceptedAuthorizations { match = Self.constantTimeEqual(given, expected) || match }
        return match
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { difference |= (i < a.count ? a[i] : 0) ^ b[i] }
        return difference == 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
            tooLarge = false
            answered = false
            let declared = h.headers.first(name: "content-length").flatMap(Int.init)
            if let declared, declared > config.maxBodySize { tooLarge = true }
            // A write is judged on its head: without the token, or declaring a body over the limit,
            // it is answered at once and its body is never buffered.
            guard config.servesWrites, h.method == .POST, Self.writePaths.contains(Self.split(h.uri).0) else { return }
            if !authorized(h) {
                answered = true
                respond(context, h, .unauthorized, "authorization failed", close: false)
            } else if tooLarge {
                answered = true
                respond(context, h, .payloadTooLarge, "request body is larger than max-body-size (\(config.maxBodySize) bytes)", close: false)
            }
        case .body(var chunk):
            guard !tooLarge, !answered else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > config.maxBodySize {
                tooLarge = true
                body = nil
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let h = head else { return }
            head = nil
            if answered {
                // Closed only now: closing with the body still arriving would reset the connection
                // and could cost the client the answer.
                answered = false
                if !h.isKeepAlive { context.close(promise: nil) }
                return
            }
            handle(context: context, head: h, body: body ?? context.channel.allocator.buffer(capacity: 0))
            body = nil
        }
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer) {
        let (path, query) = Self.split(head.uri)
        if config.servesWrites {
            switch (head.method, path) {
            case (.GET, "/ping"), (.HEAD, "/ping"):
                respond(context, head, .noContent, nil)
                return
            case (.GET, "/kapacitor/v1/ping"), (.HEAD, "/kapacitor/v1/ping"):
                respond(context, head, .noContent, nil)
                return
            case (.POST, "/write"), (.POST, "/api/v2/write"), (.POST, "/kapacitor/v1/write"):
                statistics.datagrams.add(1, ordering: .relaxed)
                write(context: context, head: head, query: query, body: body)
                return
            case (_, "/write"), (_, "/api/v2/write"), (_, "/ping"), (_, "/kapacitor/v1/write"), (_, "/kapacitor/v1/ping"):
                respond(context, head, .methodNotAllowed, "method \(head.method) not allowed on \(path)")
                return
            default:
                break
            }
        }
        if let r = routes?(HTTPRouteRequest(method: head.method.rawValue, path: path, query: query, uri: head.uri)) {
            if r.needsAuth, !authorized(head) {
                respond(context, head, .unauthorized, "authorization failed")
                return
            }
            respondRaw(context, head, r)
            return
        }
        respond(context, head, .notFound, "not found: \(path)")
    }

    private func respondRaw(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, _ r: HTTPRouteResponse) {
        var headers = HTTPHeaders()
        let buffer = context.channel.allocator.buffer(string: r.body)
        headers.add(name: "Content-Type", value: r.contentType)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        for (name, value) in r.headers { headers.add(name: name, value: value) }
        if request.uri.hasPrefix(KapacitorHTTP.basePath + "/") { headers.add(name: "X-Kapacitor-Version", value: KapacitorHTTP.version) }
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: r.status), headers: headers))), promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let keepAlive = request.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    private func write(context: ChannelHandlerContext, head: HTTPRequestHead, query: [String: String], body: ByteBuffer) {
        if tooLarge {
            respond(context, head, .payloadTooLarge, "request body is larger than max-body-size (\(config.maxBodySize) bytes)")
            return
        }
        guard let precision = Precision(name: query["precision"] ?? "") else {
            respond(context, head, .badRequest, "invalid precision \"\(query["precision"] ?? "")\" (use n, ns, u, us, ms, s, m or h)")
            return
        }
        var payload = body
        if head.headers.first(name: "content-encoding")?.lowercased() == "gzip" {
            switch Result(catching: { () throws(Gzip.Failure) -> [UInt8] in
                try Gzip.inflate(Array(body.readableBytesView), limit: config.maxBodySize)
            }) {
            case .success(let inflated):
                payload = context.channel.allocator.buffer(bytes: inflated)
            case .failure(.tooLarge):
                respond(context, head, .payloadTooLarge, "decompressed body is larger than max-body-size (\(config.maxBodySize) bytes)")
                return
            case .failure(.corrupt(let reason)):
                respond(context, head, .badRequest, "bad gzip body: \(reason)")
                return
            }
        }
        statistics.bytes.add(UInt64(payload.readableBytes), ordering: .relaxed)
        parser = BatchParser(precision: precision, statistics: statistics, logger: parser.logger)
        let (points, errors, rejected) = parser.parse(payload, now: unixNanosecondsNow(), keepErrors: Self.errorsPerResponse)
        var message: String?
        if rejected > 0 {
            message = Self.parseErrorMessage(errors, rejected: rejected, partial: !points.isEmpty)
        }
        guard !points.isEmpty else {
            respond(context, head, errors.isEmpty ? .noContent : .badRequest, message)
            return
        }
        let batch = PointBatch(points: points, source: statistics.name,
                               destination: Self.destination(query, defaultRetentionPolicy: config.defaultRetentionPolicy))
        offer(context: context, head: head, batch: batch, message: message,
              deadline: .now() + Self.pipelineWait)
    }

    /// Hands the batch on; while the pipeline is full the client waits (backpressure) until the
    /// pipeline calls back with room, or is answered 503 at `deadline`.
    private func offer(context: ChannelHandlerContext, head: HTTPRequestHead, batch: PointBatch, message: String?, deadline: NIODeadline) {
        if sink.offer(batch) {
            respond(context, head, message == nil ? .noContent : .badRequest, message)
            return
        }
        if NIODeadline.now() > deadline {
            unavailable(context, head, batch)
            return
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let settled = NIOLoopBoundBox(false, eventLoop: loop)
        let timeout = loop.scheduleTask(deadline: deadline) {
            guard !settled.value else { return }
            settled.value = true
            let (handler, context) = bound.value
            handler.unavailable(context, head, batch)
        }
        sink.whenRoom(for: batch.points.count) {
            loop.execute {
                guard !settled.value else { return }
                settled.value = true
                timeout.cancel()
                let (handler, context) = bound.value
                handler.offer(context: context, head: head, batch: batch, message: message, deadline: deadline)
            }
        }
    }

    private func unavailable(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ batch: PointBatch) {
        statistics.dropped.add(UInt64(batch.points.count), ordering: .relaxed)
        respond(context, head, .serviceUnavailable, "the pipeline is full; retry later")
    }

    private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead, _ status: HTTPResponseStatus, _ error: String?,
                         close: Bool = true) {
        var headers = HTTPHeaders()
        headers.add(name: "X-Influxdb-Version", value: "alertrelay")
        // Kapacitor puts its version on every response of its API.
        if request.uri.hasPrefix(KapacitorHTTP.basePath + "/") { headers.add(name: "X-Kapacitor-Version", value: KapacitorHTTP.version) }
        var buffer: ByteBuffer?
        if let error, status != .noContent {
            var text = "{\"error\":"
            appendJSONString(error, to: &text)
            text += "}\n"
            headers.add(name: "Content-Type", value: "application/json")
            buffer = context.channel.allocator.buffer(string: text)
        }
        headers.add(name: "Content-Length", value: String(buffer?.readableBytes ?? 0))
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if let buffer { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let keepAlive = request.isKeepAlive || !close
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    /// The error of a 400 answer, in InfluxDB's words: `unable to parse '<line>': <reason>` for each
    /// named line, one per line, prefixed `partial write: ` and ended ` dropped=N` when some points
    /// were written (InfluxDB's PartialWriteError). N is how many rejected lines are not named:
    /// 0, as InfluxDB says, while all are; a body with no point ends ` dropped=N` only when N > 0.
    static func parseErrorMessage(_ errors: [RejectedLine], rejected: Int, partial: Bool) -> String {
        let reasons = errors.map { "unable to parse '\($0.text)': \($0.error.reason) (line \($0.error.errorLine), column \($0.error.column))" }
            .joined(separator: "\n")
        let dropped = rejected - errors.count
        if partial { return "partial write: \(reasons) dropped=\(dropped)" }
        return dropped > 0 ? "\(reasons) dropped=\(dropped)" : reasons
    }

    /// Where a write goes, as Kapacitor reads it: `db` and `rp` (`/write`), or InfluxDB 2's
    /// `bucket` as `db/rp` (`/api/v2/write`); no `rp`: `default-retention-policy`.
    static func destination(_ query: [String: String], defaultRetentionPolicy: String) -> PointDestination {
        var database = query["db"] ?? ""
        var retentionPolicy = query["rp"] ?? ""
        if database.isEmpty, let bucket = query["bucket"] {
            let parts = bucket.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            database = String(parts[0])
            if parts.count > 1 && retentionPolicy.isEmpty { retentionPolicy = String(parts[1]) }
        }
        return PointDestination(database: database, retentionPolicy: retentionPolicy.isEmpty ? defaultRetentionPolicy : retentionPolicy)
    }

    /// Path and decoded query parameters of a request URI.
    static func split(_ uri: String) -> (String, [String: String]) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecoded(String(parts[0]))
            query[key] = parts.count > 1 ? percentDecoded(String(parts[1])) : ""
        }
        return (String(uri[..<q]), query)
    }

    static func percentDecoded(_ s: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let c = bytes.popFirst() {
            if c == UInt8(ascii: "%"), bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
