import AlertRules
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
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A `post` output: one `[[httppost]]` endpoint, or one URL (or URL template) inline handlers
/// name. Records go through a bounded ``OutputQueue`` to one worker task that POSTs them in order
/// on a keep-alive connection to the URL each record carries (reconnecting when the server closes
/// it, or when the next record goes to another origin or asks for other TLS verification);
/// `https://` goes through TLS (``PostTLS``), with SNI set to the URL's host.
///
/// 2xx is delivered; 5xx, 429, a refused connection or an attempt that ran out of time may pass:
/// the record is tried again in place with back-off, and reported failed (to be re-sent from the
/// spool, or dead-lettered) once it has waited ``sendTimeout`` — Kafka's `message-timeout`, whose
/// default is the same 5 minutes. Any other status, and a TLS handshake that fails (a certificate
/// that does not verify), are permanent failures: trying again cannot fix them.
final class HTTPPostOutput: QueuedOutput {
    /// How an output is set up (all have defaults).
    struct Settings: Sendable {
        /// The endpoint's headers (basic auth included), sent before the handler's.
        var headers: [(name: String, value: String)] = []
        var capacity = 10_000
        var connectTimeout: Duration = .seconds(5)
        /// The most one attempt may take when the handler sets no `timeout`.
        var requestTimeout: Duration = .seconds(10)
        var sendTimeout: Duration = .seconds(300)
        var backoff: (first: Duration, max: Duration) = (.milliseconds(100), .seconds(5))
    }

    let id: String
    let settings: Settings
    var sendTimeout: Duration { settings.sendTimeout }
    let queue: OutputQueue
    private let group: EventLoopGroup
    let report: @Sendable (String, OutputReport) -> Void
    private let logger: Logger
    let worker = WorkerTask()

    init(id: String, settings: Settings, group: EventLoopGroup, logger: Logger, report: @escaping @Sendable (String, OutputReport) -> Void) {
        self.id = id
        self.settings = settings
        self.group = group
        self.report = report
        self.logger = logger
        queue = OutputQueue(capacity: settings.capacity)
        worker.start { [self] in await run() }
    }

    // MARK: The worker

    private enum Attempt {
        case delivered
        /// `logged`: the failure was logged already (a non-2xx answer, with Kapacitor's message).
        case again(String, logged: Bool = false)
        case permanent(String)
    }

    /// The worker's connection and what it was opened for: a record for another origin, or
    /// another kind of TLS verification, needs a new one.
    private struct Connection {
        struct Key: Equatable {
            var tls: Bool
            var verify: Bool
            var host: String
            var port: Int
        }
        var channel: Channel
        var key: Key
    }

    private func run() async {
        var connection: Connection?
        while let item = await queue.next() {
            var failures = 0
            while true {
                let (outcome, keep) = await attempt(item, on: &connection, first: failures == 0)
                if !keep {
                    connection?.channel.close(promise: nil)
                    connection = nil
                }
                switch outcome {
                case .delivered:
                    finish(item, nil)
                case .permanent(let reason):
                    finish(item, OutputFailure(reason, permanent: true))
                case .again(let reason, let logged):
                    failures += 1
                    if isPastRetry(item) {
                        finish(item, OutputFailure(reason, permanent: false))
                        break
                    }
                    if failures == 1 && !logged { logger.warning("post failed; trying again", metadata: ["output": .string(id), "error": .string(reason)]) }
                    await backOff(after: failures, settings.backoff)
                    continue
                }
                break
            }
        }
        connection?.channel.close(promise: nil)
    }

