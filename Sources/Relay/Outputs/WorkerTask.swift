import Locking

/// The task an asynchronous output's worker runs in, cancelled when the output closes (a back-off
/// sleep then ends at once).
final class WorkerTask: Sendable {
    private let task = Locked<Task<Void, Never>?>(nil)
    func start(_ body: @escaping @Sendable () async -> Void) { task.withLock { $0 = Task.detached { await body() } } }
    func cancel() { task.withLock { $0 }?.cancel() }
}
