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
                let before = controller.readiness.withLock { r in
                    defer { r = states }
                    return r
                }
                for (id, state) in states.sorted(by: { $0.key < $1.key }) {
                    switch (before[id], state) {
                    case (.some(.some), .none):
                        controller.logger.info("kafka cluster reachable again", metadata: ["cluster": .string(id)])
                    case (.some(.none), .some(let reason)), (.none, .some(let reason)):
                        controller.logger.warning("kafka cluster unreachable", metadata: ["cluster": .string(id), "reason": .string(reason)])
                    default:
                        break
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