    /// One POST of `item` within its handler's timeout; whether the connection may be used again.
    /// A non-2xx answer is logged on a record's `first` attempt and when it is final (not on every
    /// retry of an outage).
    private func attempt(_ item: OutputQueue.Item, on connection: inout Connection?, first: Bool) async -> (Attempt, Bool) {
        guard case .post(let text, let handlerHeaders, let json, let request) = item.record.target else {
            return (.permanent("not a post record"), true)
        }
        guard let url = PostURL(text) else { return (.permanent("\"\(text)\" is not an http:// or https:// URL with a host"), true) }
        let key = Connection.Key(tls: url.tls, verify: url.tls && !request.skipSSLVerification, host: url.host, port: url.port)
        if let c = connection, c.key != key || !c.channel.isActive {
            c.channel.close(promise: nil)
            connection = nil
        }
        let timeout = request.timeout ?? settings.requestTimeout
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        if connection == nil {
            switch await connect(url, key: key, timeout: timeout, deadline: deadline) {
            case .success(let ch): connection = Connection(channel: ch, key: key)
            case .failure(let f): return (f.outcome, false)
            }
        }
        guard let ch = connection?.channel else { return (.again("no connection"), false) }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: url.target)
        head.headers.add(name: "Host", value: url.hostHeader)
        head.headers.add(name: "User-Agent", value: "alertrelay")
        for h in settings.headers { head.headers.add(name: h.name, value: h.value) }
        // The handler's headers replace the endpoint's (Go's Header.Set after Header.Add).
        for h in handlerHeaders { head.headers.replaceOrAdd(name: h.name, value: h.value) }
        if json { head.headers.replaceOrAdd(name: "Content-Type", value: "application/json") }
        head.headers.add(name: "Content-Length", value: String(item.record.body.count))
        let promise = ch.eventLoop.makePromise(of: HTTPAnswer.self)
        let timer = ch.eventLoop.scheduleTask(deadline: deadline) {
            promise.fail(HTTPExchangeError(description: "no answer within \(timeout)"))
            ch.close(promise: nil)
        }
        ch.writeAndFlush(HTTPExchange(head: head, body: ByteBuffer(bytes: item.record.body), captureBody: request.captureResponse, promise: promise),
                         promise: nil)
        let answer: HTTPAnswer
        do {
            answer = try await promise.futureResult.get()
        } catch {
            timer.cancel()
            return (.again("POST \(text): \(error)"), false)
        }
        timer.cancel()
        let code = Int(answer.status.code)
        if (200..<300).contains(code) { return (.delivered, answer.keepAlive) }
        // Kapacitor's words: the body is the error with captureResponse, else a hint to set it.
        let error = request.captureResponse ? answer.body : "unknown error, use .captureResponse() to capture the HTTP response"
        let why = "POST \(text) returned \(code) \(answer.status.reasonPhrase): \(error)"
        let permanent = !(code == 429 || (500..<600).contains(code))
        if first || permanent {
            logger.error("POST returned non 2xx status code", metadata: [
                "output": .string(id), "url": .string(text), "code": .stringConvertible(code), "error": .string(error),
                "retrying": .stringConvertible(!permanent)])
        }
        return (permanent ? .permanent(why) : .again(why, logged: true), answer.keepAlive)
    }

    /// A new connection to `url`'s origin, through TLS for `https://` (the handshake done before
    /// it is returned), all before `deadline`.
    private func connect(_ url: PostURL, key: Connection.Key, timeout: Duration, deadline: NIODeadline) async -> Result<Channel, ConnectFailure> {
        let tls: NIOSSLContext?
        switch url.tls ? PostTLS.context(verify: key.verify) : nil {
        case .success(let c): tls = c
        case .failure(let e): return .failure(ConnectFailure(.permanent("POST \(url.origin): \(e)")))
        case nil: tls = nil
        }
        // SNI carries a host name, never an address; for an address NIOSSL checks the
        // certificate's IP entries against the peer's address instead.
        let sni: String? = (try? SocketAddress(ipAddress: url.host, port: 0)) == nil ? url.host : nil
        let handshake = group.next().makePromise(of: Void.self)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(min(settings.connectTimeout, timeout).nanoseconds))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        let sync = ch.pipeline.syncOperations
                        if let tls {
                            try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: sni))
                            try sync.addHandler(TLSHandshakeWaiter(done: handshake))
                        }
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(HTTPClientHandler())
                    }
                }
                .connect(host: url.host, port: url.port).get()
        } catch {
            handshake.succeed(())  // never to be waited on
            return .failure(ConnectFailure(.again("cannot connect to \(url.origin): \(error)")))
        }
        guard tls != nil else {
            handshake.succeed(())
            return .success(channel)
        }
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            handshake.fail(HTTPExchangeError(description: "TLS handshake not done within \(timeout)"))
            channel.close(promise: nil)
        }
        do {
            try await handshake.futureResult.get()
            timer.cancel()
            return .success(channel)
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            let why = "TLS handshake with \(url.origin) failed: \(TLSHandshakeWaiter.describe(error))"
            return .failure(ConnectFailure(TLSHandshakeWaiter.isPermanent(error) ? .permanent(why) : .again(why)))
        }
    }

    /// Why no connection was made, as the attempt's outcome.
    private struct ConnectFailure: Error {
        var outcome: Attempt
        init(_ outcome: Attempt) { self.outcome = outcome }
    }
}
