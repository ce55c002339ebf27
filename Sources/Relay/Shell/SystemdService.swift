import Logging
import ServiceLifecycle

/// The relay's side of a systemd `Type=notify` unit once it serves: `WATCHDOG=1` every half of
/// `$WATCHDOG_USEC` while the rule engine is alive, `STOPPING=1` when the graceful shutdown
/// begins (it is the first service to stop). (`READY=1` is sent by ``RelayService`` once the
/// listeners are bound; reloads by ``ReloadService``.)
///
/// Alive means the engine thread turned since the last keep-alive, or is in one of its bounded
/// waits for room in a full Kafka queue or spool (an outage is not a reason to restart). Each
/// period starts by waking the engine (an idle engine sleeps until work arrives), so a missing
/// turn means it is stuck: the keep-alive is withheld, and systemd restarts the relay after
/// `WatchdogSec`. The keep-alives come from this task, not from the engine thread, so a stuck
/// engine cannot keep them coming, nor a busy one be late with them.
struct SystemdService: Service {
    let notifier: SystemdNotifier
    let pipeline: RelayPipeline
    let logger: Logger

    func run() async throws {
        if let interval = notifier.watchdogInterval {
            let notifier = self.notifier, pipeline = self.pipeline, logger = self.logger
            await cancelWhenGracefulShutdown {
                var verdict = EngineWatchdog(pipeline.liveness)
                var withheld = false
                while !Task.isCancelled {
                    pipeline.wake()
                    do { try await Task.sleep(for: interval / 2) } catch { break }
                    if verdict.engineAlive() {
                        notifier.watchdog()
                        if withheld { logger.warning("the rule engine turns again; systemd watchdog keep-alives resumed") }
                        withheld = false
                    } else if !withheld {
                        logger.error("the rule engine has not turned for half the watchdog interval; withholding the systemd watchdog keep-alive",
                                     metadata: ["interval": .stringConvertible(interval)])
                        withheld = true
                    }
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        notifier.stopping()
    }
}
