import Foundation

/// `alertrelay run` as a child process with a temporary directory holding its config, rules and
/// handlers; listeners bind port 0 and the bound ports are read from its start-up log line.
public final class RelayProcess: @unchecked Sendable {
    public let directory: URL
    public let process = Process()
    public let logFile: URL
    public private(set) var udpPort = 0
    public private(set) var tcpPort = 0
    public private(set) var httpPort = 0
    /// The `[admin]` listener's port, when the admin endpoints have their own address.
    public private(set) var adminPort = 0

    /// Writes `config` (alertrelay.conf), `rules` and `handlers` (file name → YAML) into a fresh
    /// directory and starts the relay on it; waits for "alertrelay started".
    /// `shell`: commands run by `/bin/sh` before it becomes the relay (`exec`), e.g. `ulimit -n 200`.
    /// `environment`: variables added to this process's for the relay (e.g. `NOTIFY_SOCKET`).
    /// `watchConfig`: whether `[relay] watch-config` is on (off unless asked: tests that rewrite
    /// files and send SIGHUP count their reloads).
    public convenience init(config: String, rules: [String: String] = [:], handlers: [String: String] = [:], shell: String? = nil,
                            environment: [String: String] = [:], watchConfig: Bool = false) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        try config.write(to: directory.appendingPathComponent("alertrelay.conf"), atomically: true, encoding: .utf8)
        for (name, text) in rules {
            try text.write(to: directory.appendingPathComponent("rules/\(name)"), atomically: true, encoding: .utf8)
        }
        for (name, text) in handlers { try text.write(to: directory.appendingPathComponent("handlers/\(name)"), atomically: true, encoding: .utf8) }
        try self.init(directory: directory, configPath: directory.appendingPathComponent("alertrelay.conf").path, shell: shell,
                      environment: environment, watchConfig: watchConfig)
    }

    /// Starts the relay on a config file the caller laid out (`configPath`, e.g. a symlink into a
    /// kubelet-style ConfigMap directory) inside `directory` (its log goes there; ``stop()``
    /// removes it); waits for "alertrelay started".
    public init(directory: URL, configPath: String, shell: String? = nil, environment: [String: String] = [:], watchConfig: Bool = false) throws {
        self.directory = directory
        logFile = directory.appendingPathComponent("relay.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        var environment = environment
        environment["ALERTRELAY_RELAY_WATCH_CONFIG"] = environment["ALERTRELAY_RELAY_WATCH_CONFIG"] ?? (watchConfig ? "true" : "false")
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let binary = BuiltProducts.path("alertrelay")
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(shell); exec \"$0\" run --config \"$1\"", binary, configPath]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["run", "--config", configPath]
        }
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let log = self.log
            if let line = log.split(separator: "\n").first(where: { $0.contains("msg=\"alertrelay started\"") || $0.contains(#""msg":"alertrelay started""#) }) {
                udpPort = Self.port(in: line, kind: "udp")
                tcpPort = Self.port(in: line, kind: "tcp")
                httpPort = Self.port(in: line, kind: "http")
                adminPort = Self.port(in: line, kind: "admin")
                return
            }
            if !process.isRunning { throw TestSupportError("alertrelay exited \(process.terminationStatus):\n\(log)") }
            usleep(20_000)
        }
        process.terminate()
        throw TestSupportError("alertrelay did not start:\n\(log)")
    }

    /// The port of the first `kind:host:port` in a log line's `listeners` (logfmt or JSON).
    public static func port(in line: Substring, kind: String) -> Int {
        guard let r = line.range(of: "\(kind):") else { return 0 }
        let rest = line[r.upperBound...]
        let address = rest.prefix { $0 != "," && $0 != " " && $0 != "\"" && $0 != "}" }
        return Int(address.split(separator: ":").last ?? "") ?? 0
    }

    /// Replaces alertrelay.conf (for a SIGHUP).
    public func writeConfig(_ text: String) throws {
        try text.write(to: directory.appendingPathComponent("alertrelay.conf"), atomically: true, encoding: .utf8)
    }

    /// The log line of the last successful reload, if any.
    public var lastReloadLine: Substring? {
        log.split(separator: "\n").last { $0.contains("msg=reloaded") || $0.contains(#""msg":"reloaded""#) }
    }

    public func writeRule(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent("rules/\(name)"), atomically: true, encoding: .utf8)
    }

    /// Everything the relay logged so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Sends `sig` (SIGHUP, SIGTERM, ...).
    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// SIGTERM, then the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            signal(SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
