import Ingest
import KafkaDispatch
import Logging
import NIOCore
import RelayConfig

/// One configured listener: a `[[udp]]`, `[[tcp]]`, `[http]` or `[[kafka-consumer]]` section, or
/// the admin endpoints' own address (`[admin]`).
enum ListenerSpec: Equatable, Sendable {
    case udp(UDPListenerConfig)
    case tcp(TCPListenerConfig)
    /// `[http]`; `admin`: it serves `/health`, `/ready` and `/metrics` too.
    case http(HTTPListenerConfig, admin: Bool)
    case admin(HTTPListenerConfig)
    /// `[[kafka-consumer]]`, with the `[[kafka]]` section it names.
    case kafkaConsumer(KafkaConsumerConfig, cluster: KafkaClusterConfig)

    /// The listeners a configuration asks for (`enabled = false` sections start none).
    static func all(in c: RelayConfiguration) -> [ListenerSpec] {
        var all: [ListenerSpec] = c.udp.filter(\.enabled).map { .udp($0) } + c.tcp.filter(\.enabled).map { .tcp($0) }
        all += (c.http.map { [.http($0, admin: c.httpServesAdmin)] } ?? []) + (c.adminListener.map { [.admin($0)] } ?? [])
        for k in c.kafkaConsumers where k.enabled {
            if let cluster = c.kafkaCluster(id: k.cluster) { all.append(.kafkaConsumer(k, cluster: cluster)) }
        }
        return all
    }

    /// The listener's kind as its name shows it: `udp`, `tcp`, `http` or `admin`.
    var kind: String {
        switch self {
        case .udp: return "udp"
        case .tcp: return "tcp"
        case .http: return "http"
        case .admin: return "admin"
        case .kafkaConsumer: return "kafka-consumer"
        }
    }

    /// TCP and HTTP listeners (each holds connections, hence descriptors).
    var isStream: Bool {
        switch self {
        case .udp, .kafkaConsumer: return false
        case .tcp, .http, .admin: return true
        }
    }

    /// The socket address it binds (a Kafka consumer binds none).
    var bindAddress: BindAddress? {
        switch self {
        case .udp(let u): return u.bindAddress
        case .tcp(let t): return t.bindAddress
        case .http(let h, _), .admin(let h): return h.bindAddress
        case .kafkaConsumer: return nil
        }
    }

    /// True when the old one must stop before the new one starts: both would bind the same port
    /// of the same transport (port 0, any free port, never collides), or both are Kafka
    /// consumers of the same group or of a shared topic.
    func collides(with other: ListenerSpec) -> Bool {
        if case .kafkaConsumer(let mine, _) = self, case .kafkaConsumer(let theirs, _) = other {
            // One relay joins a group once, and a topic's partitions have one changelog writer:
            // the old consumer leaves (flushing its partitions' state) before the new one joins.
            return mine.settings.groupID == theirs.settings.groupID || !Set(mine.settings.topics).isDisjoint(with: theirs.settings.topics)
        }
        let isUDP: (ListenerSpec) -> Bool = { if case .udp = $0 { return true } else { return false } }
        guard isUDP(self) == isUDP(other), let mine = bindAddress, let theirs = other.bindAddress else { return false }
        guard mine.port != 0 else { return false }
        return mine.port == theirs.port
    }
}

/// What the shell gives a Kafka consumer: the pipeline whose engine keeps its partitions' state
/// (each consumer brings its changelog, ``GroupModeConsumer``) and the gate `/ready` reads.
struct ConsumerHooks: Sendable {
    /// nil: a consumer without alert state that follows its partitions (the shell always gives one).
    var pipeline: RelayPipeline?
    var readiness: ReadinessGate?
}

/// A running listener with the section it was started from.
struct RunningListener: Sendable {
    let spec: ListenerSpec
    let source: any IngestSource

    var statistics: ListenerStatistics { source.statistics }

    /// The Kafka consumer, when it is one (for its partitions' status).
    var kafkaConsumer: KafkaConsumerSource? {
        (source as? GroupModeConsumer)?.source ?? source as? KafkaConsumerSource
    }

    /// `udp:127.0.0.1:8089` with the real port.
    var describe: String { "\(spec.kind):\(source.address)" }

