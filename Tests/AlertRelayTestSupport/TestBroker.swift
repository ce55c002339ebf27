import Foundation

/// Where the package's built executables are: next to the running test bundle.
public enum BuiltProducts {
    /// The directory holding `alertrelay`, `kafka-test-broker` and the test bundle.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["ALERTRELAY_BUILD_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // .../debug/alertrelayPackageTests.xctest (a file on Linux, a bundle on macOS)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("kafka-test-broker").path) { return url }
        }
        return URL(fileURLWithPath: ".build/debug")
    }

    /// The path of executable `name`.
    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// A `kafka-test-broker` process: a real Kafka-protocol endpoint on 127.0.0.1.
public final class TestBroker: @unchecked Sendable {
    /// `host:port,...` to bootstrap from.
    public let bootstrap: String
    private let process: Process
    private let errors: FileHandle

    /// Starts the broker with `brokers` brokers and pre-created `topics` (`name:partitions`);
    /// `launcher` runs it through another command (e.g. `ip netns exec NS`).
    public init(brokers: Int = 1, topics: [String] = [], launcher: [String] = []) throws {
        let process = Process()
        // KAFKA_TEST_BROKER lets sanitizer runs use an uninstrumented broker (TSan's runtime crashes
        // in librdkafka's mock-cluster thread, which is not instrumented).
        let brokerPath = ProcessInfo.processInfo.environment["KAFKA_TEST_BROKER"] ?? BuiltProducts.path("kafka-test-broker")
        let command = launcher + [brokerPath, "--brokers", String(brokers)] + topics.flatMap { ["--topic", $0] }
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        try process.run()
        self.process = process
        self.errors = err.fileHandleForReading
        var line = Data()
        let handle = out.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "BOOTSTRAP=") else {
            process.terminate()
            throw TestSupportError("kafka-test-broker printed no BOOTSTRAP line: \(text)")
        }
        bootstrap = String(text[range.upperBound...].prefix { $0 != "\n" })
    }

    deinit { stop() }

    /// Takes every broker down (SIGUSR1); returns once the broker says it is done.
    public func takeDown() {
        kill(process.processIdentifier, SIGUSR1)
        waitForStatus("brokers down")
    }

    /// Brings every broker back (SIGUSR2); returns once the broker says it is done.
    public func bringUp() {
        kill(process.processIdentifier, SIGUSR2)
        waitForStatus("brokers up")
    }

    private func waitForStatus(_ text: String) {
        var seen = ""
        while !seen.contains(text) {
            let chunk = errors.availableData
            if chunk.isEmpty { return }
            seen += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// Kills the process (SIGKILL: its topics are gone, connections refused) and waits for it.
    public func killProcess() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Stops the process (SIGTERM) and waits for it.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// A message read back from Kafka.
public struct ConsumedMessage: Sendable, Equatable {
    public var partition: Int32
    public var offset: Int64
    public var key: String?
    public var value: String
    public var headers: [String: String]
}

/// Reads a whole topic back with kcat (a real librdkafka consumer).
public enum Kcat {
    /// Every message in `topic`, in partition then offset order.
    /// `properties`: extra librdkafka settings (`-X key=value`), e.g. TLS.
    public static func consume(bootstrap: String, topic: String, expecting count: Int? = nil,
                               properties: [String: String] = [:]) throws -> [ConsumedMessage] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
        var args = ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-J"]
        if let count { args += ["-c", String(count)] }
        for (k, v) in properties.sorted(by: { $0.key < $1.key }) { args += ["-X", "\(k)=\(v)"] }
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var messages: [ConsumedMessage] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            var headers: [String: String] = [:]
            if let h = object["headers"] as? [Any] {
                var i = 0
                while i + 1 < h.count {
                    headers[h[i] as? String ?? ""] = h[i + 1] as? String ?? ""
                    i += 2
                }
            }
            messages.append(ConsumedMessage(
                partition: Int32(object["partition"] as? Int ?? -1),
                offset: Int64(object["offset"] as? Int ?? -1),
                key: object["key"] as? String,
                value: object["payload"] as? String ?? "",
                headers: headers))
        }
        return messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }
}

extension Kcat {
    /// Produces `messages` (each may hold several lines) to `topic` with kcat, each keyed when a
    /// key is given (the default partitioner then picks the partition by key), else to `partition`
    /// (nil: kcat's default, random).
    public static func produce(bootstrap: String, topic: String, messages: [(key: String?, value: String)], partition: Int? = nil) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kcat-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let keyed = messages.contains { $0.key != nil }
        // Record separator between messages, unit separator between key and value: lines stay whole.
        var data = Data()
        for m in messages {
            if keyed { data.append(Data((m.key ?? "").utf8) + [0x1f]) }
            data.append(Data(m.value.utf8) + [0x1e])
        }
        try data.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
        var args = ["-P", "-b", bootstrap, "-t", topic, "-D", "\\x1e", "-l", file.path]
        if keyed { args += ["-K", "\\x1f"] }
        if let partition { args += ["-p", String(partition)] }
        process.arguments = args
        let err = Pipe()
        process.standardError = err
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError("kcat -P exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
    }

    /// Produces each value as one unkeyed message to `partition` of `topic`.
    public static func produce(bootstrap: String, topic: String, values: [String], partition: Int = 0) throws {
        try produce(bootstrap: bootstrap, topic: topic, messages: values.map { (nil, $0) }, partition: partition)
    }
}

/// A test harness failure.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
