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
/// at-least-once across SIGKILL (a message acknowledged just before a crash may be sent twice).
///
/// Bounded by `max-size`; when full, `when-full` decides: `block` (the rule engine waits for
/// acknowledgements) or `drop-oldest` (the oldest segment is forgotten: its messages stay in
/// librdkafka's queue but are no longer kept across a crash). Both are counted.
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
        /// The disk or the encoder refused.
        case io(String)

        public var description: String {
            switch self {
            case .full(let max): return "spool full (max-size \(max) bytes)"
            case .io(let reason): return reason
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
    private let lock = NSLock()
    private var current = 0
    private var currentFD: Int32 = -1
    private var currentSize: Int64 = 0
    /// Unacknowledged offsets per segment, and each segment's size.
    private var outstanding: [Int: Set<Int64>] = [:]
    private var sizes: [Int: Int64] = [:]
    private var ackFDs: [Int: Int32] = [:]
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
            var offset = 0
            var open: Set<Int64> = []
            while offset + 8 <= bytes.count {
                let length = Int(bigEndianUInt32(bytes, at: offset))
                let crc = bigEndianUInt32(bytes, at: offset + 4)
                guard offset + 8 + length <= bytes.count else {
                    logger.warning("spool segment ends in a partial record (a crash while writing); ignored", metadata: ["segment": .string(segmentPath(n))])
                    break
                }
                let payload = bytes[(offset + 8)..<(offset + 8 + length)]
                if Self.checksum(payload) != crc {
                    logger.error("spool record fails its checksum; skipped", metadata: ["segment": .string(segmentPath(n)), "offset": .stringConvertible(offset)])
                } else if !acked.contains(Int64(offset)), let r = Record.decode(payload) {
                    pending.append((SpoolID(segment: n, offset: Int64(offset)), r))
                    open.insert(Int64(offset))
                }
                offset += 8 + length
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

    private func openCurrent() throws {
        currentFD = open(segmentPath(current), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard currentFD >= 0 else { throw Failure.io("cannot open \(segmentPath(current)): \(String(cString: strerror(errno)))") }
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
        if needed > maxBytes { throw .io("message of \(needed) bytes is larger than the spool's max-size \(maxBytes)") }
        if sizes.values.reduce(0, +) + needed > maxBytes {
            guard policy == .dropOldest else { throw .full(maxBytes: maxBytes) }
            try dropOldest(toFit: needed)
        }
        if currentSize >= segmentBytes { try rotate() }
        let crc = Self.checksum(payload[...])
        var record: [UInt8] = []
        record.reserveCapacity(payload.count + 8)
        appendBigEndian(UInt32(payload.count), to: &record)
        appendBigEndian(crc, to: &record)
        record += payload
        let id = SpoolID(segment: current, offset: currentSize)
        let written = record.withUnsafeBytes { write(currentFD, $0.baseAddress, $0.count) }
        guard written == record.count else { throw Failure.io("cannot write the spool: \(String(cString: strerror(errno)))") }
        if fsyncEach { fsync(currentFD) }
        currentSize += Int64(record.count)
        sizes[current] = currentSize
        outstanding[current, default: []].insert(id.offset)
        return id
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
        if ackFDs[id.segment] == nil {
            ackFDs[id.segment] = open(ackPath(id.segment), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        }
        if let fd = ackFDs[id.segment], fd >= 0 {
            let line = Array("\(id.offset)\n".utf8)
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }

    private func rotate() throws(Failure) {
        close(currentFD)
        if outstanding[current]?.isEmpty ?? true { removeSegment(current) }
        current += 1
        do { try openCurrent() } catch { throw Failure.io("\(error)") }
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
    }

    /// Flushes the current segment to disk.
    public func sync() {
        lock.lock()
        defer { lock.unlock() }
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
