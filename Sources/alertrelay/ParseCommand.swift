import ArgumentParser
import RelayConfig
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
import LineProtocol

/// `alertrelay parse`: line protocol in, one JSON line per record out, for debugging a feed.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse InfluxDB line protocol and print one JSON line per point or rejected line.",
        discussion: """
            Output: {"line":N,"measurement":..,"tags":[[k,v],..],"fields":[{"key":..,"type":..,"value":..},..],"time":NS} \
            or {"line":N,"error":".."}. Exit status 1 when any line was rejected.
            """)

    @Option(help: "Timestamp precision: ns (n), us (u), ms, s, m or h.")
    var precision: String = "ns"

    @Option(help: "Nanoseconds since the epoch given to points without a timestamp (default: now).")
    var now: Int64?

    @Argument(help: "File to read; - or nothing reads standard input.")
    var file: String = "-"

    func run() throws {
        guard let unit = Precision(name: precision) else {
            throw ValidationError("--precision \(precision): expected ns, us, ms, s, m or h")
        }
        let data: Data
        if file == "-" {
            data = Data(FileDescriptorReading.readAll(0) ?? [])
        } else {
            guard let d = FileManager.default.contents(atPath: file) else {
                printError("\(file): cannot read the file")
                throw ExitCode(2)
            }
            data = d
        }
        let defaultTime = now ?? Int64(Date().timeIntervalSince1970 * 1e9)
        var rejected = false
        var output = ""
        LineProtocolParser(precision: unit).parse(Array(data), defaultTime: defaultTime) { record in
            if case .error = record { rejected = true }
            output += record.jsonLine
            output += "\n"
            if output.utf8.count > 1 << 16 {
                FileDescriptorReading.writeAll(output, to: 1)
                output = ""
            }
        }
        FileDescriptorReading.writeAll(output, to: 1)
        if rejected { throw ExitCode(1) }
    }
}
