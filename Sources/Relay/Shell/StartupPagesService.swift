import ServiceLifecycle

/// Drops start-up's pages (``StartupPages``) once the services have started, and again once the
/// first rounds of the periodic work (librdkafka's statistics and the readiness check, every 5 s)
/// have run code of their own for the first time (the kernel maps it in large chunks). Each drop
/// leaves what idle keeps running to come back as minor faults. Not done before the services
/// start: reading /proc/self/smaps takes milliseconds that would delay them. It returns once done
/// (its service configuration ignores that), or at once when the relay stops.
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
