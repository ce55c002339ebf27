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
import ServiceLifecycle

/// `[relay] watch-config`: reloads, through ``ReloadService`` as SIGHUP does, when the config
/// file or a rule or handler file changes — written in place, replaced by a rename, or swapped in
/// by a Kubernetes ConfigMap update (kubelet writes a new `..<timestamp>` directory and renames
/// the `..data` symlink over the old one; files reach it through symlinks, so only a watch on the
/// directories sees the change). Changes are debounced (`debounce`, 200 ms): an editor's or
/// kubelet's several steps make one reload. The watches follow the applied configuration: after
/// each reload they are made again for its directories, and with `watch-config = false` there
/// are none (so a reload can turn watching on and off).
///
/// The first watches are made when the service is made, before the relay says it started: a file
/// changed right after the start is seen, although the watch thread starts later.
struct ConfigWatchService: Service {
    let controller: RelayController
    let reloads: ReloadService
    var debounce: Duration = .milliseconds(200)
    private let watcher: Result<DirectoryWatcher, DirectoryWatcher.StartError>

    init(controller: RelayController, reloads: ReloadService) {
        self.controller = controller
        self.reloads = reloads
        watcher = Result { () throws(DirectoryWatcher.StartError) in try DirectoryWatcher(directories: Self.directories(controller)) }
    }

    func run() async throws {
        let watcher: DirectoryWatcher
        switch self.watcher {
        case .success(let w):
            watcher = w
        case .failure(let error):
            // Not fatal: SIGHUP still reloads.
            controller.logger.error("cannot watch the config files; reload with SIGHUP", metadata: ["error": .string(error.description)])
            try? await gracefulShutdown()
            return
        }
        reloads.onReload { _ in watcher.refresh() }
        let controller = self.controller, reloads = self.reloads, debounce = self.debounce
        let watching = Task {
            await onOwnThread("config-watch") {
                watcher.run(directories: { Self.directories(controller) }, debounce: debounce) {
                    guard controller.generation.loaded.configuration.relay.watchConfig else { return }
                    controller.logger.info("config files changed; reloading")
                    reloads.request("file change")
                }
            }
        }
        try? await gracefulShutdown()
        watcher.stop()
        await watching.value
    }

    /// The directories that hold what the applied configuration loads, and which of their entries
    /// matter: the config file's directory (the file itself, the rule and handler directories when
    /// they are inside it, and kubelet's `..data` and `..<timestamp>` entries), and the rule and
    /// handler directories (their `.yaml`, `.yml` and `.tick` files, and kubelet's entries).
    static func directories(_ controller: RelayController) -> [WatchedDirectory] {
        let c = controller.generation.loaded.configuration
        guard c.relay.watchConfig else { return [] }
        let configPath = PathNames.standardized(controller.configPath)
        let configDir = PathNames.deletingLastComponent(configPath)
        let configName = PathNames.lastComponent(configPath)
        var dirs: [WatchedDirectory] = []
        var namesInConfigDir: Set<String> = [configName]
        if c.load.enabled {
            for dir in [c.load.rulesDirectory, c.load.handlersDirectory] {
                let d = PathNames.standardized(dir)
                dirs.append(WatchedDirectory(path: d) { name in
                    name.hasPrefix("..") || name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".tick")
                })
                let parent = PathNames.deletingLastComponent(d)
                let name = PathNames.lastComponent(d)
                if parent == configDir {
                    namesInConfigDir.insert(name)
                } else {
                    // The directory's own parent sees it replaced (a symlink swap one level up).
                    dirs.append(WatchedDirectory(path: parent) { $0 == name || $0.hasPrefix("..") })
                }
            }
        }
        let names = namesInConfigDir
        dirs.insert(WatchedDirectory(path: configDir.isEmpty ? "." : configDir) { names.contains($0) || $0.hasPrefix("..") }, at: 0)
        return dirs
    }
}
