import AlertRules
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOPosix
import ServiceLifecycle

/// `alertrelay run`: listeners → parser → rules → handlers → Kafka, as a swift-service-lifecycle
/// `ServiceGroup`. SIGTERM/SIGINT stop it in dependency order — listeners first (reading what
/// clients already sent), then the engine (evaluating what is queued), then the Kafka producers
/// (delivering what they hold) — and SIGHUP or a changed config file reloads, all or nothing
/// (one reload at a time, ``ReloadService``). Under systemd (`$NOTIFY_SOCKET`) it reports ready,
/// reloading, stopping and watchdog keep-alives. `/metrics`, `/health` and `/ready` are served by
/// the HTTP listener.
public final class RelayService: Sendable {
    let configPath: String
    let logger: Logger
    private let loaded: LoadedRelay
    /// The process's log level and format, when `run` set up logging (reloads change them).
    private let logSettings: RelayLogSettings?
    private let onEvent: (@Sendable (AlertEvent) -> Void)?
    /// Where `NOTIFY_SOCKET` and `WATCHDOG_USEC` are read (systemd's notify protocol).
    private let environment: [String: String]

    /// A relay for what `RelayLoader` loaded from `configPath` (reloads read that path again).
    public init(configPath: String, loaded: LoadedRelay, logger: Logger, logSettings: RelayLogSettings? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                onEvent: (@Sendable (AlertEvent) -> Void)? = nil) {
        self.configPath = configPath
        self.environment = environment
        self.logger = logger
        self.logSettings = logSettings
        self.onEvent = onEvent
        self.loaded = loaded
    }

    /// Starts everything and serves until SIGTERM/SIGINT; returns the exit status.
    public func run() async -> Int32 {
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let status = await run(on: eventLoops)
        try? await eventLoops.shutdownGracefully()
        return status
    }

    private func run(on eventLoops: MultiThreadedEventLoopGroup) async -> Int32 {
        let files = DescriptorBudget.raiseSoftLimit()
        if files.now != files.before {
            logger.info("open-file limit raised to the hard limit", metadata: ["before": .stringConvertible(files.before), "now": .stringConvertible(files.now)])
        }
        logger.configWarnings(loaded.configuration)
        let controller: RelayController
        do throws(RelayStartError) {
            controller = try await RelayController.start(configPath: configPath, loaded: loaded, logger: logger, logSettings: logSettings,
                                                         eventLoops: eventLoops, onEvent: onEvent)
        } catch {
            logger.critical("\(error.what)", metadata: ["error": .string(error.reason)])
            return 1
        }
        let c = loaded.configuration
        let timeout = c.relay.shutdownTimeout.swiftDuration
        let notifier = SystemdNotifier.fromEnvironment(environment)
        let reloads = ReloadService(controller: controller, notifier: notifier)
        let signals = await SignalService(controller: controller, reloads: reloads)
        // Shut down in reverse order: systemd (STOPPING=1), signals, the file watch, reloads (the
        // one in progress ends first), readiness, listeners (a Kafka consumer leaves its group,
        // its partitions' state flushed to its changelog, which it then closes), engine, the
        // state file, then Kafka.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: KafkaOutputsService(controller: controller, timeout: timeout), serviceName: "kafka-outputs"),
            .init(service: controller.stateWriter, serviceName: "state-file"),
            .init(service: EngineService(pipeline: controller.pipeline, timeout: timeout, logger: logger), serviceName: "engine"),
            .init(service: ListenersService(controller: controller, grace: timeout), serviceName: "listeners"),
            .init(service: ReadinessService(controller: controller), serviceName: "readiness"),
            .init(service: reloads, serviceName: "reloads"),
            .init(service: ConfigWatchService(controller: controller, reloads: reloads), serviceName: "config-watch"),
            .init(service: signals, serviceName: "signals"),
            // Done after its last drop: its return stops nothing.
            .init(service: StartupPagesService(), successTerminationBehavior: .ignore, serviceName: "startup-pages"),
        ]
        if let notifier {
            services.append(.init(service: SystemdService(notifier: notifier, pipeline: controller.pipeline, logger: logger), serviceName: "systemd"))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        signals.stops(group)
        logger.info("alertrelay started", metadata: [
            "config": .string(configPath), "rules": .stringConvertible(loaded.rules.rules.count),
            "handlers": .stringConvertible(loaded.rules.handlers.count),
            "kafka": .string(c.enabledKafkaClusters.map(\.id).joined(separator: ",")),
            "listeners": .string(controller.generation.listeners.map(\.describe).joined(separator: ",")),
        ])
        notifier?.ready(status: "serving: \(loaded.rules.rules.count) rules, \(loaded.rules.handlers.count) handlers, listeners "
                        + controller.generation.listeners.map(\.describe).joined(separator: ","))
        // Start-up's pages are dropped by StartupPagesService once the services run: not here,
        // where reading /proc/self/smaps would delay the services' start (the config watch's
        // first inotify watches among them).
        do {
            try await group.run()
        } catch {
            logger.critical("alertrelay stopped on an error", metadata: ["error": .string("\(error)")])
            return 1
        }
        let s = controller.pipeline.snapshot
        logger.info("stopped", metadata: ["points": .stringConvertible(s.pointsProcessed), "events": .stringConvertible(s.events),
                                          "messages": .stringConvertible(s.messagesSent)])
        return 0
    }
}
