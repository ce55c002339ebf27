import Foundation
@testable import Relay
import Synchronization
import Testing

/// The config watch's inotify part: what it reports and from when.
@Suite struct DirectoryWatcherTests {
    /// A change made after the watcher was made but before its thread runs is still reported:
    /// the relay makes the watcher before it says it started, and starts the thread later.
    @Test func aChangeBeforeTheWatchThreadRunsIsReported() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let watcher = try DirectoryWatcher(directories: [WatchedDirectory(path: dir.path) { $0 == "rules.yaml" }])
        try "id: a\n".write(to: dir.appendingPathComponent("ignored.txt"), atomically: false, encoding: .utf8)
        try "id: a\n".write(to: dir.appendingPathComponent("rules.yaml"), atomically: false, encoding: .utf8)
        let changes = Atomic<Int>(0)
        let running = Task.detached {
            watcher.run(directories: { [WatchedDirectory(path: dir.path) { $0 == "rules.yaml" }] }, debounce: .milliseconds(50)) {
                changes.add(1, ordering: .relaxed)
                watcher.stop()
            }
        }
        // Stops the watcher if nothing was reported: the test then fails instead of hanging.
        let guardStop = Task.detached {
            try? await Task.sleep(for: .seconds(5))
            watcher.stop()
        }
        await running.value
        guardStop.cancel()
        #expect(changes.load(ordering: .relaxed) == 1)
    }

    /// A change to an entry that does not matter is not reported.
    @Test func aChangeThatDoesNotMatterIsNotReported() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let watched = [WatchedDirectory(path: dir.path) { $0 == "rules.yaml" }]
        let watcher = try DirectoryWatcher(directories: watched)
        try "x\n".write(to: dir.appendingPathComponent("other.txt"), atomically: false, encoding: .utf8)
        let changes = Atomic<Int>(0)
        let running = Task.detached {
            watcher.run(directories: { watched }, debounce: .milliseconds(50)) { changes.add(1, ordering: .relaxed) }
        }
        try await Task.sleep(for: .milliseconds(500))
        watcher.stop()
        await running.value
        #expect(changes.load(ordering: .relaxed) == 0)
    }
}
