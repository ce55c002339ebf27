import CZlib
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
import Locking
import KafkaDispatch
import Logging
import RelayConfig

/// Where a spooled message lives: segment number and byte offset.
public struct SpoolID: Hashable, Sendable {
    public var segment: Int
    public var offset: Int64
}

/// A durable spool between the rules and the outputs: every record (Kafka message, post, tcp line)
/// is appended (length, CRC-32, payload) to a segment file before its output gets it — an engine
/// turn's records in one `write` (``stage(_:)``, ``writeStaged()``) —, and marked acknowledged (an offset
/// appended to the segment's `.acked` file) when its delivery report comes. A segment whose
/// records are all acknowledged is deleted. At start, what was not acknowledged is sent again:
/// at-least-once across SIGKILL. A crash sends again only messages whose acknowledgement was not
/// yet on disk: with `fsync = "os"` the ones whose `.acked` line had not been written (normally
/// none, since the line is written as the report arrives; on a full disk, every acknowledgement
/// still waiting for room, counted in ``ackWriteFailures``); with a power loss also the lines the
/// kernel had not written back.
///
/// A full disk does not corrupt a segment: a short write is cut back to the last whole record
/// and the next record goes to a new segment; the refused message is sent unspooled (counted by
/// the pipeline). Recovery skips damaged bytes to the next record whose checksum matches.
///
/// Bounded by `max-size`; when full, `when-full` decides: `block` (the rule engine waits for
/// acknowledgements) or `drop-oldest` (the oldest segment is forgotten: its messages stay in
/// librdkafka's queue but are no longer kept across a crash). Both are counted.
///
/// Its files and bookkeeping (``SpoolSegments``) sit behind one lock: each call runs alone.
public final class Spool: Sendable {
    /// What a full spool does (`[spool] when-full`).
    public typealias FullPolicy = SpoolConfig.WhenFull


    /// One spooled record (see ``SpoolRecordCoding`` for its bytes).
    public typealias Record = OutputRecord

    /// Why the spool could not take a message.
    public enum Failure: Error, CustomStringConvertible {
        /// Over `max-size`: wait for acknowledgements.
        case full(maxBytes: Int64)
        /// One message needs more room than the whole spool has.
        case tooLarge(bytes: Int64, maxBytes: Int64)
        /// The disk refused: `errno` says why (`ENOSPC`, `EROFS`, `EMFILE`, ...).
        case io(String, errno: Int32)

        public var description: String {
            switch self {
            case .full(let max): return "spool full (max-size \(max) bytes)"
            case .tooLarge(let n, let max): return "message of \(n) bytes is larger than the spool's max-size \(max); raise [spool] max-size"
            case .io(let reason, _): return reason
            }
        }

        /// The `reason` label of `alertrelay_spool_unspooled_total` for a message this failure
        /// sends unspooled: `disk-full`, `read-only`, `descriptors`, `too-large` or `io-error`.
        public var unspooledReason: String {
            switch self {
            case .full: return "full"
            case .tooLarge: return "too-large"
            case .io(_, let e):
                switch e {
                case ENOSPC, EDQUOT, EFBIG: return "disk-full"
                case EROFS: return "read-only"
                case EMFILE, ENFILE: return "descriptors"
                default: return "io-error"
                }
            }
        }
    }

    let dir: String
    let logger: Logger
    private let segments: ConditionLocked<SpoolSegments>

    /// Segment size: 64 MiB, or an eighth of `max-size` when that is smaller, so dropping the
    /// oldest segment frees a bounded share of the spool.
    static func segmentBytes(maxBytes: Int64) -> Int64 { max(64 << 10, min(64 << 20, maxBytes / 8)) }

