import ServiceLifecycle

/// The listeners of the applied generation as a service: the first to stop at graceful shutdown,
/// each reading what its clients already sent before it closes (bounded by `grace`).
struct ListenersService: Service {
    let controller: RelayController
    let grace: Duration

    func run() async throws {
        try? await gracefulShutdown()
        await controller.stopListeners(grace: grace)
    }
}
