import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KafkaDispatch

/// A real Kafka-protocol endpoint on 127.0.0.1 for tests and the quick start: librdkafka's mock
/// cluster as a process.
///
/// Prints `BOOTSTRAP=host:port,...` on stdout once ready. SIGTERM/SIGINT stop it; SIGUSR1 takes
/// every broker down and SIGUSR2 brings them back (fault injection).
@main
struct KafkaTestBroker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-test-broker",
        abstract: "Run librdkafka's mock Kafka cluster on 127.0.0.1 until SIGTERM.",
        discussion: """
            Prints BOOTSTRAP=host:port,... on stdout when ready. Signals: SIGTERM/SIGINT stop, \
            SIGUSR1 takes all brokers down, SIGUSR2 brings them back up. Topics not created with \
            --topic are auto-created with 4 partitions on first use.
            """)

    @Option(help: "Number of brokers.")
    var brokers: Int = 1

    @Option(name: .customLong("topic"), help: ArgumentHelp("Create a topic first (repeatable).", valueName: "name:partitions"))
    var topics: [String] = []

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        for t in topics { _ = try Self.parseTopic(t) }
    }

    static func parseTopic(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let n = Int(text[text.index(after: colon)...]), n >= 1,
              colon != text.startIndex else {
            throw ValidationError("--topic \"\(text)\": expected name:partitions, e.g. cpu-alerts:4")
        }
        return (String(text[..<colon]), n)
    }

    func run() throws {
        // Block the signals in every thread (librdkafka's threads inherit the mask) so none is
        // lost before the dispatch sources below read them.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for sig in [SIGTERM, SIGINT, SIGUSR1, SIGUSR2] { sigaddset(&blocked, sig) }
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        let cluster = try KafkaMockCluster(brokers: brokers)
        for t in topics {
            let (name, partitions) = try Self.parseTopic(t)
            try cluster.createTopic(name, partitions: partitions)
        }
        let queue = DispatchQueue(label: "signals")
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT, SIGUSR1, SIGUSR2] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                switch sig {
                case SIGUSR1:
                    cluster.setBrokersUp(false)
                    printError("kafka-test-broker: brokers down\n")
                case SIGUSR2:
                    cluster.setBrokersUp(true)
                    printError("kafka-test-broker: brokers up\n")
                default:
                    terminate()
                }
            }
            source.resume()
            sources.append(source)
        }
        // Only now: a test that signals right after reading this line must find the handlers in place.
        print("BOOTSTRAP=\(cluster.bootstrapServers)")
        fflush(nil)
        withExtendedLifetime((cluster, sources)) {
            while true { sleep(3600) }
        }
    }
}

/// The C library's `exit`, named apart from `ParsableCommand.exit(withError:)`, which an
/// unqualified `exit` inside the command would find first.
private func terminate() -> Never { exit(0) }

/// Writes `text` to standard error (file descriptor 2: C's `stderr` is a global Swift 6 cannot
/// prove safe to share).
private func printError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
