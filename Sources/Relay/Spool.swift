import CZlib
import Foundation
import KafkaDispatch
import Logging
import RelayConfig

/// Where a spooled message lives: segment number and byte offset.
public struct SpoolID: Hashable, Sendable {
    public var segment: Int
    public var offset: Int64
}

/// A durable spool between the rules and librdkafka: every Kafka message is appended (length,
/// CRC-32, JSON) to a segment file before librdkafka gets it, and marked acknowledged (an offset
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
/// `@unchecked Sendable`: every mutable stored property is read and written only while holding
/// `lock` (the `let`s are set in `init`), so no two threads touch them at once.
public final class Spool: @unchecked Sendable {
    /// What a full spool does.
    public enum FullPolicy: String, Sendable {
        /// Wait for acknowledgements (nothing leaves the spool unacknowledged).
        case block
        /// Forget the oldest segment's unacknowledged messages to make room.
        case dropOldest = "drop-oldest"
    }

    /// One spooled message.
    public struct Record: Codable, Sendable {
        public var cluster: String
        public var topic: String
        public var key: Data?
        public var value: Data
        /// `crc32`, `murmur2`, `murmur3`, `fnv-1a` or `random`.
        public var partitioning: String

        public var message: KafkaMessage {
            let p: KafkaPartitioning = partitioning == "random" ? .random : .byKey(KafkaPartitionAlgorithm(rawValue: partitioning) ?? .crc32)
            return KafkaMessage(topic: topic, key: key.map { Array($0) }, value: Array(value), partitioning: p)
        }

        /// The binary payload: version byte 1, then cluster, topic, partitioning, key (length
        /// 0xFFFFFFFF: none) and value, each a big-endian UInt32 length and its bytes. (JSON with
        /// Foundation's encoder cost more than the rest of an alert's path; version 0 records —
        /// JSON, first byte `{` — are still read.)
        static func encode(cluster: String, message m: KafkaMessage) -> [UInt8] {
            var out: [UInt8] = [1]
            out.reserveCapacity(32 + cluster.utf8.count + m.topic.utf8.count + (m.key?.count ?? 0) + m.value.count)
            func put<C: Collection>(_ bytes: C) where C.Element == UInt8 {
                appendBigEndian(UInt32(bytes.count), to: &out)
                out.append(contentsOf: bytes)
            }
            put(cluster.utf8)
            put(m.topic.utf8)
            let partitioning: String
            switch m.partitioning {
            case .byKey(let a): partitioning = a.rawValue
            case .random: partitioning = "random"
            }
            put(partitioning.utf8)
            if let key = m.key { put(key) } else { appendBigEndian(UInt32.max, to: &out) }
            put(m.value)
            return out
        }

        /// Reads a payload written by ``encode(cluster:message:)`` (or a JSON one); nil if malformed.
        static func decode(_ payload: ArraySlice<UInt8>) -> Record? {
            guard let first = payload.first else { return nil }
            if first == UInt8(ascii: "{") { return try? JSONDecoder().decode(Record.self, from: Data(payload)) }
            guard first == 1 else { return nil }
            var i = payload.startIndex + 1
            func length() -> UInt32? {
                guard payload.endIndex - i >= 4 else { return nil }
                defer { i += 4 }
                return bigEndianUInt32(payload, at: i)
            }
            func bytes() -> ArraySlice<UInt8>?? {
                guard let n = length() else { return nil }
                if n == UInt32.max { return .some(nil) }
                guard payload.endIndex - i >= Int(n) else { return nil }
                defer { i += Int(n) }
                return .some(payload[i..<(i + Int(n))])
            }
            guard let c = bytes(), let cluster = c, let t = bytes(), let topic = t, let p = bytes(), let partitioning = p,
                  let key = bytes(), let v = bytes(), let value = v, i == payload.endIndex else { return nil }
            return Record(cluster: String(decoding: cluster, as: UTF8.self), topic: String(decoding: topic, as: UTF8.self),
                          key: key.map { Data($0) }, value: Data(value), partitioning: String(decoding: partitioning, as: UTF8.self))
        }

