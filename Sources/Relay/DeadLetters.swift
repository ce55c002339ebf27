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
import KafkaDispatch
import Logging
import Synchronization
import Locking

/// Alert records that could not be delivered (any output): each is counted, logged once per output,
/// destination and reason (not once per message), and, with `[relay] dead-letter-file`, appended there as a JSON
/// line `{"time","cluster","topic","key","value","reason"}` — nothing is lost silently.
public final class DeadLetters: Sendable {
    private struct State {
        var path: String
        var fd: Int32 = -1
        var logged: Set<String> = []
        var count: UInt64 = 0
        var byOutput: [String: UInt64] = [:]
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

    /// Records so far, per output identity.
    public var countsByOutput: [String: UInt64] { state.withLock { $0.byOutput } }

    /// Records one undeliverable Kafka message.
    public func record(cluster: String, message: KafkaMessage?, topic: String, reason: String) {
        record(output: OutputID.kafka(cluster), record: message.map { OutputRecord(cluster: cluster, message: $0) }, destination: topic, reason: reason)
    }

    /// Records one undeliverable record of output `output` (`record` nil when it was not kept;
    /// `destination` then names its topic, URL or address if known). A Kafka record's line is
    /// `{"time","cluster","topic","key","value","reason"}`; a post's `{"time","output","url",
    /// "value","reason"}`; a tcp line's `{"time","output","address","value","reason"}`.
    public func record(output: String, record: OutputRecord?, destination: String?, reason: String) {
        let place = record?.destination ?? destination ?? ""
        var line = "{\"time\":\"\(Self.timestamp(time(nil)))\""
        let cluster = OutputID.cluster(of: output)
        if let cluster {
            line += ",\"cluster\":\(RelayLogHandler.quote(cluster)),\"topic\":\(RelayLogHandler.quote(place))"
        } else {
            line += ",\"output\":\(RelayLogHandler.quote(output))"
            line += output.hasPrefix("tcp:") ? ",\"address\":" : ",\"url\":"
            line += RelayLogHandler.quote(place)
        }
        if let r = record {
            if case .kafka(_, let key, _) = r.target {
                line += ",\"key\":\(key.map { RelayLogHandler.quote(String(decoding: $0, as: UTF8.self)) } ?? "null")"
            }
            line += ",\"value\":\(RelayLogHandler.quote(String(decoding: r.body, as: UTF8.self)))"
        }
        line += ",\"reason\":\(RelayLogHandler.quote(reason))}\n"
        let topic = place
        let (first, writeError, path): (Bool, String?, String) = state.withLock { s in
            s.count += 1
            s.byOutput[output, default: 0] += 1
            let first = s.logged.insert(output + "|" + topic + "|" + reason).inserted
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
                cluster == nil ? "output" : "cluster": .string(cluster ?? output), cluster == nil ? "destination" : "topic": .string(topic), "error": .string(reason),
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
