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
import KafkaDispatch
import Logging
import RelayConfig
import GoDuration
import Synchronization
import Locking

/// `alertrelay send-test`: Kapacitor's `service-tests kafka`: one message, wait for its delivery report.
struct SendTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send one test message to a configured Kafka cluster and wait for its delivery report.")

    @Option(name: [.customShort("c"), .customLong("config")], help: ArgumentHelp(ConfigPath.help))
    var configFile: String?
    var config: String { ConfigPath.resolve(configFile) }

    @Option(help: "The [[kafka]] id to send through.")
    var cluster: String

    @Option(help: "The Kafka topic.")
    var topic: String = "test"

    @Option(help: "The message key.")
    var key: String = "key"

    @Option(help: "The message body.")
    var message: String = "test kafka message"

    @Option(help: "How long to wait for the delivery report (Go duration).")
    var timeout: String = "10s"

    func run() throws {
        let loaded: RelayConfiguration
        do {
            loaded = try RelayConfiguration.load(path: config)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        guard let clusterConfig = loaded.enabledKafkaClusters.first(where: { $0.id == cluster }) else {
            let known = loaded.enabledKafkaClusters.map { "\"\($0.id)\"" }.joined(separator: ", ")
            printError("unknown cluster \"\(cluster)\" (enabled clusters: \(known.isEmpty ? "none" : known))")
            throw ExitCode(2)
        }
        let wait: GoDuration
        do { wait = try GoDuration(parsing: timeout) } catch {
            printError("--timeout: \(error)")
            throw ExitCode(2)
        }
        let outcome = Locked<KafkaDeliveryReport?>(nil)
        var logger = Logger(label: "alertrelay.send-test")
        logger.logLevel = .critical  // the outcome below says what went wrong
        if clusterConfig.useSSL && clusterConfig.insecureSkipVerify {
            printError("warning: insecure-skip-verify is set: the brokers' TLS certificates and hostnames are not checked")
        }
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(config: clusterConfig, logger: logger) { report in outcome.withLock { $0 = report } }
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        do {
            try producer.send(KafkaMessage(topic: topic, key: key, value: message))
        } catch {
            printError("send failed: \(error)")
            throw ExitCode(1)
        }
        let drained = producer.flush(timeout: wait.swiftDuration)
        let lastClientError = producer.lastClientError
        producer.close(timeout: .zero)
        switch outcome.withLock({ $0 }) {
        case .some(let report) where report.isDelivered:
            let ms = Double(report.latencyMicroseconds) / 1000
            print("delivered to cluster \"\(cluster)\" topic \"\(report.topic)\" partition \(report.partition) offset \(report.offset) in \(ms) ms")
        case .some where !drained:
            let reason = lastClientError.map { ": last error from the brokers: \($0)" } ?? ""
            printError("not delivered within \(timeout)\(reason)")
            throw ExitCode(1)
        case .some(let report):
            printError("delivery failed: \(report.error?.description ?? "unknown error")")
            throw ExitCode(1)
        case .none:
            let reason = lastClientError.map { ": last error from the brokers: \($0)" } ?? ""
            printError("no delivery report within \(timeout)\(reason)")
            throw ExitCode(1)
        }
    }
}
