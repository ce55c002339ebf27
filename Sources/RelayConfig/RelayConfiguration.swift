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
import GoDuration
import Ingest
import KafkaDispatch
import TOML

/// The relay's configuration file (TOML, in the shape of kapacitor.conf).
///
/// ```toml
/// [[kafka]]
///   enabled = true
///   id = "infra-monitoring"
///   brokers = ["127.0.0.1:9092"]
/// ```
public struct RelayConfiguration: Sendable, Equatable {
    /// Every `[[kafka]]` section, in file order (disabled ones included).
    public var kafka: [KafkaClusterConfig] = []
    /// Every `[[udp]]` listener.
    public var udp: [UDPListenerConfig] = []
    /// Every `[[tcp]]` listener.
    public var tcp: [TCPListenerConfig] = []
    /// Every `[[kafka-consumer]]` source (disabled ones included).
    public var kafkaConsumers: [KafkaConsumerConfig] = []
    /// The `[http]` listener, if configured.
    public var http: HTTPListenerConfig?
    /// `[admin]`: where `/health`, `/ready` and `/metrics` are served.
    public var admin = AdminConfig()

    /// The admin endpoints' own listener: `[admin] bind-address`, or the default address when there
    /// is no `[http]` to serve them; nil when `[http]` serves them (or `[admin] enabled = false`).
    public var adminListener: HTTPListenerConfig? {
        guard admin.enabled, admin.bindAddress != nil || http == nil else { return nil }
        var c = HTTPListenerConfig()
        c.bindAddress = admin.bindAddress ?? AdminConfig.defaultAddress
        c.authToken = admin.authToken
        c.servesWrites = false
        c.maxConnections = 64
        return c
    }

    /// Whether the `[http]` listener serves the admin endpoints too.
    public var httpServesAdmin: Bool { admin.enabled && admin.bindAddress == nil }

    /// `[load]`: where rule and handler files live.
    public var load = LoadConfig()
    /// `[logging]`.
    public var logging = LoggingConfig()
    /// `[relay]`: the pipeline between listeners and rules.
    public var relay = RelaySettings()
    /// `[spool]`: the durable spool in front of Kafka.
    public var spool = SpoolConfig()
    /// Every `[[httppost]]` endpoint.
    public var httppost: [HTTPPostConfig] = []

    /// What the file holds that has no effect here (Kapacitor's sections and options alertrelay
    /// does not use, a listener on a broker's address), each with where and why, in file order:
    /// `run` logs them at start, `check` lists them.
    public var warnings: [ConfigProblem] = []

    /// An empty configuration.
    public init() {}

    /// The enabled Kafka clusters.
    public var enabledKafkaClusters: [KafkaClusterConfig] { kafka.filter(\.enabled) }

    /// The `[[kafka]]` section a `[[kafka-consumer]]` names: the enabled one with that id, else
    /// the first with it (a consumer may read from a cluster that gets no producer).
    public func kafkaCluster(id: String) -> KafkaClusterConfig? {
        kafka.first { $0.enabled && $0.id == id } ?? kafka.first { $0.id == id }
    }

    /// Reads and validates the file at `path`, with `ALERTRELAY_…` overrides from `environment`.
    /// - Throws: ``ConfigError`` listing every problem with file and line.
    /// - Parameter checkPaths: also check that the spool directory, state file and dead-letter file
    ///   can be written (`check` and `run`; `test` writes none of them).
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            checkPaths: Bool = false) throws(ConfigError) -> RelayConfiguration {
        let inspection = inspect(path: path, environment: environment, checkPaths: checkPaths)
        guard inspection.problems.isEmpty, let configuration = inspection.configuration else {
            throw ConfigError(problems: inspection.problems)
        }
        return configuration
    }

    /// Parses and validates TOML `text`; `file` names it in errors; `environment` may override options.
    public static func parse(_ text: String, file: String, environment: [String: String] = [:],
                             checkPaths: Bool = false) throws(ConfigError) -> RelayConfiguration {
        let inspection = inspect(text, file: file, environment: environment, checkPaths: checkPaths)
        guard inspection.problems.isEmpty, let configuration = inspection.configuration else {
            throw ConfigError(problems: inspection.problems)
        }
        return configuration
    }

    /// What ``load(path:environment:checkPaths:)`` finds, without stopping at the problems: the
    /// configuration as far as it could be read (nil when the file is unreadable or not TOML) and
    /// every problem, so `check` can go on to the rule files it names.
    public struct Inspection: Sendable {
        /// The configuration, each unreadable option left at its default; nil if none could be read.
        public var configuration: RelayConfiguration?
        /// Every problem, in file order.
        public var problems: [ConfigProblem]
    }

    /// Reads the file at `path` as ``load(path:environment:checkPaths:)`` does, keeping what it could read.
    public static func inspect(path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                               checkPaths: Bool = false) -> Inspection {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            return Inspection(configuration: nil, problems: [ConfigProblem(file: path, line: nil, message: "cannot read the file: \(reason)")])
        }
        defer { close(fd) }
        guard let bytes = FileDescriptorReading.readAll(fd) else {
            let reason = String(cString: strerror(errno))
            return Inspection(configuration: nil, problems: [ConfigProblem(file: path, line: nil, message: "cannot read the file: \(reason)")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return Inspection(configuration: nil, problems: [ConfigProblem(file: path, line: nil, message: "the file is not UTF-8 text")])
        }
        return inspect(text, file: path, environment: environment, checkPaths: checkPaths)
    }

    /// Parses TOML `text` as ``parse(_:file:environment:checkPaths:)`` does, keeping what it could read.
    public static func inspect(_ text: String, file: String, environment: [String: String] = [:],
                               checkPaths: Bool = false) -> Inspection {
        var table: TOMLTable
        do throws(TOMLError) {
            // A byte order mark (editors on Windows write one) is not TOML, but not a mistake either.
            table = try TOMLTable(parsing: text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text)
        } catch {
            return Inspection(configuration: nil, problems: [ConfigProblem(file: file, line: error.position.line, column: error.position.column,
                                                                           message: "TOML syntax: \(error.reason)")])
        }
        let overrideProblems = EnvironmentOverrides.apply(to: &table, environment: environment)
        var decoder = ConfigDecoder(file: file, locator: TOMLLocator(root: table))
        let config = decoder.decode(table)
        var resolved = config
        resolved.warnings.sort(by: ConfigProblem.inFileOrder)
        resolved.load.dir = LoadConfig.resolve(config.load.dir, relativeTo: file)
        if !config.relay.stateFile.isEmpty { resolved.relay.stateFile = LoadConfig.resolve(config.relay.stateFile, relativeTo: file) }
        if !config.spool.dir.isEmpty { resolved.spool.dir = LoadConfig.resolve(config.spool.dir, relativeTo: file) }
        if !config.relay.deadLetterFile.isEmpty {
            resolved.relay.deadLetterFile = LoadConfig.resolve(config.relay.deadLetterFile, relativeTo: file)
        }
        var problems = overrideProblems + decoder.problems
        if checkPaths { problems += decoder.pathProblems(resolved) }
        return Inspection(configuration: resolved, problems: problems.sorted(by: ConfigProblem.inFileOrder))
    }
}