        init(cluster: String, topic: String, key: Data?, value: Data, partitioning: String) {
            self.cluster = cluster
            self.topic = topic
            self.key = key
            self.value = value
            self.partitioning = partitioning
        }
    }

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
    // Guarded by `lock` (a reload may change them).
    private var maxBytes: Int64
    private var fsyncEach: Bool
    private var policy: FullPolicy
    private var segmentBytes: Int64
    private var droppedCount: UInt64 = 0
    private var blockedCount: UInt64 = 0
    private var unspooledCounts: [String: UInt64] = [:]
    private var ackWriteFailureCount: UInt64 = 0
    /// Signalled when room is freed (a segment removed) or by ``wake()``.
    private let lock = NSCondition()
    private var current = 0
    private var currentFD: Int32 = -1
    private var currentSize: Int64 = 0
    /// Unacknowledged offsets per segment, and each segment's size.
    private var outstanding: [Int: Set<Int64>] = [:]
    private var sizes: [Int: Int64] = [:]
    private var ackFDs: [Int: Int32] = [:]
    /// Bytes each open `.acked` file holds: a short write is cut back to here, so a partial line
    /// can never name another record's offset.
    private var ackSizes: [Int: Int64] = [:]
    /// Acknowledgements not yet on disk (the write failed): written before the next ones, and by
    /// ``sync()``. Lost in a crash, so those messages are sent once more at the next start.
    private var unwrittenAcks: [Int: [Int64]] = [:]
    /// How many of a segment's unwritten acknowledgements `ackWriteFailureCount` already counts.
    private var countedAcks: [Int: Int] = [:]
    /// Segment size: 64 MiB, or an eighth of `max-size` when that is smaller, so dropping the
    /// oldest segment frees a bounded share of the spool.
    static func segmentBytes(maxBytes: Int64) -> Int64 { max(64 << 10, min(64 << 20, maxBytes / 8)) }

    /// Opens (creating) the spool directory and returns the messages not yet acknowledged, oldest first.
    public init(dir: String, maxBytes: Int64, fsyncEach: Bool, policy: FullPolicy = .block, logger: Logger) throws {
        self.dir = dir
        self.maxBytes = maxBytes
        self.fsyncEach = fsyncEach
        self.policy = policy
        segmentBytes = Self.segmentBytes(maxBytes: maxBytes)
        self.logger = logger
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// Applies reloaded `max-size`, `fsync` and `when-full` (the directory cannot change while running).
    public func configure(maxBytes: Int64, fsyncEach: Bool, policy: FullPolicy) {
        lock.lock()
        defer { lock.unlock() }
        self.maxBytes = maxBytes
        self.fsyncEach = fsyncEach
        self.policy = policy
        segmentBytes = Self.segmentBytes(maxBytes: maxBytes)
    }

    /// Messages forgotten by `drop-oldest` so far.
    public var dropped: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return droppedCount
    }

