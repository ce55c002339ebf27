import Foundation

/// What a finished command printed, and its exit status.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// The built `alertrelay` binary run as a user runs it: arguments, standard input, pipes.
public enum AlertRelayCLI {
    /// Runs `alertrelay args...` to its end.
    /// `environment` is added to the test process's own.
    public static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try CommandResult.run(BuiltProducts.path("alertrelay"), args, stdin: stdin, environment: environment)
    }
}

extension CommandResult {
    /// Runs `executable args...` to its end with `stdin` (or an empty input) and collects its output.
    public static func run(_ executable: String, _ args: [String], stdin: String? = nil,
                           environment: [String: String] = [:]) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
