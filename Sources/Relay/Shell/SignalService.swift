import Locking
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads, SIGTERM and SIGINT stop the relay gracefully. The signals are trapped when this
/// is made (before the relay says it started, so an early signal is never lost nor fatal); a
/// SIGHUP is a request to ``ReloadService``, which serializes reloads: a SIGHUP arriving during a
/// reload waits for it and then reloads from the generation it applied.
final class SignalService: Service, Sendable {
    private let signals: UnixSignalsSequence
    private let controller: RelayController
    private let reloads: ReloadService
    private let group = Locked<ServiceGroup?>(nil)

    init(controller: RelayController, reloads: ReloadService) async {
        self.controller = controller
        self.reloads = reloads
        signals = await UnixSignalsSequence(trapping: .sighup, .sigterm, .sigint)
    }

    /// The group a SIGTERM or SIGINT shuts down.
    func stops(_ group: ServiceGroup) { self.group.withLock { $0 = group } }

    func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            if signal == .sighup {
                reloads.request("SIGHUP")
            } else {
                controller.logger.info("stopping", metadata: ["signal": .string("\(signal)"), "timeout": .stringConvertible(controller.generation.loaded.configuration.relay.shutdownTimeout.swiftDuration)])
                await group.withLock({ $0 })?.triggerGracefulShutdown()
            }
        }
    }
}
