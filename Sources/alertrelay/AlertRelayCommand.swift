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

func printError(_ text: String) {
    FileDescriptorReading.writeAll((text + "\n"), to: 2)
}
