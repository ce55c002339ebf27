import Logging
import LineProtocol
import NIOCore

/// Parses a buffer of line protocol into a batch, counting and logging rejected lines, so that one
/// bad line never costs the good ones beside it.
struct BatchParser {
    let parser: LineProtocolParser
    let statistics: ListenerStatistics
    let logger: Logger
    /// Log at most this many rejected lines per second per listener; all are counted.
    static let logLimitPerSecond = 10

    private var logWindow: UInt64 = 0
    private var loggedInWindow = 0

    init(precision: Precision, statistics: ListenerStatistics, logger: Logger) {
        self.parser = LineProtocolParser(precision: precision)
        self.statistics = statistics
        self.logger = logger
    }

    /// Parses `buffer`; returns the accepted points and the rejected lines' errors.
    mutating func parse(_ buffer: ByteBuffer, now: Int64, keepErrors: Bool = false) -> ([Point], [(LineProtocolError, String)]) {
        var points: [Point] = []
        var errors: [(LineProtocolError, String)] = []
        var rejected: UInt64 = 0
        buffer.withUnsafeReadableBytes { raw in
            parser.parse(raw, defaultTime: now) { record in
                switch record {
                case .point(let p, _):
                    points.append(p)
                case .error(let e):
                    rejected += 1
                    let text = Self.lineText(raw, line: e.line)
                    if keepErrors { errors.append((e, text)) }
                    logRejected(e, text: text, now: now)
                }
            }
        }
        statistics.accepted.add(UInt64(points.count), ordering: .relaxed)
        if rejected > 0 { statistics.rejected.add(rejected, ordering: .relaxed) }
        return (points, errors)
    }

    private mutating func logRejected(_ e: LineProtocolError, text: String, now: Int64) {
        let second = UInt64(max(0, now)) / 1_000_000_000
        if second != logWindow {
            logWindow = second
            loggedInWindow = 0
        }
        loggedInWindow += 1
        guard loggedInWindow <= Self.logLimitPerSecond else { return }
        logger.warning("rejected line", metadata: [
            "listener": .string(statistics.name), "error": .string(e.description),
            "text": .string(String(text.prefix(200))),
        ])
    }

    /// The text of line `line` (1-based) of `raw`, for messages.
    static func lineText(_ raw: UnsafeRawBufferPointer, line: Int) -> String {
        var current = 1
        var start = 0
        var i = 0
        let bytes = raw.bindMemory(to: UInt8.self)
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                if current == line { break }
                current += 1
                start = i + 1
            }
            i += 1
        }
        guard current == line, start <= i else { return "" }
        var end = i
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}

/// Nanoseconds since the Unix epoch, now.
public func unixNanosecondsNow() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
