// Kafka sending: alertrelay's KafkaProducer vs kcat, the same keyed messages into the same kind of
// broker (a fresh kafka-test-broker process per run) with the same librdkafka settings.
//
// usage: KafkaSendBenchmark BROKER_BIN [--messages N] [--size BYTES] [--runs R] [--batch N]
//
// --batch N (default 100): ours hands N messages at a time to `KafkaProducer.sendBatch`
// (`rd_kafka_produce_batch`), as the engine hands over one turn's records; --batch 1 sends each
// with `send` (`rd_kafka_produceva`), the path before batch production.
//
// --unreachable: the client's own cost per message, with no broker to share the cores with: both
// producers point at a port that never answers, queue every message (librdkafka holds them) and
// are done once the messages time out. CPU per message of the producer's process (kcat's reading
// of its input file included, as ours includes making its messages); no throughput is compared.
import Foundation
import KafkaDispatch
import Synchronization

struct Options {
    var brokerBinary = ""
    var messages = 1_000_000
    var size = 300
    var runs = 3
    var keys = 10_000
    var batch = 100
    var unreachable = false

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            let a = args[i]
            let next = i + 1 < args.count ? args[i + 1] : ""
            switch a {
            case "--messages": messages = Int(next) ?? messages; i += 1
            case "--size": size = Int(next) ?? size; i += 1
            case "--runs": runs = Int(next) ?? runs; i += 1
            case "--keys": keys = Int(next) ?? keys; i += 1
            case "--batch": batch = max(1, Int(next) ?? batch); i += 1
            case "--unreachable": unreachable = true
            default: brokerBinary = a
            }
            i += 1
        }
    }
}

/// The settings both producers use.
let shared: [(String, String)] = [
    ("acks", "all"), ("enable.idempotence", "true"), ("linger.ms", "5"), ("batch.num.messages", "10000"),
    ("queue.buffering.max.messages", "500000"), ("compression.codec", "none"), ("log_level", "3"),
]

final class Broker {
    let process = Process()
    let bootstrap: String
    init(binary: String) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--topic", "bench:4"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        let line = String(decoding: data, as: UTF8.self)
        bootstrap = line.replacingOccurrences(of: "BOOTSTRAP=", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// CPU seconds (user + system) of this process (`RUSAGE_SELF`: the producer's librdkafka threads
/// too) or of its waited-for children (`RUSAGE_CHILDREN`: kcat once it exited).
func cpuSeconds(_ who: Int32) -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(who), &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

/// CPU per message of the last run of each (µs), the figure a loaded machine disturbs least.
nonisolated(unsafe) var lastCPU = (ours: 0.0, kcat: 0.0)

func key(_ i: Int, _ keys: Int) -> String { "cpu_alert:host=server\(i % keys)" }

func runOurs(_ o: Options, value: [UInt8]) throws -> Double {
    let broker = try Broker(binary: o.brokerBinary)
    var config = KafkaClusterConfig()
    config.enabled = true
    config.id = "bench"
    config.brokers = [broker.bootstrap]
    let delivered = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let producer = try KafkaProducer(config: config, extraProperties: shared.map { RdKafkaProperty($0.0, $0.1) }) { report in
        if report.isDelivered { delivered.add(1, ordering: .relaxed) } else { failed.add(1, ordering: .relaxed) }
    }
    // Like kcat's input file, the keys exist before the clock starts.
    let keyBytes = (0..<o.keys).map { Array(key($0, o.keys).utf8) }
    let cpuBefore = cpuSeconds(RUSAGE_SELF.rawValue)
    let start = ContinuousClock.now
    if o.batch == 1 {
        for i in 0..<o.messages {
            let message = KafkaMessage(topic: "bench", key: keyBytes[i % o.keys], value: value)
            try producer.sendBlocking(message, waitingUpTo: .seconds(60))
        }
    } else {
        var batch: [KafkaMessage] = []
        batch.reserveCapacity(o.batch)
        var i = 0
        while i < o.messages {
            let end = min(o.messages, i + o.batch)
            batch.removeAll(keepingCapacity: true)
            for j in i..<end { batch.append(KafkaMessage(topic: "bench", key: keyBytes[j % o.keys], value: value)) }
            // As the engine does: those refused for a full queue go one by one, waiting for room, in order.
            for (k, result) in producer.sendBatch(batch).enumerated() {
                switch result {
                case .success: continue
                case .failure(.queueFull): try producer.sendBlocking(batch[k], waitingUpTo: .seconds(60))
                case .failure(let error): throw error
                }
            }
            i = end
        }
    }
    let queuedAt = ContinuousClock.now - start
    _ = producer.flush(timeout: .seconds(120))
    let elapsed = ContinuousClock.now - start
    lastCPU.ours = (cpuSeconds(RUSAGE_SELF.rawValue) - cpuBefore) / Double(o.messages) * 1e6
    if ProcessInfo.processInfo.environment["BENCH_VERBOSE"] != nil {
        print("  ours: all queued after \(queuedAt), all delivered after \(elapsed); CPU per thread since start: \(threadCPU())")
    }
    producer.close(timeout: .seconds(5))
    let ok = delivered.load(ordering: .relaxed)
    guard ok == o.messages, failed.load(ordering: .relaxed) == 0 else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "ours: \(ok) delivered, \(failed.load(ordering: .relaxed)) failed"])
    }
    return Double(o.messages) / seconds(elapsed)
}

