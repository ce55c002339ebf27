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
import Logging

/// The spool's files and bookkeeping: the segment being written, the unacknowledged offsets and
/// size of every segment, the `.acked` files, the counters. Always used behind ``Spool``'s lock,
/// so each method runs alone.
struct SpoolSegments: Sendable {
    let dir: String
    let logger: Logger
    // A reload may change these four.
    var maxBytes: Int64
    var fsyncEach: Bool
    var policy: Spool.FullPolicy
    var segmentBytes: Int64
    var droppedCount: UInt64 = 0
    var blockedCount: UInt64 = 0
    var unspooledCounts: [String: UInt64] = [:]
    var ackWriteFailureCount: UInt64 = 0
    var current = 0
    var currentFD: Int32 = -1
    var currentSize: Int64 = 0
    /// Unacknowledged offsets per segment, and each segment's size.
    var outstanding: [Int: Set<Int64>] = [:]
    var sizes = SpoolSegmentSizes()
    var ackFDs: [Int: Int32] = [:]
    /// Bytes each open `.acked` file holds: a short write is cut back to here, so a partial line
    /// can never name another record's offset.
    var ackSizes: [Int: Int64] = [:]
    /// Acknowledgements not yet on disk (the write failed): written before the next ones, and by
    /// ``sync()``. Lost in a crash, so those messages are sent once more at the next start.
    var unwrittenAcks: [Int: [Int64]] = [:]
    /// How many of a segment's unwritten acknowledgements `ackWriteFailureCount` already counts.
    var countedAcks: [Int: Int] = [:]
    /// Bumped when room is freed (a segment removed) or the engine is woken: what a wait for
    /// room waits on (a generation, so a wake-up between the check and the wait is not lost).
    var roomGeneration: UInt64 = 0
    /// Why the last append could not be written, until one succeeds again (`/ready`).
    var lastWriteFailure: String?
    /// Records given their ids by ``stage(_:)`` but not yet written (headers and payloads, in
    /// order, at the end of the current segment): ``writeStaged()`` writes them in one `write`.
    /// Counted in the segment's size and outstanding offsets already.
    var staged: [UInt8] = []
    var stagedOffsets: [Int64] = []
    /// Staged records a write could not take (not on disk, no longer outstanding), and why,
    /// until ``writeStaged()`` reports them.
    var stagedFailures: [SpoolID] = []
    var stagedFailure: Spool.Failure?

    init(dir: String, maxBytes: Int64, fsyncEach: Bool, policy: Spool.FullPolicy, logger: Logger) {
        self.dir = dir
        self.maxBytes = maxBytes
        self.fsyncEach = fsyncEach
        self.policy = policy
        segmentBytes = Spool.segmentBytes(maxBytes: maxBytes)
        self.logger = logger
    }

    mutating func configure(maxBytes: Int64, fsyncEach: Bool, policy: Spool.FullPolicy) {
        self.maxBytes = maxBytes
        self.fsyncEach = fsyncEach
        self.policy = policy
        segmentBytes = Spool.segmentBytes(maxBytes: maxBytes)
    }

    func segmentPath(_ n: Int) -> String { dir + "/segment-\(zeroPadded(n, 10)).log" }
    func ackPath(_ n: Int) -> String { dir + "/segment-\(zeroPadded(n, 10)).acked" }

