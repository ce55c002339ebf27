import AlertRules
import Foundation
import RelayConfig

/// Everything `alertrelay run`, `check` and `test` load: the config file, then the rule and handler
/// files of its `[load]` directory, checked against its Kafka clusters.
public struct LoadedRelay: Sendable {
    public var configuration: RelayConfiguration
    public var rules: RuleSet
}

/// Why loading failed: every problem, each with file and line.
public struct RelayLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

public enum RelayLoader {
    /// Loads `path` and its rule and handler files (`rules`/`handlers` override the directories).
    /// `checkPaths`: also check that the files and directories the relay writes can be written
    /// (for `check`, `run` and reloads; `test` writes none of them).
    public static func load(configPath path: String, rules: String? = nil, handlers: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            checkPaths: Bool = true) throws(RelayLoadError) -> LoadedRelay {
        let configuration: RelayConfiguration
        do {
            configuration = try RelayConfiguration.load(path: path, environment: environment, checkPaths: checkPaths)
        } catch {
            throw RelayLoadError(problems: [error.description])
        }
        let load = configuration.load
        let loader = RuleLoader(clusters: configuration.enabledKafkaClusters.map(\.id))
        do throws(RuleLoadErrors) {
            var ruleFiles: [String] = []
            var handlerFiles: [String] = []
            if load.enabled || rules != nil { ruleFiles = try RuleLoader.ruleFiles(in: rules ?? load.rulesDirectory) }
            if load.enabled || handlers != nil { handlerFiles = try RuleLoader.yamlFiles(in: handlers ?? load.handlersDirectory) }
            let set = try loader.load(ruleFiles: ruleFiles, handlerFiles: handlerFiles)
            return LoadedRelay(configuration: configuration, rules: set)
        } catch {
            throw RelayLoadError(problems: error.errors.map(\.description))
        }
    }
}
