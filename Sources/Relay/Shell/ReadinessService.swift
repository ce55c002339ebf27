import ServiceLifecycle

/// Asks every cluster of the applied generation for its metadata every `interval`, for `/ready`
/// (librdkafka's metadata request blocks, so it runs on a thread of its own).
struct ReadinessService: Service {
    let controller: RelayController
    var interval: Duration = .seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let d = controller.generation.outputs.dispatcher
                let states: [String: String?] = await onOwnThread("readiness") {
                    var states: [String: String?] = [:]
                    for id in d?.clusterIDs ?? [] { states[id] = d?.producer(for: id)?.checkReachable(timeout: .seconds(2)) }
                    return states
                }
                controller.readiness.withLock { $0 = states }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
