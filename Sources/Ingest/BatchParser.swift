import Logging
import LineProtocol
import NIOCore

/// A rejected line as listeners report it: the parser's error and the line's text.
struct RejectedLine: Sendable, Equatable {
    var error: LineProtocolError
    var text: String
}

/// Parses a buffer of line protocol into a batch, counting and logging rejected lines, so that one
/// bad line never costs the good ones beside it.
///
/// A rejected line costs its own parse and no more: its text is made from the error's span, and
/// only for the lines that are logged (rate-limited) or kept (at most `keepErrors`).
struct BatchParser {
    let parser: LineProtocolParser
    let statistics: ListenerStatistics
    let logger: Logger
    /// Log at most this many rejected lines per second per listener; all are counted.
    static let logLimitPerSecond = 10
    /// Log at most this many bytes of a rejected line's text.
    static let logTextLimit = 200

    private var logWindow: UInt64 = 0
    private var loggedInWindow = 0

    init(precision: Precision, statistics: ListenerStatistics, logger: Logger) {
        self.parser = LineProtocolParser(precision: precision)
        self.statistics = statistics
        self.logger = logger
    }

    /// Parses `buffer`; returns the accepted points, the first `keepErrors` rejected lines and how
    /// many lines were rejected in all.
    mutating func parse(_ buffer: ByteBuffer, now: Int64, keepErrors: Int = 0) -> (points: [Point], errors: [RejectedLine], rejected: Int) {
        var points: [Point] = []
        var errors: [RejectedLine] = []
        let rejected = buffer.withUnsafeReadableBytes { raw in parse(raw, now: now, into: &points, errors: &errors, keepErrors: keepErrors) }
        return (points, errors, rejected)
    }

    /// Parses `raw`, appending the accepted points to `points` (and the first `keepErrors`
    /// rejected lines to `errors`); returns how many lines were rejected. With a `session` (a
    /// reading thread's, made from this parser's ``parser``), its scratch buffers and recycled
    /// point storage are used.
    mutating func parse(_ raw: UnsafeRawBufferPointer, now: Int64, into points: inout [Point], errors: inout [RejectedLine],
                        keepErrors: Int = 0, session: LineProtocolSession? = nil) -> Int {
        var rejected = 0
        let before = points.count
        func reject(_ e: LineProtocolError) {
            rejected += 1
            if errors.count < keepErrors { errors.append(RejectedLine(error: e, text: Self.text(raw, e.span))) }
            logRejected(e, raw, now: now)
        }
        if let session {
            session.parse(raw, defaultTime: now, into: &points, rejected: reject)
        } else {
            parser.parse(raw, defaultTime: now, into: &points, rejected: reject)
        }
        statistics.accepted.add(UInt64(points.count - before), ordering: .relaxed)
        if rejected > 0 { statistics.rejected.add(UInt64(rejected), ordering: .relaxed) }
        return rejected
    }

    private mutating func logRejected(_ e: LineProtocolError, _ raw: UnsafeRawBufferPointer, now: Int64) {
        let second = UInt64(max(0, now)) / 1_000_000_000
        if second != logWindow {
            logWindow = second
            loggedInWindow = 0
        }
        loggedInWindow += 1
        guard loggedInWindow <= Self.logLimitPerSecond else { return }
        let span = e.span.lowerBound..<min(e.span.upperBound, e.span.lowerBound + Self.logTextLimit)
        logger.warning("rejected line", metadata: [
            "listener": .string(statistics.name), "error": .string(e.description),
            "text": .string(Self.text(raw, span)),
        ])
    }

    /// The bytes of `raw` at `span` as text (invalid UTF-8 repaired).
    static func text(_ raw: UnsafeRawBufferPointer, _ span: Range<Int>) -> String {
        let bounded = span.clamped(to: 0..<raw.count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[bounded]), as: UTF8.self)
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