    /// Opens (creating) the spool directory and returns the messages not yet acknowledged, oldest first.
    public init(dir: String, maxBytes: Int64, fsyncEach: Bool, policy: FullPolicy = .block, logger: Logger) throws {
        self.dir = dir
        self.logger = logger
        segments = ConditionLocked(SpoolSegments(dir: dir, maxBytes: maxBytes, fsyncEach: fsyncEach, policy: policy, logger: logger))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// Applies reloaded `max-size`, `fsync` and `when-full` (the directory cannot change while running).
    public func configure(maxBytes: Int64, fsyncEach: Bool, policy: FullPolicy) {
        segments.withLock { $0.configure(maxBytes: maxBytes, fsyncEach: fsyncEach, policy: policy) }
    }

    /// Messages forgotten by `drop-oldest` so far.
    public var dropped: UInt64 { segments.withLock { $0.droppedCount } }

    /// Messages that found the spool full under `block` and waited (counted once each).
    public var blocked: UInt64 { segments.withLock { $0.blockedCount } }

    /// Counts one message that waits for room (the pipeline calls it once per waiting message).
    func countBlocked() { segments.withLock { $0.blockedCount += 1 } }

    /// Messages sent without being spooled, by ``Failure/unspooledReason``.
    public var unspooled: [String: UInt64] { segments.withLock { $0.unspooledCounts } }

    /// Counts one message the pipeline sent unspooled because `failure` refused it.
    func countUnspooled(_ failure: Failure) { segments.withLock { $0.unspooledCounts[failure.unspooledReason, default: 0] += 1 } }

    /// Acknowledgements whose write to an `.acked` file failed (each retried until written or
    /// its segment is removed; a crash before that sends the message once more).
    public var ackWriteFailures: UInt64 { segments.withLock { $0.ackWriteFailureCount } }

    /// Waits until room may have been freed (a segment removed), ``wake()`` is called, or `deadline`.
    func waitForRoom(until deadline: Date) {
        let seen = segments.withLock { $0.roomGeneration }
        let timeout = Duration.milliseconds(Int64(max(0, deadline.timeIntervalSinceNow) * 1000))
        segments.wait(timeout: timeout, until: { $0.roomGeneration == seen }) { _, _ in }
    }

    /// Wakes a ``waitForRoom(until:)`` (the pipeline has other work: a re-send is due).
    func wake() {
        segments.withLock { $0.roomGeneration &+= 1 }
        segments.broadcast()
    }

    /// Runs `change` on the segments, waking a wait for room if it freed some.
    private func changing<T, E: Error>(_ change: (inout SpoolSegments) throws(E) -> T) throws(E) -> T {
        var freed = false
        let result = try segments.withLock { (s) throws(E) -> T in
            let before = s.roomGeneration
            defer { freed = s.roomGeneration != before }
            return try change(&s)
        }
        if freed { segments.broadcast() }
        return result
    }

    private func segmentPath(_ n: Int) -> String { dir + "/segment-\(zeroPadded(n, 10)).log" }

    /// Reads every segment; returns unacknowledged records (with their ids) and starts a new segment.
    public func recover() throws -> [(SpoolID, Record)] {
        try changing { s in try s.recover() }
    }

    /// Every record in `bytes` whose length fits and whose checksum matches, in order, given to
    /// `record` with its offset; returns the byte ranges (start, length) that held none. After a
    /// damaged or partial record (a short write, a torn page) the scan moves on byte by byte to the
    /// next offset where a whole record checks out, so one bad record costs only itself.
    static func scan(_ bytes: [UInt8], _ record: (Int, ArraySlice<UInt8>) -> Void) -> [(Int, Int)] {
        var skipped: [(Int, Int)] = []
        var badSince: Int?
        var offset = 0
        while offset < bytes.count {
            if offset + 8 <= bytes.count {
                let length = Int(bigEndianUInt32(bytes, at: offset))
                // A payload is never empty and starts with its version (2, 1) or JSON's `{`: cheap
                // tests that spare most false starts the checksum.
                if length > 0, length <= bytes.count - offset - 8,
                   SpoolRecordCoding.versions.contains(bytes[offset + 8]) {
                    let payload = bytes[(offset + 8)..<(offset + 8 + length)]
                    if checksum(payload) == bigEndianUInt32(bytes, at: offset + 4) {
                        if let start = badSince { skipped.append((start, offset - start)) }
                        badSince = nil
                        record(offset, payload)
                        offset += 8 + length
                        continue
                    }
                }
            }
            if badSince == nil { badSince = offset }
            offset += 1
        }
        if let start = badSince { skipped.append((start, bytes.count - start)) }
        return skipped
    }

    /// A spooled record read back (a re-send after a failed delivery); nil when its segment is
    /// gone (dropped by `drop-oldest`) or it does not read back whole.
    public func read(_ ids: [SpoolID]) -> [(SpoolID, Record?)] {
        var fds: [Int: Int32] = [:]
        defer { for fd in fds.values where fd >= 0 { close(fd) } }
        return ids.map { id in
            let fd: Int32
            if let open = fds[id.segment] { fd = open } else {
                fd = open(segmentPath(id.segment), O_RDONLY | O_CLOEXEC)
                fds[id.segment] = fd
            }
            guard fd >= 0 else { return (id, nil) }
            var header = [UInt8](repeating: 0, count: 8)
            guard header.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, 8, off_t(id.offset)) }) == 8 else { return (id, nil) }
            let length = Int(bigEndianUInt32(header, at: 0))
            var payload = [UInt8](repeating: 0, count: length)
            guard payload.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, length, off_t(id.offset + 8)) }) == length,
                  Self.checksum(payload[...]) == bigEndianUInt32(header, at: 4) else { return (id, nil) }
            return (id, SpoolRecordCoding.decode(payload[...]))
        }
    }

    /// Bytes held by segments with unacknowledged records.
    public var size: Int64 { segments.withLock { $0.size } }

    /// Why the last message could not be written to disk, until one is again (nil: writable).
    public var lastWriteFailure: String? { segments.withLock { $0.lastWriteFailure } }

    /// Appends a Kafka message for `cluster`.
    public func append(cluster: String, message: KafkaMessage) throws(Failure) -> SpoolID {
        try append(OutputRecord(cluster: cluster, message: message))
    }

    /// Appends a record; returns its id. Throws when the spool is over `maxBytes` (the caller
    /// waits for acknowledgements) or the disk refuses.
    public func append(_ record: OutputRecord) throws(Failure) -> SpoolID {
        let payload = SpoolRecordCoding.encode(record)
        return try placing { (s) throws(Failure) in try s.append(payload) }
    }

    /// Gives a record its id and place in the current segment, to be written with the others
    /// staged before ``writeStaged()`` (one `write` for an engine turn's records instead of one
    /// per record). Its output must not get it before that write: only what is on disk is kept
    /// across a crash. Throws as ``append(_:)`` does when the spool is full or a segment cannot
    /// be opened.
    public func stage(_ record: OutputRecord) throws(Failure) -> SpoolID {
        let payload = SpoolRecordCoding.encode(record)
        return try placing { (s) throws(Failure) in try s.stage(payload) }
    }

    /// Runs `place` (an append or a stage) under the lock; a disk error it throws is also kept as
    /// the last write failure, which the status page and `/ready` report.
    private func placing(_ place: (inout SpoolSegments) throws(Failure) -> SpoolID) throws(Failure) -> SpoolID {
        try changing { (s) throws(Failure) -> SpoolID in
            do throws(Failure) {
                return try place(&s)
            } catch {
                if case .io = error { s.lastWriteFailure = error.description }
                throw error
            }
        }
    }

    /// Writes every staged record in one `write` (and `fsync`s once with `fsync = "always"`).
    /// Returns the records the disk refused — no longer spooled: their outputs get them
    /// unspooled — and why; nil when all were written (or none was staged).
    public func writeStaged() -> (ids: [SpoolID], failure: Failure)? {
        changing { $0.writeStaged() }
    }

    /// Writes all of `bytes` (again after a short write, whose cause the second attempt reports);
    /// nil when written, else the `errno`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }
                done += n
            }
            return nil
        }
    }

    /// Marks a message delivered (or handed to the dead-letter file).
    public func ack(_ id: SpoolID) {
        changing { $0.ack(id) }
    }

    /// Acknowledges records delivered together (one delivery event): one lock, and one write
    /// per segment they are in.
    public func ack(_ ids: [SpoolID]) {
        changing { $0.ack(ids) }
    }

    /// CRC-32 (IEEE, zlib's implementation) of a record's payload.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(truncatingIfNeeded: crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }

    /// Writes acknowledgements that failed before, and flushes the current segment to disk.
    public func sync() {
        segments.withLock { $0.sync() }
    }
}

