import GoDuration
import Ingest
import KafkaDispatch
import NameSuggestion
import LineProtocol
import TOML

/// Turns a parsed TOML table into ``RelayConfiguration``, collecting every problem with its
/// line and column, and a warning for each Kapacitor option or section it accepts but does not use
/// (so a kapacitor.conf loads as it is).
struct ConfigDecoder {
    let file: String
    let locator: TOMLLocator
    private(set) var problems: [ConfigProblem] = []
    /// Accepted but without effect here: each says why; one per option name or section.
    private(set) var warnings: [ConfigProblem] = []
    private var warned: Set<String> = []
    /// `[[kafka-consumer]]` sections whose `topics` could not be read (not judged again as empty).
    var unreadableConsumerTopics: Set<Int> = []

    init(file: String, locator: TOMLLocator) {
        self.file = file
        self.locator = locator
    }

    static let topLevelKeys = ["kafka", "kafka-consumer", "udp", "tcp", "http", "admin", "load", "logging", "relay", "spool", "httppost"]
    static let knownSections = "[[kafka]], [[kafka-consumer]], [[udp]], [[tcp]], [http], [admin], [load], [logging], [relay], [spool], [[httppost]]"
    /// Kapacitor's top-level options that apply here.
    static let topLevelOptions = ["hostname", "default-retention-policy"]

    mutating func decode(_ root: TOMLTable) -> RelayConfiguration {
        var config = RelayConfiguration()
        for key in root.keys.sorted() where !Self.topLevelKeys.contains(key) && !Self.topLevelOptions.contains(key) {
            let place = locator.position(table: key) ?? locator.position(subTablesOf: key) ?? locator.position(table: "", key: key)
            if let why = Self.kapacitorSections[key] {
                warn(once: "section \(key)", place, "[\(key)] is a Kapacitor section alertrelay does not use, ignored: \(why)")
            } else if let why = Self.kapacitorTopLevel[key] {
                warn(once: "option \(key)", place, "\(key): a Kapacitor option without effect here, ignored: \(why)")
            } else {
                let hint = NameSuggestion.closest(to: key, in: Self.topLevelKeys + Self.topLevelOptions).map { " (did you mean \"\($0)\"?)" } ?? ""
                report(at: place, "unknown section or key \"\(key)\"\(hint) (known: \(Self.knownSections))")
            }
        }
        var defaultRetentionPolicy = ""
        if let v = root["default-retention-policy"] {
            if let s = v.string { defaultRetentionPolicy = s } else {
                report(at: locator.position(table: "", key: "default-retention-policy"),
                       "default-retention-policy: expected a string, got \(describe(v, key: "default-retention-policy"))")
            }
        }
        var kapacitorHostname: String?
        if let v = root["hostname"] {
            if let s = v.string { kapacitorHostname = s } else {
                report(at: locator.position(table: "", key: "hostname"), "hostname: expected a string, got \(describe(v, key: "hostname"))")
            }
        }
        if let value = root["kafka"] {
            if let array = value.array {
                for (i, element) in array.enumerated() {
                    guard let table = element.table else {
                        report(at: locator.position(table: "", key: "kafka"), "kafka must be written as [[kafka]] sections")
                        continue
                    }
                    config.kafka.append(decodeKafka(table, index: i))
                }
            } else {
                report(at: locator.position(table: "kafka"), "kafka must be written as [[kafka]] sections (an array of tables), not [kafka]")
            }
        }
        config.udp = decodeArray(root, "udp") { d, t, i in d.decodeUDP(t, index: i) }
        config.tcp = decodeArray(root, "tcp") { d, t, i in d.decodeTCP(t, index: i) }
        config.kafkaConsumers = decodeArray(root, "kafka-consumer") { d, t, i in d.decodeKafkaConsumer(t, index: i) }
        let (posts, postProblems, postWarnings) = HTTPPostConfig.decode(root["httppost"], file: file, locator: locator)
        config.httppost = posts
        problems += postProblems
        warnings += postWarnings
        if let value = root["http"] {
            if let table = value.table, value.type == .table {
                config.http = decodeHTTP(table)
            } else {
                report(at: locator.position(table: "http"), "http must be written as one [http] section")
            }
        }
        if let value = root["load"] {
            if let table = value.table, value.type == .table {
                config.load = decodeLoad(table)
            } else {
                report(at: locator.position(table: "load"), "load must be written as one [load] section")
            }
        }
        for (name, decode) in [("logging", { (d: inout Self, t: TOMLTable, c: inout RelayConfiguration) in c.logging = d.decodeLogging(t) }),
                               ("relay", { (d: inout Self, t: TOMLTable, c: inout RelayConfiguration) in c.relay = d.decodeRelay(t) }),
                               ("spool", { (d: inout Self, t: TOMLTable, c: inout RelayConfiguration) in c.spool = d.decodeSpool(t) }),
                               ("admin", { (d: inout Self, t: TOMLTable, c: inout RelayConfiguration) in c.admin = d.decodeAdmin(t) })] {
            if let value = root[name] {
                if let table = value.table, value.type == .table {
                    decode(&self, table, &config)
                } else {
                    report(at: locator.position(table: name), "\(name) must be written as one [\(name)] section")
                }
            }
        }
        // Kapacitor's top-level hostname is its ServerInfo.Hostname, as [relay] hostname is here.
        if let h = kapacitorHostname, config.relay.hostname.isEmpty { config.relay.hostname = h }
        // Kapacitor's TaskMaster gives a write without a retention policy the default one.
        for i in config.udp.indices where config.udp[i].destination.retentionPolicy.isEmpty {
            config.udp[i].destination.retentionPolicy = defaultRetentionPolicy
        }
        for i in config.tcp.indices where config.tcp[i].destination.retentionPolicy.isEmpty {
            config.tcp[i].destination.retentionPolicy = defaultRetentionPolicy
        }
        for i in config.kafkaConsumers.indices where config.kafkaConsumers[i].destination.retentionPolicy.isEmpty {
            config.kafkaConsumers[i].destination.retentionPolicy = defaultRetentionPolicy
        }
        config.http?.defaultRetentionPolicy = defaultRetentionPolicy
        checkAddresses(config)
        warnListenersOnBrokers(config)
        // A section whose options could not be read is not judged further: one mistake, one message.
        let unreadable = Set(problems.compactMap(\.kafkaSection))
        for (index, problem) in KafkaClusterConfig.validate(config.kafka) where !unreadable.contains(index) {
            reportKafka(index: index, id: config.kafka[index].id, key: problem.key, problem.reason)
        }
        checkKafkaConsumers(config)
        config.warnings = warnings
        return config
    }

