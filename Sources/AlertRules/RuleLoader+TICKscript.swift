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

/// TICKscript tasks (`*.tick` in the rules directory) as rules: the task's name is its file's
/// name without `.tick`, as `kapacitor define NAME -tick FILE`. Each task is compiled to the
/// YAML rule it stands for and loaded as one; a problem anywhere points into the `.tick` file.
extension RuleLoader {
    /// The rule files of a directory: YAML rules and TICKscript tasks, sorted by name.
    public static func ruleFiles(in directory: String) throws(RuleLoadErrors) -> [String] {
        let yaml = try yamlFiles(in: directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return (yaml + names.filter { $0.hasSuffix(".tick") }.map { directory + "/" + $0 }).sorted()
    }

    /// The YAML rule a TICKscript task stands for (`alertrelay convert`).
    public static func convert(tick text: String, file: String) throws(RuleLoadErrors) -> String {
        try compile(tick: text, file: file).yaml
    }

    /// The rule of one TICKscript task.
    public func rules(tick text: String, file: String) throws(RuleLoadErrors) -> [AlertRule] {
        let compiled = try Self.compile(tick: text, file: file)
        do {
            return try rules(text: compiled.yaml, file: file)
        } catch {
            // Errors name lines of the YAML the task became: point them at the TICKscript.
            throw RuleLoadErrors(errors: error.errors.map { e in
                guard let place = compiled.places[e.location.line] else { return e }
                return RuleLoadError(SourceLocation(file: file, line: place.line, column: place.column), e.message)
            })
        }
    }

    static func taskName(_ file: String) -> String {
        // NSString's lastPathComponent for a file path (no trailing slash): what follows the last "/".
        var name = file.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? file
        if name.hasSuffix(".tick") { name.removeLast(5) }
        return name
    }

    static func compile(tick text: String, file: String) throws(RuleLoadErrors) -> TICKCompiler.Output {
        do throws(TICKError) {
            let task = try TICKEvaluator.evaluate(try TICKParser.parse(text))
            var compiler = TICKCompiler(taskName: taskName(file), task: task)
            return try compiler.compile()
        } catch {
            throw RuleLoadErrors(errors: [RuleLoadError(SourceLocation(file: file, line: error.line, column: error.column), "TICKscript: \(error.message)")])
        }
    }
}
