import AlertRules
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
import GoTemplate
import LineProtocol
import Relay
import RelayConfig

/// `alertrelay test`: replay a line-protocol file through the rules; print events and the Kafka
/// messages that would be sent. Connects to nothing.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Replay line protocol through the rules and print every alert event and the messages it would send.",
        discussion: """
            Points are evaluated in file order with their own timestamps. Output lines:
              event <time> rule=<id> id=<alert id> level=<LEVEL> message=<text>
              kafka cluster=<id> topic=<topic> key=<alert id> handler=<id> body=<body>
              log path=<file> handler=<id> line=<json>
              post url=<url> handler=<id> body=<body>
              tcp address=<host:port> handler=<id> body=<body>
            --explain adds, per point, each matching rule's expressions and their results.
            Exit status: 0, or 1 when a line was rejected or an expression failed, 2 on load errors.
            """)

    /// A body on one line: its trailing newlines (the alert JSON's, and tcp's extra one) dropped.
    static func oneLine(_ body: String) -> Substring {
        var b = Substring(body)
        while b.hasSuffix("\n") { b = b.dropLast() }
        return b
    }

    @Option(name: [.customShort("c"), .customLong("config")],
            help: ArgumentHelp("The configuration file (its [[kafka]] ids and [load] dir are used; default: $\(ConfigPath.environmentVariable), else \(ConfigPath.standard))."))
    var configFile: String?
    var config: String { ConfigPath.resolve(configFile) }

    @Option(help: "The database the points were written to (as [[udp]] database): rules with dbrp or database read only theirs. Default: every rule reads them.")
    var database: String?

    @Option(name: .customLong("retention-policy"), help: "The retention policy the points were written to (with --database; default \"\").")
    var retentionPolicy: String?

    @Option(help: "Directory of rule files (default: <load dir>/rules).")
    var rules: String?

    @Option(help: "Directory of handler files (default: <load dir>/handlers).")
    var handlers: String?

    @Flag(help: "Show, per point, which rules matched and what each expression evaluated to.")
    var explain = false

    @Option(help: "Timestamp precision of the file: ns, us, ms, s, m or h.")
    var precision: String = "ns"

    @Argument(help: "Line-protocol file to replay (- for standard input).")
    var points: String

    func run() throws {
        guard let unit = Precision(name: precision) else {
            throw ValidationError("--precision \(precision): expected ns, us, ms, s, m or h")
        }
        let loaded = try loadEverything(config: config, rules: rules, handlers: handlers, checkPaths: false)
        let data: Data
        if points == "-" {
            data = Data(FileDescriptorReading.readAll(0) ?? [])
        } else {
            guard let d = FileManager.default.contents(atPath: points) else {
                printError("\(points): cannot read the file")
                throw ExitCode(2)
            }
            data = d
        }
        let hostname = loaded.configuration.relay.hostname
        let limits = loaded.configuration.relay.groupLimits
        let engine = RuleEngine(rules: loaded.rules.rules, hostname: hostname.isEmpty ? ProcessInfo.processInfo.hostName : hostname,
                                limits: limits)
        if database != nil || retentionPolicy != nil {
            engine.select(destination: PointDestination(database: database ?? "", retentionPolicy: retentionPolicy ?? ""))
        }
        var failures = 0
        engine.onError = { rule, message in
            failures += 1
            printError("rule \(rule): \(message)")
        }
        let router = AlertRouter(rules: loaded.rules.rules, handlers: loaded.rules.handlers, maxLevelsPerTopic: limits.maxGroups)
        var out = ""
        var pointCount = 0, rejected = 0, events = 0, messages = 0
        func flush() {
            FileDescriptorReading.writeAll(out, to: 1)
            out = ""
        }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        LineProtocolParser(precision: unit).parse(Array(data), defaultTime: now) { record in
            switch record {
            case .error(let e):
                rejected += 1
                out += "rejected \(e)\n"
            case .point(let p, let line):
                pointCount += 1
                let emit: (AlertEvent) -> Void = { event in
                    events += 1
                    out += "event \(GoTime(unixNano: event.time).rfc3339Nano) rule=\(event.ruleID) id=\(event.id) level=\(event.level) message=\(Self.quote(event.message))\n"
                    // The alert's output properties show on what it emits downstream (what an httpOut serves).
                    if event.output != AlertOutputProperties() {
                        for p in event.emitted { out += "emitted \(Self.describe(p))\n" }
                    }
                    for d in router.route(event) {
                        switch d.output {
                        case .kafka(let cluster, let topic, let key, let bytes, _):
                            messages += 1
                            let body = String(decoding: bytes, as: UTF8.self)
                            out += "kafka cluster=\(cluster) topic=\(topic) key=\(key) handler=\(d.handlerID) body=\(body.hasSuffix("\n") ? String(body.dropLast()) : body)\n"
                        case .log(let path, _, let json):
                            out += "log path=\(path) handler=\(d.handlerID) line=\(String(decoding: json.dropLast(), as: UTF8.self))\n"
                        case .post(_, let url, _, let body, _, _):
                            out += "post url=\(url) handler=\(d.handlerID) body=\(Self.oneLine(String(decoding: body, as: UTF8.self)))\n"
                        case .tcp(_, let address, let body):
                            out += "tcp address=\(address) handler=\(d.handlerID) body=\(Self.oneLine(String(decoding: body, as: UTF8.self)))\n"
                        case .failed(let reason):
                            failures += 1
                            out += "failed handler=\(d.handlerID) id=\(event.id) reason=\(reason)\n"
                        }
                    }
                }
                // The clock of time-driven steps (deadman) is the points' time here.
                engine.advanceClock(to: p.time, emit: emit)
                if explain {
                    out += "point line=\(line) \(p.measurement)\(p.tags.map { ",\($0.key)=\($0.value)" }.joined()) time=\(GoTime(unixNano: p.time).rfc3339Nano)\n"
                    var matched = false
                    engine.process(p, explain: { x in
                        matched = true
                        out += Self.describe(x)
                    }, emit: emit)
                    if !matched { out += "  no rule reads measurement \"\(p.measurement)\"\n" }
                } else {
                    engine.process(p, emit: emit)
                }
            }
            if out.utf8.count > 1 << 16 { flush() }
        }
        out += "summary points=\(pointCount) rejected=\(rejected) events=\(events) kafka-messages=\(messages) errors=\(failures)\n"
        flush()
        if rejected > 0 || failures > 0 { throw ExitCode(1) }
    }

    static func quote(_ s: String) -> String {
        var out = ""
        GoJSON.appendString(s, to: &out, escapeHTML: false)
        return out
    }

    /// `cpu,host=a mean=5 time=…`: a point as `test` prints it.
    static func describe(_ p: Point) -> String {
        let fields = p.fields.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "\(p.measurement)\(p.tags.map { ",\($0.key)=\($0.value)" }.joined()) \(fields) time=\(GoTime(unixNano: p.time).rfc3339Nano)"
    }

    static func describe(_ x: RuleExplanation) -> String {
        var s = "  rule \(x.ruleID)"
        if let g = x.group { s += " group=\(g)" }
        s += ":\n"
        if let f = x.filter {
            switch f {
            case .success(let b): s += "    where → \(b)\(b ? "" : " (point skipped)")\n"
            case .failure(let e): s += "    where → error: \(e.message)\n"
            }
        }
        if let buffered = x.stepsBuffered {
            for e in x.stepErrors { s += "    steps → error: \(e)\n" }
            if x.stepOutputs.isEmpty {
                s += "    steps → nothing emitted (\(buffered) points held in windows)\n"
            }
            for p in x.stepOutputs { s += "    steps → \(describe(p))\n" }
        }
        for e in x.evaluations {
            let name = e.level.ruleKey + (e.reset ? "Reset" : "")
            switch e.result {
            case .success(let b): s += "    \(name) \(e.expression) → \(b)\n"
            case .failure(let err): s += "    \(name) \(e.expression) → error: \(err.message)\n"
            }
        }
        if let l = x.level {
            s += "    level \(l)"
            if x.event { s += " → event sent\n" } else if let why = x.suppressed { s += " → no event: \(why)\n" } else { s += "\n" }
        }
        return s
    }
}

/// Loads the config file, then the rule and handler files it points at; prints every problem and
/// exits 2 when there is any.
func loadEverything(config: String, rules: String? = nil, handlers: String? = nil, checkPaths: Bool = true) throws -> LoadedRelay {
    do {
        return try RelayLoader.load(configPath: config, rules: rules, handlers: handlers, checkPaths: checkPaths)
    } catch {
        printError(error.description)
        throw ExitCode(2)
    }
}