    /// Messages that found the spool full under `block` and waited (counted once each).
    public var blocked: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return blockedCount
    }

    /// Counts one message that waits for room (the pipeline calls it once per waiting message).
    func countBlocked() {
        lock.lock()
        blockedCount += 1
        lock.unlock()
    }

    /// Messages sent without being spooled, by ``Failure/unspooledReason``.
    public var unspooled: [String: UInt64] {
        lock.lock()
        defer { lock.unlock() }
        return unspooledCounts
    }

    /// Counts one message the pipeline sent unspooled because `failure` refused it.
    func countUnspooled(_ failure: Failure) {
        lock.lock()
        unspooledCounts[failure.unspooledReason, default: 0] += 1
        lock.unlock()
    }

    /// Acknowledgements whose write to an `.acked` file failed (each retried until written or
    /// its segment is removed; a crash before that sends the message once more).
    public var ackWriteFailures: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return ackWriteFailureCount
    }

    /// Waits until room may have been freed (a segment removed), ``wake()`` is called, or `deadline`.
    func waitForRoom(until deadline: Date) {
        lock.lock()
        _ = lock.wait(until: deadline)
        lock.unlock()
    }

    /// Wakes a ``waitForRoom(until:)`` (the pipeline has other work: a re-send is due).
    func wake() {
        lock.lock()
        lock.broadcast()
        lock.unlock()
    }

    private func segmentPath(_ n: Int) -> String { dir + "/segment-\(String(format: "%010d", n)).log" }
    private func ackPath(_ n: Int) -> String { dir + "/segment-\(String(format: "%010d", n)).acked" }

    /// Reads every segment; returns unacknowledged records (with their ids) and starts a new segment.
    public func recover() throws -> [(SpoolID, Record)] {
        lock.lock()
        defer { lock.unlock() }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let numbers = names.compactMap { n -> Int? in
            guard n.hasPrefix("segment-"), n.hasSuffix(".log") else { return nil }
            return Int(n.dropFirst(8).dropLast(4))
        }.sorted()
        var pending: [(SpoolID, Record)] = []
        for n in numbers {
            let data = FileManager.default.contents(atPath: segmentPath(n)) ?? Data()
            var acked = Set<Int64>()
            if let a = FileManager.default.contents(atPath: ackPath(n)) {
                for line in a.split(separator: UInt8(ascii: "\n")) { if let o = Int64(String(decoding: line, as: UTF8.self)) { acked.insert(o) } }
            }
            let bytes = [UInt8](data)
            var open: Set<Int64> = []
            let skipped = Self.scan(bytes) { offset, payload in
                if !acked.contains(Int64(offset)), let r = Record.decode(payload) {
                    pending.append((SpoolID(segment: n, offset: Int64(offset)), r))
                    open.insert(Int64(offset))
                }
            }
            for (start, length) in skipped {
                if start + length == bytes.count {
                    logger.warning("spool segment ends in a partial or damaged record (a crash or a full disk while writing); ignored",
                                   metadata: ["segment": .string(segmentPath(n)), "offset": .stringConvertible(start), "bytes": .stringConvertible(length)])
                } else {
                    logger.error("spool segment holds damaged bytes; skipped to the next record whose checksum matches",
                                 metadata: ["segment": .string(segmentPath(n)), "offset": .stringConvertible(start), "bytes": .stringConvertible(length)])
                }
            }
            if open.isEmpty {
                unlink(segmentPath(n))
                unlink(ackPath(n))
            } else {
                outstanding[n] = open
                sizes[n] = Int64(bytes.count)
            }
        }
        current = (numbers.last ?? 0) + 1
        try openCurrent()
        return pending
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
                // A payload is never empty and starts with its version (1) or JSON's `{`: cheap
                // tests that spare most false starts the checksum.
                if length > 0, length <= bytes.count - offset - 8,
                   bytes[offset + 8] == 1 || bytes[offset + 8] == UInt8(ascii: "{") {
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
            return (id, Record.decode(payload[...]))
        }
    }

    private func openCurrent() throws(Failure) {
        currentFD = open(segmentPath(current), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard currentFD >= 0 else {
            let e = errno
            throw .io("cannot open the spool segment \(segmentPath(current)): \(String(cString: strerror(e)))", errno: e)
        }
        currentSize = 0
        sizes[current] = 0
        outstanding[current] = outstanding[current] ?? []
    }

    /// Bytes held by segments with unacknowledged records.
    public var size: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return sizes.values.reduce(0, +)
    }

    /// Appends a message; returns its id. Throws when the spool is over `maxBytes` (the caller
    /// waits for acknowledgements) or the disk refuses.
    public func append(cluster: String, message: KafkaMessage) throws(Failure) -> SpoolID {
        let payload = Record.encode(cluster: cluster, message: message)
        lock.lock()
        defer { lock.unlock() }
        let needed = Int64(payload.count + 8)
        if needed > maxBytes { throw .tooLarge(bytes: needed, maxBytes: maxBytes) }
        if sizes.values.reduce(0, +) + needed > maxBytes {
            guard policy == .dropOldest else { throw .full(maxBytes: maxBytes) }
            try dropOldest(toFit: needed)
        }
        if currentFD < 0 { try openCurrent() }  // an earlier rotation could not open the next segment
        if currentSize >= segmentBytes { try rotate() }
        let crc = Self.checksum(payload[...])
        var record: [UInt8] = []
        record.reserveCapacity(payload.count + 8)
        appendBigEndian(UInt32(payload.count), to: &record)
        appendBigEndian(crc, to: &record)
        record += payload
        let id = SpoolID(segment: current, offset: currentSize)
        if let e = Self.writeAll(currentFD, record) {
            // A short write (disk full) leaves part of a record behind: cut the segment back to its
            // last whole record, so later records do not follow garbage, and start a new segment
            // (if the cut fails, the recovery scan still finds every later record by its checksum).
            let cut = ftruncate(currentFD, off_t(currentSize)) == 0
            if currentSize > 0 || !cut {
                if !cut { currentSize = Int64(lseek(currentFD, 0, SEEK_END)) }
                sizes[current] = currentSize
                try? rotate()
            }
            throw .io("cannot write the spool segment \(segmentPath(id.segment)): \(String(cString: strerror(e)))", errno: e)
        }
        if fsyncEach { fsync(currentFD) }
        currentSize += Int64(record.count)
        sizes[current] = currentSize
        outstanding[current, default: []].insert(id.offset)
        if !unwrittenAcks.isEmpty { retryAcks() }  // the disk took this record: it may take them now
        return id
    }

    /// Writes all of `bytes` (again after a short write, whose cause the second attempt reports);
    /// nil when written, else the `errno`.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
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
        lock.lock()
        defer { lock.unlock() }
        guard outstanding[id.segment]?.remove(id.offset) != nil else { return }
        if outstanding[id.segment]?.isEmpty == true && id.segment != current {
            removeSegment(id.segment)
            return
        }
        if unwrittenAcks.isEmpty, let fd = ackFDs[id.segment], fd >= 0 {
            // The usual case, one line and nothing waiting: no queue in between.
            let line = Array("\(id.offset)\n".utf8)
            if Self.writeAll(fd, line) == nil {
                ackSizes[id.segment, default: 0] += Int64(line.count)
                return
            }
            _ = ftruncate(fd, off_t(ackSizes[id.segment] ?? 0))
            unwrittenAcks[id.segment] = [id.offset]
            countedAcks[id.segment] = 1
            ackWriteFailureCount += 1
            return
        }
        unwrittenAcks[id.segment, default: []].append(id.offset)
        if unwrittenAcks.count == 1 { writeAcks(id.segment) } else { retryAcks() }
    }

    /// Appends the segment's unwritten acknowledgements to its `.acked` file in one write; on a
    /// failure they stay queued (counted) and the file is cut back to its last whole line.
    private func writeAcks(_ segment: Int) {
        guard let offsets = unwrittenAcks[segment], !offsets.isEmpty else { return }
        if ackFDs[segment] == nil || ackFDs[segment]! < 0 {
            let fd = open(ackPath(segment), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            ackFDs[segment] = fd
            if fd >= 0 { ackSizes[segment] = Int64(lseek(fd, 0, SEEK_END)) }
        }
        var text = ""
        for o in offsets { text += "\(o)\n" }
        let bytes = Array(text.utf8)
        // Each acknowledgement is counted once, the first time its write fails.
        let fresh = offsets.count - (countedAcks[segment] ?? 0)
        guard let fd = ackFDs[segment], fd >= 0 else {
            ackFDs[segment] = nil  // opened again next time
            ackWriteFailureCount += UInt64(fresh)
            countedAcks[segment] = offsets.count
            return
        }
        if Self.writeAll(fd, bytes) == nil {
            ackSizes[segment, default: 0] += Int64(bytes.count)
            unwrittenAcks[segment] = nil
            countedAcks[segment] = nil
        } else {
            _ = ftruncate(fd, off_t(ackSizes[segment] ?? 0))
            ackWriteFailureCount += UInt64(fresh)
            countedAcks[segment] = offsets.count
        }
    }

    /// Retries every acknowledgement whose write failed.
    private func retryAcks() {
        for segment in unwrittenAcks.keys.sorted() { writeAcks(segment) }
    }

    private func rotate() throws(Failure) {
        if currentFD >= 0 { close(currentFD) }
        currentFD = -1
        if outstanding[current]?.isEmpty ?? true { removeSegment(current) }
        current += 1
        try openCurrent()
    }

    /// drop-oldest: removes whole segments, oldest first, until `needed` bytes fit (the current
    /// segment is closed and replaced when it is the last one left). Counted and logged.
    private func dropOldest(toFit needed: Int64) throws(Failure) {
        var droppedNow = 0
        while sizes.values.reduce(0, +) + needed > maxBytes {
            guard let oldest = sizes.keys.min() else { break }
            if oldest == current {
                guard currentSize > 0 else { break }  // empty: one record bigger than max-size
                let n = current
                try rotate()
                if sizes[n] == nil { continue }  // it held nothing unacknowledged
            }
            droppedNow += outstanding[oldest]?.count ?? 0
            removeSegment(oldest)
        }
        droppedCount += UInt64(droppedNow)
        if droppedNow > 0 {
            logger.warning("spool full: the oldest unacknowledged messages are no longer kept across a crash (when-full = drop-oldest)",
                           metadata: ["dropped": .stringConvertible(droppedNow), "max-size": .stringConvertible(maxBytes)])
        }
        if sizes.values.reduce(0, +) + needed > maxBytes { throw .full(maxBytes: maxBytes) }
    }

    /// CRC-32 (IEEE, zlib's implementation) of a record's payload.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { UInt32(truncatingIfNeeded: crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }

    private func removeSegment(_ n: Int) {
        if let fd = ackFDs.removeValue(forKey: n), fd >= 0 { close(fd) }
        unlink(segmentPath(n))
        unlink(ackPath(n))
        outstanding[n] = nil
        sizes[n] = nil
        ackSizes[n] = nil
        unwrittenAcks[n] = nil
        countedAcks[n] = nil
        lock.broadcast()
    }

    /// Writes acknowledgements that failed before, and flushes the current segment to disk.
    public func sync() {
        lock.lock()
        defer { lock.unlock() }
        retryAcks()
        if currentFD >= 0 { fsync(currentFD) }
    }
}

extension Spool {
    /// The spool a `[spool]` section with a `dir` asks for.
    convenience init(_ c: SpoolConfig, logger: Logger) throws {
        try self.init(dir: c.dir, maxBytes: Int64(c.maxSize), fsyncEach: c.fsync == "always",
                      policy: FullPolicy(rawValue: c.whenFull) ?? .block, logger: logger)
    }

    /// Applies a reloaded `[spool]` section's `max-size`, `fsync` and `when-full`.
    func configure(_ c: SpoolConfig) {
        configure(maxBytes: Int64(c.maxSize), fsyncEach: c.fsync == "always", policy: FullPolicy(rawValue: c.whenFull) ?? .block)
    }
}

/// Appends `n` as four big-endian bytes (spool record lengths, checksums and fields).
private func appendBigEndian(_ n: UInt32, to out: inout [UInt8]) {
    out += [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
}

/// The big-endian `UInt32` at `i` (the caller checked that four bytes are there).
private func bigEndianUInt32<C: RandomAccessCollection<UInt8>>(_ bytes: C, at i: C.Index) -> UInt32 where C.Index == Int {
    UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
}
