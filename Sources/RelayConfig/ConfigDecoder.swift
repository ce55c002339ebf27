import GoDuration
import Ingest
import KafkaDispatch
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
                let hint = Self.closest(key, in: Self.topLevelKeys + Self.topLevelOptions).map { " (did you mean \"\($0)\"?)" } ?? ""
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

    private mutating func decodeArray<T>(_ root: TOMLTable, _ name: String, _ decode: (inout Self, TOMLTable, Int) -> T) -> [T] {
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

    /// Reports each key that is neither `known` nor one of `ignored` (Kapacitor's options without
    /// effect here, warned about once each, with why).
    private mutating func checkKeys(_ t: TOMLTable, _ known: [String], _ section: String, _ index: Int?,
                                    ignored: [String: String] = [:]) {
        for key in t.keys.sorted() where !known.contains(key) {
            if let why = ignored[key] {
                warn(once: "\(section).\(key)", locator.position(table: section, index: index ?? 0, key: key),
                     "\(Self.title(section, index)): \(key): a Kapacitor option without effect here, ignored: \(why)")
                continue
            }
            let hint = Self.closest(key, in: known).map { "did you mean \"\($0)\"? " } ?? ""
            listenerProblem(section, index, key: key, "unknown option (\(hint)known: \(known.joined(separator: ", ")))")
        }
    }

    /// The known name `key` is most likely a typo of, if any is close.
    static func closest(_ key: String, in known: [String]) -> String? {
        let scored = known.map { ($0, editDistance($0.lowercased(), key.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    mutating func bool(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?) -> Bool? {
        guard let v = t[key] else { return nil }
        if v.type == .bool, let b = v.bool { return b }
        listenerProblem(section, index, key: key, "expected true or false, got \(describe(v, key: key))")
        return nil
    }

    mutating func string(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?) -> String? {
        guard let v = t[key] else { return nil }
        if let s = v.string { return s }
        listenerProblem(section, index, key: key, "expected a string, got \(describe(v, key: key))")
        return nil
    }

    private mutating func int(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?, in range: ClosedRange<Int>) -> Int? {
        guard let v = t[key] else { return nil }
        guard v.type == .int, let n = v.int else {
            listenerProblem(section, index, key: key, "expected an integer, got \(describe(v, key: key))")
            return nil
        }
        if !range.contains(n) {
            listenerProblem(section, index, key: key, "must be from \(range.lowerBound) to \(range.upperBound), got \(n)")
            return nil
        }
        return n
    }

    /// A Go duration string within `range`; nil (after reporting) when absent or out of range.
    private mutating func duration(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?,
                                   in range: ClosedRange<GoDuration>) -> GoDuration? {
        guard let s = string(t, key, section, index) else { return nil }
        let d: GoDuration
        do { d = try GoDuration(parsing: s) } catch {
            listenerProblem(section, index, key: key, "\(error)")
            return nil
        }
        if !range.contains(d) {
            listenerProblem(section, index, key: key, "must be from \(range.lowerBound) to \(range.upperBound), got \(d)")
            return nil
        }
        return d
    }

    /// `bind-address`, parsed once here: `host:port` or `:port` (all interfaces); port 0 asks the
    /// kernel for a free port.
    private mutating func address(_ t: TOMLTable, _ section: String, _ index: Int?) -> BindAddress? {
        guard let a = string(t, "bind-address", section, index) else { return nil }
        do throws(ListenerError) { return try BindAddress(parsing: a) } catch {
            listenerProblem(section, index, key: "bind-address", "\"\(a)\" is not host:port (for example \"127.0.0.1:8089\" or \":8089\")")
            return nil
        }
    }

    /// `database` and `retention-policy`, Kapacitor's names for what the points are written to.
    mutating func destination(_ t: TOMLTable, _ section: String, _ index: Int?) -> PointDestination {
        PointDestination(database: string(t, "database", section, index) ?? "",
                         retentionPolicy: string(t, "retention-policy", section, index) ?? "")
    }

    mutating func precision(_ t: TOMLTable, _ section: String, _ index: Int?) -> Precision? {
        guard let p = string(t, "precision", section, index) else { return nil }
        guard let precision = Precision(name: p) else {
            listenerProblem(section, index, key: "precision", "\"\(p)\" is not one of ns, us, ms, s, m, h")
            return nil
        }
        return precision
    }

    static let udpKeys = ["enabled", "bind-address", "database", "retention-policy", "read-buffer", "precision"]

    private mutating func decodeUDP(_ t: TOMLTable, index: Int) -> UDPListenerConfig {
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

    private mutating func decodeTCP(_ t: TOMLTable, index: Int) -> TCPListenerConfig {
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

    private mutating func decodeLogging(_ t: TOMLTable) -> LoggingConfig {
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
                            "max-groups", "max-groups-per-rule", "group-expiry", "watch-config"]

    private mutating func decodeRelay(_ t: TOMLTable) -> RelaySettings {
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
        if let v = t["watch-config"] {
            if let b = v.bool { c.watchConfig = b } else { listenerProblem("relay", nil, key: "watch-config", "must be true or false") }
        }
        return c
    }

    static let spoolKeys = ["dir", "max-size", "fsync", "when-full", "max-age"]

    private mutating func decodeSpool(_ t: TOMLTable) -> SpoolConfig {
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

    private mutating func decodeLoad(_ t: TOMLTable) -> LoadConfig {
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

    private mutating func decodeHTTP(_ t: TOMLTable) -> HTTPListenerConfig {
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

    private mutating func decodeAdmin(_ t: TOMLTable) -> AdminConfig {
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

    // MARK: [[kafka]]

    static let kafkaKeys = [
        "enabled", "id", "brokers", "timeout", "batch-size", "batch-timeout", "use-ssl", "ssl-ca", "ssl-cert",
        "ssl-key", "insecure-skip-verify", "sasl-mechanism", "sasl-username", "sasl-password", "compression",
        "acks", "idempotent", "message-timeout", "librdkafka",
    ]

    private mutating func decodeKafka(_ t: TOMLTable, index i: Int) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        let id = t["id"]?.string ?? c.id
        for key in t.keys.sorted() where !Self.kafkaKeys.contains(key) {
            let hint = Self.closest(key, in: Self.kafkaKeys).map { "did you mean \"\($0)\"? " } ?? ""
            reportKafka(index: i, id: id, key: key, "unknown option (\(hint)known: \(Self.kafkaKeys.joined(separator: ", ")))")
        }
        func string(_ key: String, _ target: inout String) {
            guard let v = t[key] else { return }
            if let s = v.string { target = s } else { reportKafka(index: i, id: id, key: key, "expected a string, got \(describe(v, key: key))") }
        }
        func bool(_ key: String, _ target: inout Bool) {
            guard let v = t[key] else { return }
            if v.type == .bool, let b = v.bool { target = b } else { reportKafka(index: i, id: id, key: key, "expected true or false, got \(describe(v, key: key))") }
        }
        func duration(_ key: String, _ target: inout GoDuration) {
            guard let v = t[key] else { return }
            guard let s = v.string else {
                reportKafka(index: i, id: id, key: key, "expected a duration string such as \"10s\" or \"500ms\", got \(describe(v, key: key))")
                return
            }
            if s.isEmpty { return }  // Kapacitor's toml.Duration ignores an empty string.
            do { target = try GoDuration(parsing: s) } catch { reportKafka(index: i, id: id, key: key, error.description) }
        }
        bool("enabled", &c.enabled)
        string("id", &c.id)
        if let v = t["brokers"] {
            if let array = v.array, array.allSatisfy({ $0.type == .string }) {
                c.brokers = array.compactMap { $0.string }
            } else {
                reportKafka(index: i, id: id, key: "brokers", "expected an array of \"host:port\" strings, got \(describe(v, key: "brokers"))")
            }
        }
        duration("timeout", &c.timeout)
        if let v = t["batch-size"] {
            if v.type == .int, let n = v.int { c.batchSize = n } else { reportKafka(index: i, id: id, key: "batch-size", "expected an integer, got \(describe(v, key: "batch-size"))") }
        }
        duration("batch-timeout", &c.batchTimeout)
        bool("use-ssl", &c.useSSL)
        string("ssl-ca", &c.sslCA)
        string("ssl-cert", &c.sslCert)
        string("ssl-key", &c.sslKey)
        bool("insecure-skip-verify", &c.insecureSkipVerify)
        if let v = t["sasl-mechanism"] {
            if let s = v.string {
                if s.isEmpty { c.saslMechanism = nil } else if let m = KafkaSASLMechanism(rawValue: s) { c.saslMechanism = m } else {
                    reportKafka(index: i, id: id, key: "sasl-mechanism", "\"\(s)\" is not one of \(KafkaSASLMechanism.accepted)")
                }
            } else { reportKafka(index: i, id: id, key: "sasl-mechanism", "expected a string, got \(describe(v, key: "sasl-mechanism"))") }
        }
        string("sasl-username", &c.saslUsername)
        string("sasl-password", &c.saslPassword)
        if let v = t["compression"] {
            if let s = v.string {
                if let codec = KafkaCompression(rawValue: s) { c.compression = codec } else {
                    reportKafka(index: i, id: id, key: "compression", "\"\(s)\" is not one of \(KafkaCompression.accepted)")
                }
            } else { reportKafka(index: i, id: id, key: "compression", "expected a string, got \(describe(v, key: "compression"))") }
        }
        if let v = t["acks"] {
            let text = v.string ?? (v.type == .int ? v.int.map(String.init) : nil)
            if let text, let acks = KafkaAcks(option: text) { c.acks = acks } else {
                reportKafka(index: i, id: id, key: "acks", "expected \(KafkaAcks.accepted), got \(describe(v, key: "acks"))")
            }
        }
        bool("idempotent", &c.idempotent)
        duration("message-timeout", &c.messageTimeout)
        if let v = t["librdkafka"] {
            let (properties, problems) = rawLibrdkafka(v)
            c.librdkafka = properties
            for p in problems { reportKafka(index: i, id: id, key: p.key, p.message) }
        }
        return c
    }

    /// A `[….librdkafka]` table of raw properties (strings, numbers and booleans, as text), with
    /// a problem for each value of another type (or for a value that is not a table).
    func rawLibrdkafka(_ v: TOMLValue) -> (properties: [String: String], problems: [(key: String, message: String)]) {
        guard let table = v.table else {
            return ([:], [("librdkafka", "expected a table of librdkafka properties, got \(describe(v, key: "librdkafka"))")])
        }
        var properties: [String: String] = [:]
        var problems: [(key: String, message: String)] = []
        for key in table.keys {
            guard let value = table[key] else { continue }
            switch value.type {
            case .string: properties[key] = value.string
            case .int: properties[key] = value.int.map(String.init)
            case .bool: properties[key] = value.bool.map { $0 ? "true" : "false" }
            case .double: properties[key] = value.double.map { String($0) }
            default:
                problems.append(("librdkafka.\(key)", "expected a string, number or boolean, got \(describe(value, key: key))"))
            }
        }
        return (properties, problems)
    }

    private mutating func reportKafka(index: Int, id: String, key: String?, _ message: String) {
        let place = locator.position(table: "kafka", index: index, key: key)
        let subject = key.map { "\($0): " } ?? ""
        problems.append(ConfigProblem(file: file, line: place?.line, column: place?.column,
                                      message: "[[kafka]] #\(index + 1) (id \"\(id)\"): \(subject)\(message)"))
        problems[problems.count - 1].kafkaSection = index
    }

    mutating func report(at place: TOMLLocator.Position?, _ message: String) {
        problems.append(ConfigProblem(file: file, line: place?.line, column: place?.column, message: message))
    }

    /// A warning, unless one was already given for `key`.
    mutating func warn(once key: String, _ place: TOMLLocator.Position?, _ message: String) {
        guard warned.insert(key).inserted else { return }
        warnings.append(ConfigProblem(file: file, line: place?.line, column: place?.column, message: message))
    }

    /// Options whose values are never printed, whatever their type: a password typed as a number
    /// is still a password.
    static let secretKeys: Set<String> = ["auth-token", "sasl-password"]

    /// Whether `key` (an option, or a raw librdkafka property) holds a secret.
    static func isSecret(_ key: String) -> Bool {
        secretKeys.contains(key) || RdKafkaProperty(key, "").isSecret
    }

    /// The value's type and, unless `key` names a secret, the value itself, for messages.
    func describe(_ v: TOMLValue, key: String) -> String {
        if Self.isSecret(key) {
            switch v.type {
            case .string: return "a string"
            case .int: return "an integer"
            case .double: return "a number"
            case .bool: return "a boolean"
            case .array: return "an array"
            case .table: return "a table"
            default: return v.type.description
            }
        }
        switch v.type {
        case .string: return "string \"\(v.string ?? "")\""
        case .int: return "integer \(v.int ?? 0)"
        case .double: return "number \(v.double ?? 0)"
        case .bool: return "boolean \(v.bool ?? false)"
        case .array: return "an array"
        case .table: return "a table"
        default: return v.type.description
        }
    }
}
