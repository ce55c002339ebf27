import AlertRules
import Logging
import NIOCore
import NIOPosix

/// A `tcp` output: alert JSON lines to one `host:port`, as Kapacitor's tcp handler writes them,
/// on one kept connection (Kapacitor dials per alert; one connection keeps the lines in order and
/// costs the receiver less). A record is delivered when the kernel took all of its bytes; a failed
/// connect or write closes the connection and tries again with back-off, and the record is
/// reported failed (to be re-sent from the spool, or dead-lettered) once it has waited
/// ``sendTimeout``.
final class TCPOutput: QueuedOutput {
    struct Settings: Sendable {
        var host: String
        var port: Int
        var capacity = 10_000
        var connectTimeout: Duration = .seconds(5)
        var writeTimeout: Duration = .seconds(10)
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

    private func run() async {
        var channel: Channel?
        while let item = await queue.next() {
            var failures = 0
            while true {
                let failure = await write(item, on: &channel)
                guard let reason = failure else {
                    finish(item, nil)
                    break
                }
                channel?.close(promise: nil)
                channel = nil
                failures += 1
                if isPastRetry(item) {
                    finish(item, OutputFailure(reason, permanent: false))
                    break
                }
                if failures == 1 { logger.warning("tcp write failed; reconnecting", metadata: ["output": .string(id), "error": .string(reason)]) }
                await backOff(after: failures, settings.backoff)
            }
        }
        channel?.close(promise: nil)
    }

    /// Writes `item` (connecting first if needed); nil when written, else why not.
    private func write(_ item: OutputQueue.Item, on channel: inout Channel?) async -> String? {
        let address = "\(settings.host):\(settings.port)"
        if channel == nil || channel?.isActive == false {
            do {
                channel = try await ClientBootstrap(group: group)
                    .connectTimeout(.nanoseconds(settings.connectTimeout.nanoseconds))
                    .connect(host: settings.host, port: settings.port).get()
            } catch {
                return "cannot connect to \(address): \(error)"
            }
        }
        guard let ch = channel else { return "no connection" }
        let done = ch.eventLoop.makePromise(of: Void.self)
        let timeout = settings.writeTimeout
        let timer = ch.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            done.fail(HTTPExchangeError(description: "write not done within \(timeout)"))
            ch.close(promise: nil)
        }
        ch.writeAndFlush(ByteBuffer(bytes: item.record.body), promise: done)
        do {
            try await done.futureResult.get()
            timer.cancel()
            return nil
        } catch {
            timer.cancel()
            return "write to \(address): \(error)"
        }
    }
}
