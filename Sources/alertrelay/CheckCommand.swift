import AlertRules
import ArgumentParser
import LineProtocol
import Relay
import RelayConfig

/// `alertrelay check [--config FILE] [--rules DIR] [--handlers DIR]`: load and validate everything
/// and list every problem at once — the config's, then each rule and handler file's, in file and
/// line order — and the config's warnings.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load the configuration, rules and handlers, print a summary, and list every problem and warning (exit 2 on any problem).")

    @Option(name: [.customShort("c"), .customLong("config")], help: ArgumentHelp(ConfigPath.help))
    var configFile: String?

    @Option(help: "Directory of rule files (default: <load dir>/rules).")
    var rules: String?

    @Option(help: "Directory of handler files (default: <load dir>/handlers).")
    var handlers: String?

    func run() throws {
        let config = ConfigPath.resolve(configFile)
        let everything: LoadedRelay
        do {
            everything = try RelayLoader.load(configPath: config, rules: rules, handlers: handlers, checkPaths: true)
        } catch {
            for w in error.warnings { printError("warning: \(w)") }
            printError(error.description)
            printError("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") found")
            throw ExitCode(2)
        }
        let loaded = everything.configuration
        for w in loaded.warnings { printError("warning: \(w)") }
        print("\(config): OK")
        for cluster in loaded.kafka {
            let state = cluster.enabled ? "enabled" : "disabled"
            let brokers = cluster.brokers.joined(separator: ",")
            print("  kafka \"\(cluster.id)\" (\(state)): brokers=\(brokers) security=\(cluster.securityProtocol)")
        }
        for u in loaded.udp {
            print("  udp \(u.bindAddress)\(u.enabled ? "" : " (disabled)"): read-buffer=\(u.readBuffer) precision=\(u.precision.rawValue)\(Self.describe(u.destination))")
        }
        for t in loaded.tcp {
            print("  tcp \(t.bindAddress)\(t.enabled ? "" : " (disabled)"): max-line-length=\(t.maxLineLength) precision=\(t.precision.rawValue)\(Self.describe(t.destination))")
        }
        for k in loaded.kafkaConsumers {
            print("  kafka-consumer \"\(k.settings.groupID)\"\(k.enabled ? "" : " (disabled)"): cluster=\(k.cluster) topics=\(k.settings.topics.joined(separator: ",")) start=\(k.settings.start.rawValue) precision=\(k.precision.rawValue)\(Self.describe(k.destination))")
        }
        if let h = loaded.http {
            print("  http \(h.bindAddress): max-body-size=\(h.maxBodySize) auth-token=\(h.authToken.isEmpty ? "none" : "set")")
        }
        let rules = everything.rules
        print("  load \(loaded.load.dir): \(rules.rules.count) rules in \(rules.ruleFiles.count) files, \(rules.handlers.count) handlers in \(rules.handlerFiles.count) files")
        for r in rules.rules {
            let levels = AlertLevel.allCases.compactMap { l in r.levelTexts[l.rawValue].map { "\(l.ruleKey): \($0)" } }
            var targets: [String] = []
            for h in r.handlers { targets.append(Self.describe(h.action)) }
            if let t = r.topic { targets.append("topic \(t)") }
            let reads = r.destinations.isEmpty ? "" : ", \(r.destinations)"
            print("  rule \(r.id) (\(r.measurement.map { "measurement \($0)" } ?? "every measurement")\(reads)): \(levels.joined(separator: "; ")) -> \(targets.isEmpty ? "no handlers" : targets.joined(separator: ", "))")
            if !r.steps.isEmpty { print("    chain: from | " + r.steps.map(\.description).joined(separator: " | ") + " | alert") }
        }
        for h in rules.handlers {
            print("  handler \(h.id) (topic \(h.topic ?? "")): \(Self.describe(h.action))\(h.match.map { " when \($0)" } ?? "")")
        }
    }

    static func describe(_ d: PointDestination) -> String {
        d.database.isEmpty && d.retentionPolicy.isEmpty ? "" : " database=\(d.database) retention-policy=\(d.retentionPolicy)"
    }

    static func describe(_ action: HandlerAction) -> String {
        switch action {
        case .kafka(let k): return "kafka \(k.cluster)/\(k.topic)\(k.templateText.isEmpty ? "" : " (template)")"
        case .log(let l): return "log \(l.path)"
        case .post(let p): return "post \(p.effectiveURL)\(p.endpoint.map { " (endpoint \($0.name))" } ?? "")"
        case .tcp(let t): return "tcp \(t.address)"
        }
    }
}