    // MARK: Listeners

    mutating func decodeArray<T>(_ root: TOMLTable, _ name: String, _ decode: (inout Self, TOMLTable, Int) -> T) -> [T] {
        guard let value = root[name] else { return [] }
        guard let array = value.array else {
            report(at: locator.position(table: name), "\(name) must be written as [[\(name)]] sections (an array of tables), not [\(name)]")
            return []
        }
        var out: [T] = []
        for (i, element) in array.enumerated() {
            guard let table = element.table else {
                report(at: locator.position(table: "", key: name), "\(name) must be written as [[\(name)]] sections")
                continue
            }
            out.append(decode(&self, table, i))
        }
        return out
    }

    mutating func listenerProblem(_ section: String, _ index: Int?, key: String?, _ message: String) {
        let place = locator.position(table: section, index: index ?? 0, key: key)
        report(at: place, "\(Self.title(section, index)): \(key.map { "\($0): " } ?? "")\(message)")
    }

    static func title(_ section: String, _ index: Int?) -> String {
        index.map { "[[\(section)]] #\($0 + 1)" } ?? "[\(section)]"
    }

    static let udpKeys = ["enabled", "bind-address", "database", "retention-policy", "read-buffer", "precision"]

    mutating func decodeUDP(_ t: TOMLTable, index: Int) -> UDPListenerConfig {
        var c = UDPListenerConfig()
        checkKeys(t, Self.udpKeys, "udp", index, ignored: Self.kapacitorUDPOptions)
        if let b = bool(t, "enabled", "udp", index) { c.enabled = b }
        if let a = address(t, "udp", index) { c.bindAddress = a }
        c.destination = destination(t, "udp", index)
        if let n = int(t, "read-buffer", "udp", index, in: Limits.readBuffer) { c.readBuffer = n }
        if let p = precision(t, "udp", index) { c.precision = p }
        return c
    }

    static let tcpKeys = ["enabled", "bind-address", "database", "retention-policy", "max-line-length", "precision",
                          "max-connections", "idle-timeout"]

    mutating func decodeTCP(_ t: TOMLTable, index: Int) -> TCPListenerConfig {
        var c = TCPListenerConfig()
        checkKeys(t, Self.tcpKeys, "tcp", index)
        if let b = bool(t, "enabled", "tcp", index) { c.enabled = b }
        if let a = address(t, "tcp", index) { c.bindAddress = a }
        c.destination = destination(t, "tcp", index)
        if let n = int(t, "max-line-length", "tcp", index, in: Limits.maxLineLength) { c.maxLineLength = n }
        if let p = precision(t, "tcp", index) { c.precision = p }
        if let n = int(t, "max-connections", "tcp", index, in: Limits.maxConnections) { c.maxConnections = n }
        if let d = duration(t, "idle-timeout", "tcp", index, in: Limits.connectionTimeout) { c.idleTimeout = d.swiftDuration }
        return c
    }

