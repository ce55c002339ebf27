import AlertRules
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A `post` output: one `[[httppost]]` endpoint, or one URL inline handlers name. Records go
/// through a bounded ``OutputQueue`` to one worker task that POSTs them in order on a keep-alive
/// connection (reconnecting when the server closes it). 2xx is delivered; 5xx, 429, a refused
/// connection or a timeout may pass: the record is tried again in place with back-off, and
/// reported failed (to be re-sent from the spool, or dead-lettered) once it has waited
/// ``sendTimeout``; any other status is a permanent failure.
final class HTTPPostOutput: QueuedOutput {
    /// How an output is set up (all but the URL have defaults).
    struct Settings: Sendable {
        var url: PostURL
        /// The endpoint's headers (basic auth included), sent before the handler's.
        var headers: [(name: String, value: String)] = []
        var capacity = 10_000
        var connectTimeout: Duration = .seconds(5)
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
        case again(String)
        case permanent(String)
    }

    private func run() async {
        var channel: Channel?
        while let item = await queue.next() {
            var failures = 0
            while true {
                let (outcome, keep) = await attempt(item, on: &channel)
                if !keep {
                    channel?.close(promise: nil)
                    channel = nil
                }
                switch outcome {
                case .delivered:
                    finish(item, nil)
                case .permanent(let reason):
                    finish(item, OutputFailure(reason, permanent: true))
                case .again(let reason):
                    failures += 1
                    if ContinuousClock.now - item.queuedAt >= settings.sendTimeout || queue.isClosed || Task.isCancelled {
                        finish(item, OutputFailure(reason, permanent: false))
                        break
                    }
                    if failures == 1 { logger.warning("post failed; trying again", metadata: ["output": .string(id), "error": .string(reason)]) }
                    let delay = min(settings.backoff.max, settings.backoff.first * (1 << min(failures - 1, 16)))
                    try? await Task.sleep(for: delay)
                    continue
                }
                break
            }
        }
        channel?.close(promise: nil)
    }

    /// One POST of `item`; whether the connection may be used again.
    private func attempt(_ item: OutputQueue.Item, on channel: inout Channel?) async -> (Attempt, Bool) {
        let url = settings.url
        if channel == nil || channel?.isActive == false {
            do {
                channel = try await ClientBootstrap(group: group)
                    .connectTimeout(.nanoseconds(settings.connectTimeout.nanoseconds))
                    .channelInitializer { ch in
                        ch.eventLoop.makeCompletedFuture {
                            try ch.pipeline.syncOperations.addHTTPClientHandlers()
                            try ch.pipeline.syncOperations.addHandler(HTTPClientHandler())
                        }
                    }
                    .connect(host: url.host, port: url.port).get()
            } catch {
                return (.again("cannot connect to \(url.hostHeader): \(error)"), false)
            }
        }
        guard let ch = channel else { return (.again("no connection"), false) }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: url.target)
        head.headers.add(name: "Host", value: url.hostHeader)
        head.headers.add(name: "User-Agent", value: "alertrelay")
        var json = false
        var handlerHeaders: [(String, String)] = []
        if case .post(_, let hs, let isJSON) = item.record.target {
            json = isJSON
            handlerHeaders = hs.map { ($0.name, $0.value) }
        }
        for h in settings.headers { head.headers.add(name: h.name, value: h.value) }
        // The handler's headers replace the endpoint's (Go's Header.Set after Header.Add).
        for (n, v) in handlerHeaders { head.headers.replaceOrAdd(name: n, value: v) }
        if json { head.headers.replaceOrAdd(name: "Content-Type", value: "application/json") }
        head.headers.add(name: "Content-Length", value: String(item.record.body.count))
        let promise = ch.eventLoop.makePromise(of: HTTPAnswer.self)
        let timeout = settings.requestTimeout
        let timer = ch.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            promise.fail(HTTPExchangeError(description: "no answer within \(timeout)"))
            ch.close(promise: nil)
        }
        ch.writeAndFlush(HTTPExchange(head: head, body: ByteBuffer(bytes: item.record.body), promise: promise), promise: nil)
        let answer: HTTPAnswer
        do {
            answer = try await promise.futureResult.get()
        } catch {
            timer.cancel()
            return (.again("POST \(url.hostHeader)\(url.target): \(error)"), false)
        }
        timer.cancel()
        let code = Int(answer.status.code)
        let why = "POST \(url.hostHeader)\(url.target) returned \(code) \(answer.status.reasonPhrase)" + (answer.body.isEmpty ? "" : ": \(answer.body)")
        switch code {
        case 200..<300: return (.delivered, answer.keepAlive)
        case 429, 500..<600: return (.again(why), answer.keepAlive)
        default: return (.permanent(why), answer.keepAlive)
        }
    }
}
