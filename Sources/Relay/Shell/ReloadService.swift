import Locking
import ServiceLifecycle

/// The one task that reloads. SIGHUP (``SignalService``) and file changes (``ConfigWatchService``)
/// ask with ``request(_:)``; reloads run one at a time, in order, each from the generation the
/// previous one applied. Requests that arrive during a reload are merged into one that follows it
/// (it reads the files as they are then, which is what every merged request asked for).
/// Each reload is announced to systemd (`RELOADING=1`, then `READY=1` saying applied or refused).
final class ReloadService: Service, Sendable {
    private let controller: RelayController
    private let notifier: SystemdNotifier?
    private let requests: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let afterReload = Locked<[@Sendable (ReloadOutcome) -> Void]>([])

    init(controller: RelayController, notifier: SystemdNotifier?) {
        self.controller = controller
        self.notifier = notifier
        (requests, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a reload; `trigger` says why, for the log ("SIGHUP", "file change").
    func request(_ trigger: String) { continuation.yield(trigger) }

    /// Runs `action` after each reload (the file watcher follows the directories it names).
    func onReload(_ action: @escaping @Sendable (ReloadOutcome) -> Void) { afterReload.withLock { $0.append(action) } }

    func run() async throws {
        for await trigger in requests.cancelOnGracefulShutdown() {
            notifier?.reloading()
            let outcome = await controller.reload(trigger: trigger)
            notifier?.reloaded(outcome)
            for action in afterReload.withLock({ $0 }) { action(outcome) }
        }
    }
}
