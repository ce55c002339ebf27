import Locking

/// Runs `body` on a thread of its own and returns its result: for calls that block (librdkafka's
/// flush, metadata requests, the engine's drain) without holding one of Swift concurrency's few
/// cooperative threads while they wait.
func onOwnThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DetachedThread.start(name) { continuation.resume(returning: body()) }
    }
}