/// This process's threads and the CPU each used so far (utime + stime, 10 ms ticks), the busiest first.
func threadCPU() -> String {
    let task = "/proc/self/task"
    var rows: [(String, Int)] = []
    for t in (try? FileManager.default.contentsOfDirectory(atPath: task)) ?? [] {
        let comm = ((try? String(contentsOfFile: "\(task)/\(t)/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let stat = try? String(contentsOfFile: "\(task)/\(t)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Int(fields[11]), let k = Int(fields[12]) else { continue }
        rows.append((comm, u + k))
    }
    return rows.sorted { $0.1 > $1.1 }.prefix(5).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
}

func runKcat(_ o: Options, file: String) throws -> Double {
    let broker = try Broker(binary: o.brokerBinary)
    let kcat = Process()
    kcat.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    kcat.arguments = ["-P", "-b", broker.bootstrap, "-t", "bench", "-K", "\t", "-l", file] + shared.flatMap { ["-X", "\($0.0)=\($0.1)"] }
    kcat.standardError = FileHandle.nullDevice
    let cpuBefore = cpuSeconds(RUSAGE_CHILDREN.rawValue)
    let start = ContinuousClock.now
    try kcat.run()
    kcat.waitUntilExit()
    let elapsed = ContinuousClock.now - start
    lastCPU.kcat = (cpuSeconds(RUSAGE_CHILDREN.rawValue) - cpuBefore) / Double(o.messages) * 1e6
    guard kcat.terminationStatus == 0 else {
        throw NSError(domain: "bench", code: 2, userInfo: [NSLocalizedDescriptionKey: "kcat exited \(kcat.terminationStatus)"])
    }
    return Double(o.messages) / seconds(elapsed)
}

/// A port that takes connections and never answers (listening, never accepting: the kernel
/// completes the handshake), so both producers queue their messages and wait for the broker's
/// first answer; neither sees its broker down (kcat exits on that) before the messages time out.
let silentBroker: String = {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard fd >= 0, bound else { fatalError("cannot listen on 127.0.0.1") }
    return "127.0.0.1:\(UInt16(bigEndian: addr.sin_port))"
}()

/// Settings for the unreachable runs: every message stays queued (the queue holds them all), and
/// fails after one second.
func unreachableSettings(_ o: Options) -> [(String, String)] {
    shared.filter { $0.0 != "queue.buffering.max.messages" } + [
        ("queue.buffering.max.messages", String(o.messages + 1000)), ("message.timeout.ms", "1000"),
    ]
}

/// CPU per message (µs) of ours queueing every message with no broker, until the last report.
func unreachableOurs(_ o: Options, value: [UInt8]) throws -> Double {
    var config = KafkaClusterConfig()
    config.enabled = true
    config.id = "bench"
    config.brokers = [silentBroker]
    let reported = Atomic<Int>(0)
    let producer = try KafkaProducer(config: config, extraProperties: unreachableSettings(o).map { RdKafkaProperty($0.0, $0.1) }) { _ in
        reported.add(1, ordering: .relaxed)
    }
    let keyBytes = (0..<o.keys).map { Array(key($0, o.keys).utf8) }
    let cpuBefore = cpuSeconds(RUSAGE_SELF.rawValue)
    for i in 0..<o.messages {
        try producer.send(KafkaMessage(topic: "bench", key: keyBytes[i % o.keys], value: value))
    }
    // Every message fails by its timeout; then each has had its report.
    _ = producer.flush(timeout: .seconds(30))
    let cpu = cpuSeconds(RUSAGE_SELF.rawValue) - cpuBefore
    producer.close(timeout: .zero)
    guard reported.load(ordering: .relaxed) == o.messages else {
        throw NSError(domain: "bench", code: 3, userInfo: [NSLocalizedDescriptionKey: "ours: \(reported.load(ordering: .relaxed)) of \(o.messages) reported"])
    }
    return cpu / Double(o.messages) * 1e6
}

/// The same for kcat: CPU per message of the whole process (it exits once every message failed).
func unreachableKcat(_ o: Options, file: String) throws -> Double {
    let kcat = Process()
    kcat.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    kcat.arguments = ["-P", "-b", silentBroker, "-t", "bench", "-K", "\t", "-l", file] + unreachableSettings(o).flatMap { ["-X", "\($0.0)=\($0.1)"] }
    kcat.standardError = FileHandle.nullDevice
    let cpuBefore = cpuSeconds(RUSAGE_CHILDREN.rawValue)
    try kcat.run()
    kcat.waitUntilExit()
    return (cpuSeconds(RUSAGE_CHILDREN.rawValue) - cpuBefore) / Double(o.messages) * 1e6
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
guard !options.brokerBinary.isEmpty else {
    print("usage: KafkaSendBenchmark PATH/TO/kafka-test-broker [--messages N] [--size BYTES] [--runs R]")
    exit(64)
}
let value = [UInt8](repeating: UInt8(ascii: "x"), count: options.size)
let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bench-\(getpid()).tsv").path
if ProcessInfo.processInfo.environment["BENCH_ONLY_OURS"] == nil {
    var text = ""
    text.reserveCapacity(options.messages * (options.size + 40))
    let v = String(decoding: value, as: UTF8.self)
    for i in 0..<options.messages { text += key(i, options.keys) + "\t" + v + "\n" }
    try text.write(toFile: file, atomically: false, encoding: .utf8)
}
defer { try? FileManager.default.removeItem(atPath: file) }

if options.unreachable {
    print("Kafka send, no broker (\(silentBroker) never answers): \(options.messages) keyed \(options.size)-byte messages queued by each producer, CPU per message of its process, one core")
    print("cores: \(ProcessInfo.processInfo.activeProcessorCount), load: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?")")
    var ours: [Double] = [], theirs: [Double] = []
    for run in 1...options.runs {
        let a = try unreachableOurs(options, value: value)
        let b = ProcessInfo.processInfo.environment["BENCH_ONLY_OURS"] != nil ? 1 : try unreachableKcat(options, file: file)
        ours.append(a)
        theirs.append(b)
        print(String(format: "run %d: CPU per message alertrelay %.3f us, kcat %.3f us, ratio kcat/alertrelay %.2f", run, a, b, b / a))
    }
    print(String(format: "median CPU per message, no broker: alertrelay %.3f us, kcat %.3f us, kcat/alertrelay %.2f", median(ours), median(theirs), median(theirs) / median(ours)))
    exit(0)
}
print("Kafka send: \(options.messages) keyed \(options.size)-byte messages, \(options.keys) keys, into kafka-test-broker (librdkafka \(librdkafkaVersion) mock, 4 partitions)")
print("ours sends \(options.batch == 1 ? "one message per call (rd_kafka_produceva)" : "\(options.batch) messages per sendBatch call (rd_kafka_produce_batch)")")
print("settings for both: \(shared.map { "\($0.0)=\($0.1)" }.joined(separator: " "))")
print("cores: \(ProcessInfo.processInfo.activeProcessorCount), load: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?")")
var ours: [Double] = []
var theirs: [Double] = []
var cpuOurs: [Double] = []
var cpuKcat: [Double] = []
for run in 1...options.runs {
    let a = try runOurs(options, value: value)
    let b = ProcessInfo.processInfo.environment["BENCH_ONLY_OURS"] != nil ? 1 : try runKcat(options, file: file)
    ours.append(a)
    theirs.append(b)
    cpuOurs.append(lastCPU.ours)
    cpuKcat.append(lastCPU.kcat)
    print(String(format: "run %d: alertrelay %9.0f msgs/s   kcat %9.0f msgs/s   ratio %.2f   CPU per message: alertrelay %.2f us, kcat %.2f us",
                 run, a, b, a / b, lastCPU.ours, lastCPU.kcat))
}
let mo = median(ours), mk = median(theirs)
print(String(format: "median: alertrelay %.0f msgs/s (%.1f MB/s), kcat %.0f msgs/s (%.1f MB/s), ratio %.2f (goal >= 0.90)",
             mo, mo * Double(options.size) / 1e6, mk, mk * Double(options.size) / 1e6, mo / mk))
print(String(format: "median CPU per message (the producer's process, all threads): alertrelay %.2f us, kcat %.2f us, kcat/alertrelay %.2f",
             median(cpuOurs), median(cpuKcat), median(cpuKcat) / median(cpuOurs)))
