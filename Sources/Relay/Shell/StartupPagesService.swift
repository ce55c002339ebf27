import ServiceLifecycle

/// Drops start-up's pages again (``StartupPages``) after the services have started: `RelayService`
/// drops them once before the service group runs, but the listeners, the Kafka producers and the
/// first rounds of the periodic work (librdkafka's statistics and the readiness check, every 5 s)
/// then run code of their own for the first time, and the kernel maps it in large chunks. Each
/// drop leaves what idle keeps running to come back as minor faults. It returns once done (its
/// service configuration ignores that), or at once when the relay stops.
struct StartupPagesService: Service {
    /// When to drop, from the start of the service group: once the services are up, and once the
    /// first rounds of the 5-second periodic work have run.
    var after: [Duration] = [.seconds(2), .seconds(12)]

    func run() async throws {
        let after = self.after
        await cancelWhenGracefulShutdown {
            var elapsed: Duration = .zero
            for moment in after {
                do { try await Task.sleep(for: moment - elapsed) } catch { return }
                elapsed = moment
                StartupPages.release()
            }
        }
    }
}