    static let loggingKeys = ["level", "format"]

    mutating func decodeLogging(_ t: TOMLTable) -> LoggingConfig {
        var c = LoggingConfig()
        checkKeys(t, Self.loggingKeys, "logging", nil, ignored: Self.kapacitorLoggingOptions)
        if let l = string(t, "level", "logging", nil) {
            // Kapacitor writes its levels in capitals (DEBUG, INFO, WARN, ERROR).
            if let level = LoggingConfig.Level(rawValue: l.lowercased() == "warn" ? "warning" : l.lowercased()) { c.level = level } else {
                listenerProblem("logging", nil, key: "level", "\"\(l)\" is not one of \(LoggingConfig.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let f = string(t, "format", "logging", nil) {
            if let format = LoggingConfig.Format(rawValue: f) { c.format = format } else {
                listenerProblem("logging", nil, key: "format", "\"\(f)\" is not logfmt or json")
            }
        }
        return c
    }

    static let relayKeys = ["queue-size", "shutdown-timeout", "hostname", "state-file", "state-interval", "dead-letter-file",
                            "max-groups", "max-groups-per-rule", "group-expiry", "watch-config", "udp-linger"]

    mutating func decodeRelay(_ t: TOMLTable) -> RelaySettings {
        var c = RelaySettings()
        checkKeys(t, Self.relayKeys, "relay", nil)
        if let n = int(t, "queue-size", "relay", nil, in: Limits.queueSize) { c.queueSize = n }
        if let h = string(t, "hostname", "relay", nil) { c.hostname = h }
        if let f = string(t, "state-file", "relay", nil) { c.stateFile = f }
        if let f = string(t, "dead-letter-file", "relay", nil) { c.deadLetterFile = f }
        if let d = duration(t, "state-interval", "relay", nil, in: Limits.stateInterval) { c.stateInterval = d }
        if let d = duration(t, "shutdown-timeout", "relay", nil, in: Limits.shutdownTimeout) { c.shutdownTimeout = d }
        if let n = int(t, "max-groups", "relay", nil, in: Limits.maxGroups) { c.maxGroups = n }
        if let n = int(t, "max-groups-per-rule", "relay", nil, in: Limits.maxGroups) { c.maxGroupsPerRule = n }
        if let d = duration(t, "group-expiry", "relay", nil, in: Limits.groupExpiry) { c.groupExpiry = d }
        if let d = duration(t, "udp-linger", "relay", nil, in: Limits.udpLinger) { c.udpLinger = d }
        if let v = t["watch-config"] {
            if let b = v.bool { c.watchConfig = b } else { listenerProblem("relay", nil, key: "watch-config", "must be true or false") }
        }
        return c
    }

    static let spoolKeys = ["dir", "max-size", "fsync", "when-full", "max-age"]

    mutating func decodeSpool(_ t: TOMLTable) -> SpoolConfig {
        var c = SpoolConfig()
        checkKeys(t, Self.spoolKeys, "spool", nil)
        if let d = string(t, "dir", "spool", nil) { c.dir = d }
        if let n = int(t, "max-size", "spool", nil, in: Limits.spoolMaxSize) { c.maxSize = n }
        if let f = string(t, "fsync", "spool", nil) {
            if let fsync = SpoolConfig.Fsync(rawValue: f) { c.fsync = fsync } else { listenerProblem("spool", nil, key: "fsync", "\"\(f)\" is not os or always") }
        }
        if let w = string(t, "when-full", "spool", nil) {
            if let whenFull = SpoolConfig.WhenFull(rawValue: w) { c.whenFull = whenFull } else {
                listenerProblem("spool", nil, key: "when-full", "\"\(w)\" is not block or drop-oldest")
            }
        }
        if let a = string(t, "max-age", "spool", nil), !a.isEmpty {
            do {
                let age = try GoDuration(parsing: a)
                if age > .zero { c.maxAge = age } else {
                    listenerProblem("spool", nil, key: "max-age", "must be positive (leave it out to keep messages until delivered), got \"\(a)\"")
                }
            } catch {
                listenerProblem("spool", nil, key: "max-age", "\(error)")
            }
        }
        return c
    }

    static let loadKeys = ["enabled", "dir"]

    mutating func decodeLoad(_ t: TOMLTable) -> LoadConfig {
        var c = LoadConfig()
        checkKeys(t, Self.loadKeys, "load", nil)
        if let v = t["enabled"] {
            if let b = v.bool { c.enabled = b } else { listenerProblem("load", nil, key: "enabled", "must be true or false") }
        }
        if let d = string(t, "dir", "load", nil) { c.dir = d }
        return c
    }

    static let httpKeys = ["bind-address", "max-body-size", "auth-token", "auth-enabled", "max-connections", "read-header-timeout",
                           "idle-timeout", "https-enabled", "https-certificate", "https-private-key", "log-enabled",
                           "write-tracing", "pprof-enabled"]

    mutating func decodeHTTP(_ t: TOMLTable) -> HTTPListenerConfig {
        var c = HTTPListenerConfig()
        checkKeys(t, Self.httpKeys, "http", nil, ignored: Self.kapacitorHTTPOptions)
        if let a = address(t, "http", nil) { c.bindAddress = a }
        if let n = int(t, "max-body-size", "http", nil, in: Limits.maxBodySize) { c.maxBodySize = n }
        if let token = string(t, "auth-token", "http", nil) { c.authToken = token }
        decodeKapacitorHTTP(t, &c)
        if let n = int(t, "max-connections", "http", nil, in: Limits.maxConnections) { c.maxConnections = n }
        if let d = duration(t, "read-header-timeout", "http", nil, in: Limits.connectionTimeout) { c.readHeaderTimeout = d.swiftDuration }
        if let d = duration(t, "idle-timeout", "http", nil, in: Limits.connectionTimeout) { c.idleTimeout = d.swiftDuration }
        return c
    }

    static let adminKeys = ["enabled", "bind-address", "auth-token"]

    mutating func decodeAdmin(_ t: TOMLTable) -> AdminConfig {
        var c = AdminConfig()
        checkKeys(t, Self.adminKeys, "admin", nil)
        if let v = t["enabled"] {
            if let b = v.bool { c.enabled = b } else { listenerProblem("admin", nil, key: "enabled", "must be true or false") }
        }
        if let a = address(t, "admin", nil) { c.bindAddress = a }
        if let token = string(t, "auth-token", "admin", nil) { c.authToken = token }
        return c
    }

    /// Two listeners of the same protocol cannot share an address (port 0: each gets its own).
    private mutating func checkAddresses(_ config: RelayConfiguration) {
        var seenUDP: [BindAddress: Int] = [:]
        for (i, u) in config.udp.enumerated() where u.enabled {
            if let first = seenUDP[u.bindAddress], u.bindAddress.port != 0 {
                listenerProblem("udp", i, key: "bind-address", "\"\(u.bindAddress)\" is also used by [[udp]] #\(first + 1)")
            } else {
                seenUDP[u.bindAddress] = i
            }
        }
        var seenTCP: [BindAddress: String] = [:]
        for (i, t) in config.tcp.enumerated() where t.enabled {
            if let first = seenTCP[t.bindAddress], t.bindAddress.port != 0 {
                listenerProblem("tcp", i, key: "bind-address", "\"\(t.bindAddress)\" is also used by \(first)")
            } else {
                seenTCP[t.bindAddress] = "[[tcp]] #\(i + 1)"
            }
        }
        if let h = config.http, let first = seenTCP[h.bindAddress], h.bindAddress.port != 0 {
            listenerProblem("http", nil, key: "bind-address", "\"\(h.bindAddress)\" is also used by \(first)")
        }
        if let h = config.http { seenTCP[h.bindAddress] = "[http]" }
        if let admin = config.admin.bindAddress, let first = seenTCP[admin], admin.port != 0 {
            listenerProblem("admin", nil, key: "bind-address", "\"\(admin)\" is also used by \(first)")
        }
    }

    /// The paths of `config` (resolved) the relay writes and cannot, each at its option's line.
    func pathProblems(_ config: RelayConfiguration) -> [ConfigProblem] {
        var out: [ConfigProblem] = []
        func check(_ section: String, _ key: String, _ problem: String?) {
            guard let problem else { return }
            let place = locator.position(table: section, index: 0, key: key)
            out.append(ConfigProblem(file: file, line: place?.line, column: place?.column, message: "[\(section)]: \(key): \(problem)"))
        }
        if !config.spool.dir.isEmpty { check("spool", "dir", WritablePaths.directoryProblem(config.spool.dir)) }
        if !config.relay.stateFile.isEmpty { check("relay", "state-file", WritablePaths.fileProblem(config.relay.stateFile)) }
        if !config.relay.deadLetterFile.isEmpty { check("relay", "dead-letter-file", WritablePaths.fileProblem(config.relay.deadLetterFile)) }
        return out
    }

    mutating func report(at place: TOMLLocator.Position?, _ message: String) {
        problems.append(ConfigProblem(file: file, line: place?.line, column: place?.column, message: message))
    }

    mutating func report(_ problem: ConfigProblem) {
        problems.append(problem)
    }

    /// A warning, unless one was already given for `key`.
    mutating func warn(once key: String, _ place: TOMLLocator.Position?, _ message: String) {
        guard warned.insert(key).inserted else { return }
        warnings.append(ConfigProblem(file: file, line: place?.line, column: place?.column, message: message))
    }

    /// Options whose values are never printed, whatever their type: a password typed as a number
}