extension Spool {
    /// The spool a `[spool]` section with a `dir` asks for.
    convenience init(_ c: SpoolConfig, logger: Logger) throws {
        try self.init(dir: c.dir, maxBytes: Int64(c.maxSize), fsyncEach: c.fsync == .always,
                      policy: c.whenFull, logger: logger)
    }

    /// Applies a reloaded `[spool]` section's `max-size`, `fsync` and `when-full`.
    func configure(_ c: SpoolConfig) {
        configure(maxBytes: Int64(c.maxSize), fsyncEach: c.fsync == .always, policy: c.whenFull)
    }
}

/// Appends `n` as four big-endian bytes (spool record lengths, checksums and fields).
func appendBigEndian(_ n: UInt32, to out: inout [UInt8]) {
    // Byte by byte: an array literal here would be an allocation per field of every record.
    out.append(UInt8(n >> 24))
    out.append(UInt8(n >> 16 & 0xff))
    out.append(UInt8(n >> 8 & 0xff))
    out.append(UInt8(n & 0xff))
}

/// The big-endian `UInt32` at `i` (the caller checked that four bytes are there).
func bigEndianUInt32<C: RandomAccessCollection<UInt8>>(_ bytes: C, at i: C.Index) -> UInt32 where C.Index == Int {
    UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
}
