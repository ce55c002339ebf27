import AlertRules
import GoTemplate
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
import RelayConfig

/// Everything `alertrelay run`, `check` and `test` load: the config file, then the rule and handler
/// files of its `[load]` directory, checked against its Kafka clusters.
public struct LoadedRelay: Sendable {
    public var configuration: RelayConfiguration
    public var rules: RuleSet
}

/// Why loading failed: every problem, each with file and line, and the config file's warnings.
public struct RelayLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    /// The config file's warnings (``RelayConfiguration/warnings``), as far as it could be read.
    public var warnings: [String] = []
    public var description: String { problems.joined(separator: "\n") }
}

public enum RelayLoader {
    /// The `[[httppost]]` endpoints as the rules see them (templates were checked by the decoder).
    static func postEndpoints(_ c: RelayConfiguration) -> [PostEndpoint] {
        c.httppost.map { e in
            PostEndpoint(name: e.endpoint, url: e.url, urlTemplate: try? PostEndpoint.urlTemplate(e.url),
                         alertTemplate: e.alertTemplate.isEmpty ? nil : try? Template(name: "body", text: e.alertTemplate))
        }
    }

    /// Loads `path` and its rule and handler files (`rules`/`handlers` override the directories).
    /// `checkPaths`: also check that the files and directories the relay writes can be written
    /// (for `check`, `run` and reloads; `test` writes none of them).
    ///
    /// A config file with problems does not stop the loading: the rule and handler files it names
    /// are still read (against the clusters it could read), so one run lists every problem, the
    /// config's first, then each file's in file and line order.
    public static func load(configPath path: String, rules: String? = nil, handlers: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            checkPaths: Bool = true) throws(RelayLoadError) -> LoadedRelay {
        let inspection = RelayConfiguration.inspect(path: path, environment: environment, checkPaths: checkPaths)
        var problems = inspection.problems.map(\.description)
        let warnings = inspection.configuration?.warnings.map(\.description) ?? []
        // Unreadable or not TOML: no [load] dir is known; only directories named on the command line are read.
        let configuration = inspection.configuration
        let load = configuration?.load ?? LoadConfig(enabled: false)
        let loader = RuleLoader(clusters: configuration?.enabledKafkaClusters.map(\.id) ?? [], postEndpoints: configuration.map(postEndpoints) ?? [])
        var set = RuleSet()
        var ruleFiles: [String] = []
        var handlerFiles: [String] = []
        var listed = true
        if load.enabled || rules != nil {
            do throws(RuleLoadErrors) { ruleFiles = try RuleLoader.ruleFiles(in: rules ?? load.rulesDirectory) } catch {
                problems += error.errors.map(\.description)
                listed = false
            }
        }
        if load.enabled || handlers != nil {
            do throws(RuleLoadErrors) { handlerFiles = try RuleLoader.yamlFiles(in: handlers ?? load.handlersDirectory) } catch {
                problems += error.errors.map(\.description)
                listed = false
            }
        }
        if listed {
            do throws(RuleLoadErrors) { set = try loader.load(ruleFiles: ruleFiles, handlerFiles: handlerFiles) } catch {
                problems += error.errors.map(\.description)
            }
        }
        guard problems.isEmpty, var configuration else { throw RelayLoadError(problems: problems, warnings: warnings) }
        configuration.warnings += unreachableRules(set.rules, configuration)
        return LoadedRelay(configuration: configuration, rules: set)
    }

    /// A rule that reads only a database and retention policy no listener writes to never fires:
    /// one warning each, at the rule. `[http]` writes whatever its requests name, so with it none.
    static func unreachableRules(_ rules: [AlertRule], _ c: RelayConfiguration) -> [ConfigProblem] {
        guard c.http == nil else { return [] }
        let written = c.udp.filter(\.enabled).map(\.destination) + c.tcp.filter(\.enabled).map(\.destination)
        return rules.filter { !$0.destinations.isEmpty && !written.contains(where: $0.destinations.accepts) }.map { r in
            ConfigProblem(file: r.location.file, line: r.location.line, column: r.location.column,
                          message: "rule \"\(r.id)\" reads \(r.destinations), which no [[udp]] or [[tcp]] section writes "
                              + "(their database and retention-policy): it will never see a point")
        }
    }
}
