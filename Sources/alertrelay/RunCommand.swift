import ArgumentParser
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
import Relay

/// `alertrelay run --config FILE`: the relay itself.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the relay: listeners → rules → handlers → Kafka, until SIGTERM or SIGINT.",
        discussion: """
            SIGHUP reloads the config, rule and handler files (all or nothing; alert state of unchanged \
            rules is kept). SIGTERM/SIGINT stop listening, evaluate what is queued, and wait up to \
            [relay] shutdown-timeout for Kafka to acknowledge. A bad file at start-up: every problem is \
            printed with file and line, exit status 2.
            """)

    @Option(name: [.customShort("c"), .customLong("config")], help: ArgumentHelp(ConfigPath.help))
    var configFile: String?
    var config: String { ConfigPath.resolve(configFile) }

    func run() async throws {
        let loaded = try loadEverything(config: config)
        let logging = loaded.configuration.logging
        let settings = RelayLogSettings(level: logging.level, format: logging.format)
        LoggingSystem.bootstrap { label in RelayLogHandler(label: label, settings: settings) }
        let logger = Logger(label: "alertrelay")
        let service = RelayService(configPath: config, loaded: loaded, logger: logger, logSettings: settings)
        let status = await service.run()
        if status != 0 { throw ExitCode(status) }
    }
}
