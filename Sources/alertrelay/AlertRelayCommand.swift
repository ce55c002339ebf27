import ArgumentParser
import Foundation
import KafkaDispatch
import RelayConfig

/// The `alertrelay` command line: argument parsing only; the work is in the libraries.
@main
struct AlertRelayCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "alertrelay",
        abstract: "Turn InfluxDB line-protocol metrics into Kapacitor-compatible Kafka alerts.",
        version: "alertrelay \(version) (librdkafka \(librdkafkaVersion))",
        subcommands: [CheckCommand.self, ParseCommand.self, RenderCommand.self, SendTestCommand.self])
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
            let loaded = try RelayConfiguration.load(path: config)
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
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
