import AlertRules
import Logging
import ServiceLifecycle
import Synchronization

/// Writes alert-state snapshots to `[relay] state-file` on a thread of its own: the engine only
/// copies its groups (a slice at a time, see ``AlertStateSnapshotCursor``) and hands the value
/// here, so encoding and `fsync` never hold evaluation. As a service it stops after the engine,
/// writing what the engine's last save handed it first.
public final class StateFileWriter: Service, Sendable {
    struct Job: Sendable {
        var state: CopiedAlertState
        var path: String
    }
    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let outstanding = Atomic<Int>(0)
    private let failures = Atomic<UInt64>(0)
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// Queues a snapshot to write (any thread).
    func submit(_ state: CopiedAlertState, to path: String) {
        outstanding.add(1, ordering: .relaxed)
        if case .terminated = continuation.yield(Job(state: state, path: path)) { outstanding.subtract(1, ordering: .relaxed) }
    }

    /// Nothing queued or being written: the engine starts its next snapshot only then, so a slow
    /// disk delays saves instead of piling snapshots up.
    var isIdle: Bool { outstanding.load(ordering: .relaxed) == 0 }

    /// Saves that failed (each logged with the system's reason).
    var failed: UInt64 { failures.load(ordering: .relaxed) }

    public func run() async {
        await withGracefulShutdownHandler {
            for await job in jobs {
                let error: String? = await onOwnThread("state-file") {
                    do {
                        try job.state.write(to: job.path)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                if let error {
                    failures.add(1, ordering: .relaxed)
                    logger.error("cannot save alert state", metadata: ["state-file": .string(job.path), "error": .string(error)])
                }
                outstanding.subtract(1, ordering: .relaxed)
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()  // what is queued is still written
        }
    }
}