    /// Reads every segment; returns unacknowledged records (with their ids) and starts a new segment.
    mutating func recover() throws -> [(SpoolID, Spool.Record)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let numbers = names.compactMap { n -> Int? in
            guard n.hasPrefix("segment-"), n.hasSuffix(".log") else { return nil }
            return Int(n.dropFirst(8).dropLast(4))
        }.sorted()
        var pending: [(SpoolID, Spool.Record)] = []
        for n in numbers {
            let data = FileManager.default.contents(atPath: segmentPath(n)) ?? Data()
            var acked = Set<Int64>()
            if let a = FileManager.default.contents(atPath: ackPath(n)) {
                for line in a.split(separator: UInt8(ascii: "\n")) { if let o = Int64(String(decoding: line, as: UTF8.self)) { acked.insert(o) } }
            }
            let bytes = [UInt8](data)
            var open: Set<Int64> = []
            let skipped = Spool.scan(bytes) { offset, payload in
                if !acked.contains(Int64(offset)), let r = SpoolRecordCoding.decode(payload) {
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

    mutating func openCurrent() throws(Spool.Failure) {
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
    var size: Int64 { sizes.total }

    /// Appends a message and writes it (with any staged before it); returns its id. Throws when
    /// the spool is over `maxBytes` (the caller waits for acknowledgements) or the disk refuses.
    mutating func append(_ payload: [UInt8]) throws(Spool.Failure) -> SpoolID {
        let id = try stage(payload)
        writeOut()
        if stagedFailures.last == id, let failure = stagedFailure {
            stagedFailures.removeLast()
            if stagedFailures.isEmpty { stagedFailure = nil }
            throw failure
        }
        return id
    }

    /// Gives a message its id and room at the end of the current segment without writing it
    /// yet: ``writeStaged()`` writes every staged message in one `write` (an engine turn's). A
    /// crash before that loses them, and their outputs have not had them: they go out only after it.
    /// Throws when the spool is over `maxBytes` or a segment cannot be opened.
    mutating func stage(_ payload: [UInt8]) throws(Spool.Failure) -> SpoolID {
        let needed = Int64(payload.count + 8)
        if needed > maxBytes { throw .tooLarge(bytes: needed, maxBytes: maxBytes) }
        if sizes.total + needed > maxBytes {
            guard policy == .dropOldest else { throw .full(maxBytes: maxBytes) }
            try dropOldest(toFit: needed)
        }
        if currentFD < 0 { try openCurrent() }  // an earlier rotation could not open the next segment
        if currentSize >= segmentBytes { try rotate() }
        let crc = Spool.checksum(payload[...])
        if staged.isEmpty { staged.reserveCapacity(payload.count + 8) }
        appendBigEndian(UInt32(payload.count), to: &staged)
        appendBigEndian(crc, to: &staged)
        staged += payload
        let id = SpoolID(segment: current, offset: currentSize)
        stagedOffsets.append(id.offset)
        currentSize += needed
        sizes[current] = currentSize
        outstanding[current, default: []].insert(id.offset)
        return id
    }

    /// Writes the staged messages; returns those the disk refused (no longer held: they are not
    /// kept across a crash) and why, or nil when all were written.
    mutating func writeStaged() -> (ids: [SpoolID], failure: Spool.Failure)? {
        writeOut()
        guard let failure = stagedFailure else { return nil }
        defer {
            stagedFailures = []
            stagedFailure = nil
        }
        return (stagedFailures, failure)
    }

    /// The staged messages' one write. A short write (disk full) leaves part of a record behind:
    /// the segment is cut back to its last whole record, so later records do not follow garbage,
    /// and a new segment started (if the cut fails, the recovery scan still finds every later
    /// record by its checksum); the refused messages are kept for ``writeStaged()`` to report.
    private mutating func writeOut() {
        guard !staged.isEmpty else { return }
        defer {
            // A storm's turn may stage megabytes: that much is not kept for the next turn.
            staged.removeAll(keepingCapacity: staged.capacity <= 256 << 10)
            stagedOffsets.removeAll(keepingCapacity: true)
        }
        let start = currentSize - Int64(staged.count)
        if let e = Spool.writeAll(currentFD, staged) {
            let segment = current
            for o in stagedOffsets {
                outstanding[segment]?.remove(o)
                stagedFailures.append(SpoolID(segment: segment, offset: o))
            }
            let failure = Spool.Failure.io("cannot write the spool segment \(segmentPath(segment)): \(String(cString: strerror(e)))", errno: e)
            stagedFailure = failure
            lastWriteFailure = failure.description
            currentSize = start
            sizes[segment] = currentSize
            let cut = ftruncate(currentFD, off_t(start)) == 0
            if start > 0 || !cut {
                if !cut {
                    currentSize = Int64(lseek(currentFD, 0, SEEK_END))
                    sizes[segment] = currentSize
                }
                staged.removeAll()
                try? rotate()
            }
            return
        }
        if fsyncEach { fsync(currentFD) }
        lastWriteFailure = nil
        if !unwrittenAcks.isEmpty { retryAcks() }  // the disk took these records: it may take them now
    }

    /// Marks a message delivered (or handed to the dead-letter file).
    mutating func ack(_ id: SpoolID) {
        guard outstanding[id.segment]?.remove(id.offset) != nil else { return }
        if outstanding[id.segment]?.isEmpty == true && id.segment != current {
            removeSegment(id.segment)
            return
        }
        if unwrittenAcks.isEmpty, let fd = ackFDs[id.segment], fd >= 0 {
            // The usual case, one line and nothing waiting: no queue in between.
            let line = Array("\(id.offset)\n".utf8)
            if Spool.writeAll(fd, line) == nil {
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

    /// ``ack(_:)`` for many records: each segment's new lines go out in one write (with any
    /// that failed before).
    mutating func ack(_ ids: [SpoolID]) {
        for id in ids {
            guard outstanding[id.segment]?.remove(id.offset) != nil else { continue }
            if outstanding[id.segment]?.isEmpty == true && id.segment != current {
                removeSegment(id.segment)  // its queued lines go with it
                continue
            }
            unwrittenAcks[id.segment, default: []].append(id.offset)
        }
        retryAcks()  // every segment with lines queued, these and any whose write failed before
    }

    /// Appends the segment's unwritten acknowledgements to its `.acked` file in one write; on a
    /// failure they stay queued (counted) and the file is cut back to its last whole line.
    mutating func writeAcks(_ segment: Int) {
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
        if Spool.writeAll(fd, bytes) == nil {
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
    mutating func retryAcks() {
        for segment in unwrittenAcks.keys.sorted() { writeAcks(segment) }
    }

    mutating func rotate() throws(Spool.Failure) {
        writeOut()  // the staged records belong to the segment being closed
        if currentFD >= 0 { close(currentFD) }
        currentFD = -1
        if outstanding[current]?.isEmpty ?? true { removeSegment(current) }
        current += 1
        try openCurrent()
    }

    /// drop-oldest: removes whole segments, oldest first, until `needed` bytes fit (the current
    /// segment is closed and replaced when it is the last one left). Counted and logged.
    mutating func dropOldest(toFit needed: Int64) throws(Spool.Failure) {
        var droppedNow = 0
        while sizes.total + needed > maxBytes {
            guard let oldest = sizes.oldest else { break }
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
        if sizes.total + needed > maxBytes { throw .full(maxBytes: maxBytes) }
    }

    mutating func removeSegment(_ n: Int) {
        if let fd = ackFDs.removeValue(forKey: n), fd >= 0 { close(fd) }
        unlink(segmentPath(n))
        unlink(ackPath(n))
        outstanding[n] = nil
        sizes[n] = nil
        ackSizes[n] = nil
        unwrittenAcks[n] = nil
        countedAcks[n] = nil
        roomGeneration &+= 1
    }

    /// Writes acknowledgements that failed before, and flushes the current segment to disk.
    mutating func sync() {
        writeOut()
        retryAcks()
        if currentFD >= 0 { fsync(currentFD) }
    }
}
