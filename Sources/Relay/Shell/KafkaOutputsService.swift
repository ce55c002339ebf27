import Logging
import ServiceLifecycle

/// The outputs of the applied generation as a service (the Kafka producers, the post and tcp
/// outputs): the last to stop, after the engine evaluated what was queued, waiting up to
/// `[relay] shutdown-timeout` for what they hold to be acknowledged. (Outputs a reload retires are
/// closed by that reload.)
struct KafkaOutputsService: Service {
    let controller: RelayController
    let timeout: Duration

    func run() async throws {
        try? await gracefulShutdown()
        let logger = controller.logger
        let asynchronous = controller.generation.outputs.asynchronous
        let closing = Task.detached {
            await onOwnThread("outputs-flush") {
                for o in asynchronous { o.close(timeout: timeout) }
            }
        }
        if let d = controller.generation.outputs.dispatcher {
            let timeout = self.timeout
            let flushed = await onOwnThread("kafka-flush") { d.flush(timeout: timeout) }
            if !flushed {
                logger.error("alerts not yet acknowledged at the shutdown timeout", metadata: [
                    "outstanding": .stringConvertible(d.clusterIDs.map { d.producer(for: $0)?.outstanding ?? 0 }.reduce(0, +))])
            }
            d.close(timeout: .zero)
            controller.counters.retire(d)
        }
        await closing.value
        controller.counters.retire(asynchronous)
        if let waiting = controller.retry?.waiting.values.reduce(0, +), waiting > 0 {
            logger.warning("alert messages still waiting to be sent again stay in the spool; the next start sends them",
                           metadata: ["messages": .stringConvertible(waiting)])
        }
    }
}
