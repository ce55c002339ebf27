import Logging
import ServiceLifecycle

/// The rule engine as a service: its thread runs from the start; at graceful shutdown (after the
/// listeners stopped) it evaluates what is queued, bounded by `[relay] shutdown-timeout`.
struct EngineService: Service {
    let pipeline: RelayPipeline
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let pipeline = self.pipeline, timeout = self.timeout
        let drained = await onOwnThread("engine-drain") { pipeline.drain(timeout: timeout) }
        if !drained { logger.error("points still queued at the shutdown timeout were not evaluated") }
    }
}