/// `[load]`, as Kapacitor's: a directory with `rules/` (alert rules, YAML) and `handlers/`
/// (topic handler files, YAML). A relative `dir` is relative to the config file's directory.
public struct LoadConfig: Sendable, Equatable {
    /// Whether rule and handler files are loaded at all.
    public var enabled = true
    /// The load directory; default: the config file's directory.
    public var dir = "."

    public init(enabled: Bool = true, dir: String = ".") {
        self.enabled = enabled
        self.dir = dir
    }

    /// `<dir>/rules`.
    public var rulesDirectory: String { dir + "/rules" }
    /// `<dir>/handlers`.
    public var handlersDirectory: String { dir + "/handlers" }

    static func resolve(_ dir: String, relativeTo file: String) -> String {
        if dir.hasPrefix("/") { return dir }
        // Not NSString.deletingLastPathComponent: Foundation traps on some names ("a").
        let base = file.contains("/" as Character) ? WritablePaths.parentDirectory(of: file) : ""
        let joined = base.isEmpty ? dir : base + "/" + dir
        return PathNames.standardized(joined)
    }
}

/// `[relay]`: `state-file` and `state-interval` (alert state across restarts), `queue-size` (points waiting for the rule engine; default 100000 — UDP drops and
/// counts beyond it, TCP and HTTP wait), `shutdown-timeout` (how long SIGTERM waits for queued
/// points and Kafka deliveries; default 10s) and `hostname` (`ServerInfo.Hostname`; default the
/// machine's host name).
public struct RelaySettings: Sendable, Equatable {
    /// `state-file`: where alert state is saved (on shutdown and every `state-interval`) and
    /// restored from at start; empty: state is not kept across restarts.
    public var stateFile = ""
    /// `state-interval`: how often the state is saved while running (default 1m).
    public var stateInterval = GoDuration(nanoseconds: 60_000_000_000)
    public var queueSize = 100_000
    /// `dead-letter-file`: every alert message that could not be delivered (refused by librdkafka,
    /// reported failed, or timed out — with a spool, only once older than its `max-age`) is
    /// appended here as a JSON line with the reason; empty: only logged and counted.
    public var deadLetterFile = ""
    public var shutdownTimeout = GoDuration(nanoseconds: 10_000_000_000)
    public var hostname = ""
    /// `max-groups`: alert groups of all rules together (default 100000, about 27 MB); a point that
    /// would open one more is not evaluated and is counted.
    public var maxGroups = 100_000
    /// `max-groups-per-rule`: groups of one rule unless the rule sets `maxGroups` (default 10000).
    public var maxGroupsPerRule = 10_000
    /// `group-expiry`: an OK group that has seen no point for this long (point time) is dropped;
    /// 0 keeps groups forever (default 1h).
    public var groupExpiry = GoDuration.hour
    /// `watch-config`: reload (as SIGHUP does) when the config file or a rule or handler file
    /// changes, including a Kubernetes ConfigMap's `..data` symlink swap (default true).
    public var watchConfig = true
    /// `udp-linger`: after reading UDP datagrams that arrive more often than one per linger, the
    /// engine waits up to this long before reading the sockets again, so one wake-up serves all the
    /// datagrams of that time (less CPU per point at a few hundred datagrams a second, up to this
    /// much more latency for UDP points); each linger is shortened so that the datagrams arriving
    /// during it fill at most an eighth of the socket's receive buffer at the measured rate (no
    /// linger when that allows under 5 ms), and ends when they fill a quarter. 0 (the default) reads each datagram as it arrives: under CPU
    /// contention a lingering relay lost more of a fast burst than one that did not linger
    /// (BENCHMARKS.md, "a linger bounded by the receive buffer").
    public var udpLinger = GoDuration.zero
    public init() {}
}
