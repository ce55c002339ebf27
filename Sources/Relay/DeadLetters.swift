import Foundation
import KafkaDispatch
import Logging
import Synchronization
import Locking

/// Alert messages that could not be delivered: each is counted, logged once per cluster, topic and
/// reason (not once per message), and, with `[relay] dead-letter-file`, appended there as a JSON
/// line `{"time","cluster","topic","key","value","reason"}` — nothing is lost silently.
public final class DeadLetters: Sendable {
    private struct State {
        var path: String
        var fd: Int32 = -1
        var logged: Set<String> = []
        var count: UInt64 = 0
    }
    private let logger: Logger
    private let state: Locked<State>

    public init(path: String, logger: Logger) {
        state = Locked(State(path: path))
        self.logger = logger
    }

    /// Switches to another file (a reloaded `[relay] dead-letter-file`); later messages go there.
    public func setPath(_ path: String) {
        state.withLock { s in
            guard s.path != path else { return }
            if s.fd >= 0 { close(s.fd) }
            s.fd = -1
            s.path = path
            s.logged = []
        }
    }

    deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }

    /// Messages recorded so far.
    public var count: UInt64 { state.withLock { $0.count } }

    /// Records one undeliverable message.
    public func record(cluster: String, message: KafkaMessage?, topic: String, reason: String) {
        var line = "{\"time\":\"\(Self.timestamp(time(nil)))\",\"cluster\":\(RelayLogHandler.quote(cluster)),\"topic\":\(RelayLogHandler.quote(topic))"
        if let m = message {
            line += ",\"key\":\(m.key.map { RelayLogHandler.quote(String(decoding: $0, as: UTF8.self)) } ?? "null")"
            line += ",\"value\":\(RelayLogHandler.quote(String(decoding: m.value, as: UTF8.self)))"
        }
        line += ",\"reason\":\(RelayLogHandler.quote(reason))}\n"
        let (first, writeError, path): (Bool, String?, String) = state.withLock { s in
            s.count += 1
            let first = s.logged.insert(cluster + "|" + topic + "|" + reason).inserted
            guard !s.path.isEmpty else { return (first, nil, s.path) }
            if s.fd < 0 { s.fd = open(s.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600) }
            // errno is read at once: the logging below (and anything else) may change it.
            guard s.fd >= 0 else { return (first, "cannot open it: \(String(cString: strerror(errno)))", s.path) }
            let bytes = Array(line.utf8)
            let n = bytes.withUnsafeBytes { write(s.fd, $0.baseAddress, $0.count) }
            if n < 0 { return (first, String(cString: strerror(errno)), s.path) }
            if n < bytes.count { return (first, "short write: \(n) of \(bytes.count) bytes (disk full?)", s.path) }
            return (first, nil, s.path)
        }
        if first {
            logger.error("alert messages cannot be delivered; counting them\(path.isEmpty ? "" : " and writing them to the dead-letter file")", metadata: [
                "cluster": .string(cluster), "topic": .string(topic), "error": .string(reason),
                "dead-letter-file": .string(path.isEmpty ? "none" : path)])
        }
        if let writeError {
            logger.error("cannot write the dead-letter file", metadata: ["dead-letter-file": .string(path), "error": .string(writeError)])
        }
    }

    /// `seconds` since 1970 as RFC 3339 in UTC (`2006-01-02T15:04:05Z`, what `ISO8601DateFormatter`
    /// writes by default), without a formatter object: one record costs no allocation for its time.
    static func timestamp(_ seconds: time_t) -> String {
        var t = seconds
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }
}