    /// `connectionShare` caps a stream listener's `max-connections` (see ``DescriptorBudget``);
    /// `consumers` are what a Kafka consumer reports its assignments and readiness to.
    static func start(_ spec: ListenerSpec, sink: PointSink, group: EventLoopGroup, logger: Logger,
                      routes: @escaping HTTPRoutes, connectionShare: Int = .max, consumers: ConsumerHooks = ConsumerHooks()) async throws -> RunningListener {
        switch spec {
        case .kafkaConsumer(let k, let cluster):
            guard let pipeline = consumers.pipeline else {
                return RunningListener(spec: spec, source: try KafkaConsumerSource.start(k, cluster: cluster, sink: sink,
                                                                                          readiness: consumers.readiness, logger: logger))
            }
            return RunningListener(spec: spec, source: try await GroupModeConsumer.start(k, cluster: cluster, pipeline: pipeline,
                                                                                          readiness: consumers.readiness, logger: logger))
        case .udp(let u): return RunningListener(spec: spec, source: try await UDPListener.start(u, sink: sink, logger: logger))
        case .tcp(var t):
            t.maxConnections = min(t.maxConnections, connectionShare)
            return RunningListener(spec: spec, source: try await TCPListener.start(t, sink: sink, group: group, logger: logger))
        case .http(var h, let admin):
            h.maxConnections = min(h.maxConnections, connectionShare)
            return RunningListener(spec: spec, source: try await HTTPWriteListener.start(h, sink: sink, group: group, logger: logger,
                                                                                         routes: admin ? routes : nil))
        case .admin(var h):
            h.maxConnections = min(h.maxConnections, connectionShare)
            return RunningListener(spec: spec, source: try await HTTPWriteListener.start(h, sink: sink, group: group, logger: logger,
                                                                                         routes: routes, name: "admin"))
        }
    }

    /// Stops the listener; UDP and TCP first read what clients already sent (at most `grace`,
    /// 2 s by default), a Kafka consumer releases its partitions (by default within its
    /// `revoke-timeout`, as a rebalance would).
    func stop(grace: Duration? = nil) async {
        if case .kafkaConsumer(let k, _) = spec {
            await source.stop(grace: grace ?? k.revokeTimeout)
        } else {
            await source.stop(grace: grace ?? .seconds(2))
        }
    }
}

/// Moves a set of running listeners to the set a reloaded configuration asks for, all or nothing:
/// unchanged sections keep their sockets (and counters); new addresses are bound before anything
/// closes; a changed section on the same port is closed, then bound again with its new settings.
/// If any bind fails, everything started is closed, everything closed is bound again, and the
/// old set stays.
struct ListenerSwitch {
    let start: (ListenerSpec) async throws -> RunningListener

    /// The listeners now running, and what went wrong if the switch was rolled back (then they are
    /// the old set).
    func apply(from old: [RunningListener], to wanted: [ListenerSpec]) async -> (running: [RunningListener], failure: ListenerSwitchError?) {
        var remaining = old
        var kept: [RunningListener] = []
        var toStart: [ListenerSpec] = []
        for spec in wanted {
            if let i = remaining.firstIndex(where: { $0.spec == spec }) {
                kept.append(remaining.remove(at: i))
            } else {
                toStart.append(spec)
            }
        }
        // `remaining` is what the new configuration no longer has.
        let freeFirst = toStart.filter { s in remaining.contains { $0.spec.collides(with: s) } }
        let bindNow = toStart.filter { s in !freeFirst.contains(s) }
        var started: [RunningListener] = []
        var closedEarly: [RunningListener] = []
        do {
            for s in bindNow { started.append(try await start(s)) }
            for s in freeFirst {
                for (i, r) in remaining.enumerated().reversed() where r.spec.collides(with: s) {
                    await r.stop()
                    closedEarly.append(r)
                    remaining.remove(at: i)
                }
                started.append(try await start(s))
            }
        } catch {
            for r in started { await r.stop() }
            var restored: [RunningListener] = []
            var lost: [String] = []
            for r in closedEarly {
                if let again = try? await start(r.spec) { restored.append(again) } else { lost.append(r.spec.bindAddress.map { "\($0)" } ?? r.describe) }
            }
            let running = kept + remaining + restored
            return (running, lost.isEmpty ? .bindFailed(cause: "\(error)") : .rollbackIncomplete(cause: "\(error)", lost: lost))
        }
        for r in remaining { await r.stop() }
        // In the configuration's order.
        var pool = kept + started
        var ordered: [RunningListener] = []
        for spec in wanted {
            if let i = pool.firstIndex(where: { $0.spec == spec }) { ordered.append(pool.remove(at: i)) }
        }
        return (ordered, nil)
    }
}

/// Why the listeners of a reload could not be switched.
enum ListenerSwitchError: Error, CustomStringConvertible {
    /// A new socket could not be bound; the old listeners run as before.
    case bindFailed(cause: String)
    /// A new socket could not be bound and some old ones could not be bound again either.
    case rollbackIncomplete(cause: String, lost: [String])

    var description: String {
        switch self {
        case .bindFailed(let cause): return cause
        case .rollbackIncomplete(let cause, let lost):
            return "\(cause); the previous listeners on \(lost.joined(separator: ", ")) could not be bound again"
        }
    }
}
