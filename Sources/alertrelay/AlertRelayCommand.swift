import ArgumentParser
import Foundation
import AlertRules
import KafkaDispatch
import Relay
import RelayConfig

/// The `alertrelay` command line: argument parsing only; the work is in the libraries.
@main
struct AlertRelayCommand: AsyncParsableCommand {
    static let version = RelayBuild.version

    static let configuration = CommandConfiguration(
        commandName: "alertrelay",
        abstract: "Turn InfluxDB line-protocol metrics into Kapacitor-compatible Kafka alerts.",
        version: "alertrelay \(version) (librdkafka \(librdkafkaVersion))",
        subcommands: [RunCommand.self, CheckCommand.self, TestCommand.self, ConvertCommand.self, ParseCommand.self, RenderCommand.self, SendTestCommand.self])
}

/// `alertrelay check --config FILE`: load and validate everything, list every problem.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load the configuration, print a summary, and list every problem (exit 2 if any).")

    @Option(name: .shortAndLong, help: "The configuration file (TOML, kapacitor.conf shape).")
    var config: String

    func run() throws {
        do {
            let everything = try loadEverything(config: config)
            let loaded = everything.configuration
            print("\(config): OK")
            for cluster in loaded.kafka {
                let state = cluster.enabled ? "enabled" : "disabled"
                let brokers = cluster.brokers.joined(separator: ",")
                print("  kafka \"\(cluster.id)\" (\(state)): brokers=\(brokers) security=\(cluster.securityProtocol)")
            }
            for u in loaded.udp {
                print("  udp \(u.bindAddress): read-buffer=\(u.readBuffer) precision=\(u.precision.rawValue)")
            }
            for t in loaded.tcp {
                print("  tcp \(t.bindAddress): max-line-length=\(t.maxLineLength) precision=\(t.precision.rawValue)")
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
                print("  rule \(r.id) (\(r.measurement.map { "measurement \($0)" } ?? "every measurement")): \(levels.joined(separator: "; ")) -> \(targets.isEmpty ? "no handlers" : targets.joined(separator: ", "))")
                if !r.steps.isEmpty { print("    chain: from | " + r.steps.map(\.description).joined(separator: " | ") + " | alert") }
            }
            for h in rules.handlers {
                print("  handler \(h.id) (topic \(h.topic ?? "")): \(Self.describe(h.action))\(h.match.map { " when \($0)" } ?? "")")
            }
        }
    }

    static func describe(_ action: HandlerAction) -> String {
        switch action {
        case .kafka(let k): return "kafka \(k.cluster)/\(k.topic)\(k.templateText.isEmpty ? "" : " (template)")"
        case .log(let l): return "log \(l.path)"
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
