#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a line-protocol stream that arrives in pieces (a TCP connection) into whole records,
/// ending each where InfluxDB's line scan would end it in the whole stream, in work linear in the
/// stream however its bytes are cut: a record's scan stops where the bytes run out and goes on
/// from there when more arrive.
///
/// A record may hold newlines (in a quoted string value, or escaped). One longer than
/// `maxRecordLength` bytes (without its newline) is rejected without being held whole:
/// - when its first `maxRecordLength + 1` bytes hold newlines, it is handed on up to the last of
///   them, and the scan starts afresh after it. The parser finds no end to it there and takes it
///   line by line, so the lines an unterminated quote swallowed are kept and only its own line is
///   rejected (as on UDP and HTTP, where the datagram or body ends it);
/// - otherwise it is skipped up to the next newline.
///
/// The steps depend only on the stream's bytes, never on how they were cut, except that a record
/// is handed on with others that had arrived before it was asked for (unless `oneRecordPerStep`).
///
/// ```swift
/// var splitter = LineStreamSplitter(maxRecordLength: 1 << 20)
/// switch buffer.withUnsafeBytes({ splitter.next($0, atEnd: false) }) {
/// case .records(let count): parse(buffer.prefix(count)); buffer.removeFirst(count)
/// case .skip(let count, let lineLength): buffer.removeFirst(count); if let lineLength { reject(lineLength) }
/// case .needMore: break
/// }
/// ```
public struct LineStreamSplitter: Sendable {
    /// What to do with the front of the bytes not yet consumed.
    public enum Step: Sendable, Equatable {
        /// No whole record yet: wait for more bytes.
        case needMore
        /// Hand on the first `count` bytes (whole records) and consume them.
        case records(Int)
        /// Consume the first `count` bytes, part of a record too long to hand on; `lineLength` is
        /// its whole length (with its newline) once its end is among them.
        case skip(Int, lineLength: Int?)
    }

    /// The longest record handed on, in bytes without its newline.
    public let maxRecordLength: Int
    /// Hand on one record per step instead of all the whole records at hand.
    public var oneRecordPerStep: Bool
    /// The scan of the record at the front of the unconsumed bytes, which goes on at `resume`.
    private var state = Scan.LineState()
    private var resume = 0
    /// Bytes of a too-long record skipped so far, while its end is sought.
    private var skipped: Int?

    /// A splitter for records of at most `maxRecordLength` bytes.
    public init(maxRecordLength: Int, oneRecordPerStep: Bool = false) {
        self.maxRecordLength = max(0, maxRecordLength)
        self.oneRecordPerStep = oneRecordPerStep
    }

    /// The next step for `bytes`, the stream's bytes not consumed yet (the same bytes as the last
    /// call, less what its step consumed, plus what arrived since); `atEnd` when no more follow.
    public mutating func next(_ bytes: UnsafeRawBufferPointer, atEnd: Bool) -> Step {
        let b = bytes.bindMemory(to: UInt8.self)
        let n = b.count
        if let done = skipped { return skipLine(b, done, atEnd: atEnd) }
        var recordStart = 0
        var whole = 0
        while true {
            let windowFull = n - recordStart > maxRecordLength
            let limit = windowFull ? recordStart + maxRecordLength + 1 : n
            let end: Int
            if resume == recordStart, let plain = Self.plainLine(b, recordStart, limit) {
                end = plain
            } else {
                end = Scan.line(b, resume, limit, n, &state, final: atEnd)
            }
            if end < limit && b[end] == Scan.nl {
                whole = end + 1
                recordStart = whole
                resume = whole
                state = Scan.LineState()
                if oneRecordPerStep { break }
                continue
            }
            if end < limit {
                // A backslash whose meaning the next bytes decide.
                resume = end
                break
            }
            if windowFull {
                if whole > 0 {
                    resume = end  // records first; this one is taken up at the next step
                    break
                }
                let lastNewline = state.lastNewline
                state = Scan.LineState()
                resume = 0
                if lastNewline >= 0 { return .records(lastNewline + 1) }
                return skipLine(b, 0, atEnd: atEnd)
            }
            if atEnd {
                // The last record, without a newline or with an open quote.
                if n > recordStart { whole = n }
                state = Scan.LineState()
                resume = n
            } else {
                resume = end
            }
            break
        }
        guard whole > 0 else { return .needMore }
        resume -= whole
        if state.lastNewline >= 0 { state.lastNewline -= whole }
        return .records(whole)
    }

    /// Skips the too-long record at the front up to its next newline, `done` bytes of it skipped
    /// before.
    private mutating func skipLine(_ b: Scan.Bytes, _ done: Int, atEnd: Bool) -> Step {
        let n = b.count
        if n > 0, let base = b.baseAddress, let nl = memchr(base, Int32(Scan.nl), n) {
            let count = UnsafeRawPointer(nl) - UnsafeRawPointer(base) + 1
            skipped = nil
            return .skip(count, lineLength: done + count)
        }
        if atEnd {
            skipped = nil
            return .skip(n, lineLength: done + n)
        }
        skipped = done + n
        return n == 0 ? .needMore : .skip(n, lineLength: nil)
    }

    /// The newline that ends the record at `s`, when one is before `limit` and nothing before it
    /// (no quote, no backslash) can keep it inside the record; else nil.
    @inline(__always)
    static func plainLine(_ b: Scan.Bytes, _ s: Int, _ limit: Int) -> Int? {
        guard limit > s, let base = b.baseAddress, let nl = memchr(base + s, Int32(Scan.nl), limit - s) else { return nil }
        let end = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
        let length = end - s
        guard memchr(base + s, Int32(Scan.quote), length) == nil && memchr(base + s, Int32(Scan.bs), length) == nil else { return nil }
        return end
    }
}
