import AlertRules
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

/// `alertrelay convert FILE.tick`: the YAML rule a TICKscript task stands for.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Print the YAML rule a TICKscript (.tick) task stands for.",
        discussion: "The task's name is the file's name without .tick. Exit status 2 with file:line:column when the task cannot be read.")

    @Argument(help: "The .tick file.")
    var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            printError("\(file): cannot read the file")
            throw ExitCode(2)
        }
        do {
            // Expressions, templates and clusters are checked when the rule is loaded (check, test, run).
            print(try RuleLoader.convert(tick: text, file: file), terminator: "")
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
