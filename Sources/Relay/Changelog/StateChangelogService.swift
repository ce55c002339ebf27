import ServiceLifecycle

/// Closes the state changelog writers at graceful shutdown, after the engine stopped (its last
/// flush is in them): what they hold gets `timeout` to be acknowledged.
struct StateChangelogService: Service {
    let writers: [StateChangelogWriter]
    let timeout: Duration

    func run() async throws {
        try? await gracefulShutdown()
        let writers = self.writers, timeout = self.timeout
        await onOwnThread("changelog-close") { for w in writers { w.close(timeout: timeout) } }
    }
}
