import Locking
import Logging
import Testing
@testable import Relay

/// The changelog writer logs a failing changelog once per kind and interval, not once per record.
@Suite struct ChangelogFailureLogTests {
    /// Keeps every line logged through it.
    struct Capture: LogHandler {
        let lines: Locked<[(String, Logger.Metadata)]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.withLock { $0.append((event.message.description, event.metadata ?? [:])) }
        }
    }

    @Test func oneLinePerKindAndIntervalWithTheCountLeftOut() {
        let lines = Locked<[(String, Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in Capture(lines: lines) }
        var log = ChangelogFailureLog()
        let start = ContinuousClock.now
        for i in 0..<1000 { log.error("refused", ["partition": "\(i % 64)"], to: logger, now: start + .milliseconds(i)) }
        log.error("cannot queue", [:], to: logger, now: start + .seconds(1))
        #expect(lines.withLock { $0.map(\.0) } == ["refused", "cannot queue"])
        log.error("refused", [:], to: logger, now: start + ChangelogFailureLog.interval + .milliseconds(1))
        let last = lines.withLock { $0.last! }
        #expect(last.0 == "refused")
        #expect(last.1["unlogged-since-last"]?.description == "999", "every failure is accounted for")
    }
}
