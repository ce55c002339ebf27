import Ingest
import KafkaDispatch
import TOML

/// What a kapacitor.conf holds that alertrelay reads differently or not at all: it loads as it
/// is, each section and option without effect here named once in a warning that says why, while a
/// typo in a section alertrelay owns stays an error.
extension ConfigDecoder {
    /// Kapacitor 1.5.9's sections (server/config.go) alertrelay has no use for, with why.
    static let kapacitorSections: [String: String] = {
        var out: [String: String] = [
            "alert": "topics are kept in memory, not persisted",
            "replay": "alertrelay keeps no recordings: replay a file with `alertrelay test`",
            "storage": "alertrelay keeps no task store: rules and handlers are files in [load] dir",
            "task": "alertrelay keeps no task store: rules and handlers are files in [load] dir",
            "influxdb": "alertrelay does not subscribe to InfluxDB: point Telegraf or InfluxDB at [[udp]], [[tcp]] or [http]",
            "config-override": "alertrelay has no configuration API: edit the file and send SIGHUP",
            "tls": "it configures Kapacitor's HTTPS; alertrelay's [http] serves plain HTTP",
            "deadman": "write deadman per rule (`deadman:` in YAML, |deadman() in TICKscript)",
            "stats": "alertrelay's own statistics are on /metrics",
            "reporting": "alertrelay sends no usage reports",
            "udf": "user-defined functions are not supported",
            "graphite": "alertrelay reads line protocol only", "collectd": "alertrelay reads line protocol only",
            "opentsdb": "alertrelay reads line protocol only",
            // Kapacitor's own sample writes [static.labels] under [[static-discovery]]: a table of its own.
            "static": "service discovery is not used (alertrelay scrapes nothing)",
        ]
        for name in ["scraper", "azure", "consul", "dns", "ec2", "file-discovery", "gce", "marathon", "nerve", "serverset",
                     "static-discovery", "triton", "kubernetes", "swarm"] {
            out[name] = "service discovery and scraping are not used (alertrelay scrapes nothing)"
        }
        for name in ["alerta", "bigpanda", "discord", "hipchat", "mqtt", "opsgenie", "opsgenie2", "pagerduty", "pagerduty2",
                     "pushover", "smtp", "snmptrap", "sensu", "servicenow", "slack", "talk", "teams", "telegram", "victorops"] {
            out[name] = "alertrelay's handlers are kafka and log"
        }
        return out
    }()

    /// Kapacitor's top-level options without effect here (hostname and default-retention-policy apply).
    static let kapacitorTopLevel: [String: String] = [
        "data_dir": "alertrelay keeps its state in [relay] state-file",
        "skip-config-overrides": "alertrelay has no configuration overrides",
    ]

    /// `[[udp]]` options of Kapacitor's and InfluxDB's UDP listeners without effect here.
    static let kapacitorUDPOptions: [String: String] = [
        "buffer": "points wait in the relay's own queue ([relay] queue-size)",
        "batch-size": "InfluxDB's write batching: alertrelay evaluates each datagram as it arrives",
        "batch-pending": "InfluxDB's write batching: alertrelay evaluates each datagram as it arrives",
        "batch-timeout": "InfluxDB's write batching: alertrelay evaluates each datagram as it arrives",
    ]

    /// `[logging]` options of Kapacitor's without effect here.
    static let kapacitorLoggingOptions: [String: String] = [
        "file": "alertrelay logs to standard error (journald, docker and kubectl logs collect it)",
    ]

    /// `[http]` options of Kapacitor's without effect here (the others are read by ``decodeKapacitorHTTP``).
    static let kapacitorHTTPOptions: [String: String] = [
        "shutdown-timeout": "[relay] shutdown-timeout bounds the whole shutdown",
        "shared-secret": "alertrelay has no JWT authentication: set auth-token",
    ]

    /// Kapacitor's `[http]` switches: what they ask for is done, refused, or warned about.
    mutating func decodeKapacitorHTTP(_ t: TOMLTable, _ c: inout HTTPListenerConfig) {
        if let enabled = bool(t, "auth-enabled", "http", nil) {
            if enabled && c.authToken.isEmpty {
                listenerProblem("http", nil, key: "auth-enabled",
                                "true needs auth-token: alertrelay has no user store; writes then need `Authorization: Token <auth-token>`")
            } else if !enabled && !c.authToken.isEmpty {
                listenerProblem("http", nil, key: "auth-enabled", "false, but auth-token is set: remove one of them")
            }
        }
        if bool(t, "https-enabled", "http", nil) == true {
            listenerProblem("http", nil, key: "https-enabled",
                            "alertrelay's HTTP listener has no TLS: terminate TLS in front of it (a proxy or an ingress), or set false")
        }
        for key in ["https-certificate", "https-private-key"] where t[key] != nil {
            // Read only with https-enabled, as in Kapacitor; still a string there.
            _ = string(t, key, "http", nil)
        }
        let notDone = ["log-enabled": "requests are not logged one by one; they are counted in /metrics",
                       "write-tracing": "writes are not traced", "pprof-enabled": "there is no pprof in a Swift program"]
        for key in notDone.keys.sorted() {
            guard let on = bool(t, key, "http", nil), on, let why = notDone[key] else { continue }
            warn(once: "http.\(key)", locator.position(table: "http", key: key),
                 "[http]: \(key): true has no effect here, ignored: \(why)")
        }
    }

    /// The 9092 trap: a listener on a broker's address (Kapacitor's `[http]` default is `:9092`,
    /// Kafka's default port) makes librdkafka talk to the relay itself ("Invalid response size").
    mutating func warnListenersOnBrokers(_ config: RelayConfiguration) {
        var listeners: [(section: String, index: Int?, address: BindAddress)] = []
        for (i, t) in config.tcp.enumerated() where t.enabled { listeners.append(("tcp", i, t.bindAddress)) }
        if let h = config.http { listeners.append(("http", nil, h.bindAddress)) }
        if let a = config.admin.bindAddress { listeners.append(("admin", nil, a)) }
        for (k, cluster) in config.kafka.enumerated() where cluster.enabled {
            for broker in cluster.brokers {
                guard let b = try? BindAddress(parsing: broker) else { continue }
                for l in listeners where l.address.accepts(connectionsTo: b) {
                    warn(once: "broker \(l.section) \(l.index ?? 0) \(broker)", locator.position(table: l.section, index: l.index ?? 0, key: "bind-address"),
                         "\(Self.title(l.section, l.index)): bind-address \"\(l.address)\" is where [[kafka]] #\(k + 1) (id \"\(cluster.id)\") "
                         + "finds broker \"\(broker)\": the relay would send Kafka requests to its own listener; move one of them")
                }
            }
        }
    }
}
