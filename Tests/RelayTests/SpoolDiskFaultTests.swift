import AlertRelayTestSupport
import Foundation
import KafkaDispatch
import Logging
import Testing
@testable import Relay

/// The spool against damaged segments and a disk that fills and frees again.
@Suite struct SpoolDiskFaultTests {
    static let logger = Logger(label: "spool-test")

    static func message(_ i: Int, size: Int = 200) -> KafkaMessage {
        KafkaMessage(topic: "alerts", key: "id-\(i)", value: String(repeating: "x", count: size) + " \(i)")
    }

    /// A spool (recovered, empty, no fsync per record, no size limit that matters) in `spool/` on
    /// a fresh 2 MiB tmpfs, for the full-disk tests; the caller unmounts the disk.
    static func spoolOnSmallDisk() throws -> (disk: SmallTmpfs, dir: String, spool: Spool) {
        let disk = try SmallTmpfs(bytes: 2 << 20)
        do {
            let dir = disk.path + "/spool"
            let spool = try Spool(dir: dir, maxBytes: 1 << 30, fsyncEach: false, logger: logger)
            _ = try spool.recover()
            return (disk, dir, spool)
        } catch {
            disk.unmount()
            throw error
        }
    }

    static func keys(_ recovered: [(SpoolID, Spool.Record)]) -> [String] {
        recovered.map { String(decoding: $0.1.kafkaMessage?.key ?? [], as: UTF8.self) }
    }

    /// A record whose length field is damaged no longer ends the segment: recovery finds the
    /// next record by its checksum and loses only the damaged one (before: the 6 after it too).
    @Test func recoveryResyncsPastADamagedRecord() throws {
        let dir = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, logger: Self.logger)
        _ = try spool.recover()
        var ids: [SpoolID] = []
        for i in 0..<10 { ids.append(try spool.append(cluster: "c", message: Self.message(i))) }
        let path = dir + "/segment-\(String(format: "%010d", ids[3].segment)).log"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[Int(ids[3].offset)] = 0x7f  // a length far past the end
        bytes[Int(ids[6].offset) + 20] ^= 0xff  // a payload byte: that record's checksum fails
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let again = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, logger: Self.logger).recover()
        #expect(Self.keys(again) == [0, 1, 2, 4, 5, 7, 8, 9].map { "id-\($0)" })
        // Offsets stay true, so acknowledgements written before still match their records.
        #expect(again.map(\.0.offset) == [0, 1, 2, 4, 5, 7, 8, 9].map { ids[$0].offset })
    }

    /// A segment left with a partial record at its end (a crash mid-write) keeps every whole record.
    @Test func aPartialLastRecordIsIgnored() throws {
        let dir = SpoolTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, logger: Self.logger)
        _ = try spool.recover()
        var ids: [SpoolID] = []
        for i in 0..<3 { ids.append(try spool.append(cluster: "c", message: Self.message(i))) }
        let path = dir + "/segment-\(String(format: "%010d", ids[0].segment)).log"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 17).write(to: URL(fileURLWithPath: path))
        let again = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, logger: Self.logger).recover()
        #expect(Self.keys(again) == ["id-0", "id-1"])
    }

    /// The issue's case: a disk that fills (short writes) and frees again. Every record the spool
    /// accepted, before and after, survives a crash (simulated: a second Spool on the same
    /// directory while the first is still open); the refused ones say the disk is full.
    @Test(.disabled(if: SmallTmpfs.unavailableReason != nil, Comment(rawValue: SmallTmpfs.unavailableReason ?? "")))
    func aShortWriteOnAFullDiskLosesOnlyTheRefusedMessages() throws {
        let (disk, dir, spool) = try SpoolDiskFaultTests.spoolOnSmallDisk()
        defer { disk.unmount() }
        let filler = try disk.fill("filler", leaving: 256 << 10)
        var accepted: [String] = []
        var refused: [Spool.Failure] = []
        for i in 0..<3000 {
            do throws(Spool.Failure) {
                _ = try spool.append(cluster: "c", message: Self.message(i, size: 300))
                accepted.append("id-\(i)")
            } catch {
                refused.append(error)
            }
        }
        #expect(!refused.isEmpty && accepted.count > 100, "accepted \(accepted.count), refused \(refused.count)")
        #expect(refused.allSatisfy { $0.unspooledReason == "disk-full" }, "\(refused.first.map { "\($0)" } ?? "")")
        try FileManager.default.removeItem(atPath: filler)
        for i in 3000..<3200 {
            _ = try spool.append(cluster: "c", message: Self.message(i, size: 300))
            accepted.append("id-\(i)")
        }
        let again = try Spool(dir: dir, maxBytes: 1 << 30, fsyncEach: false, logger: Self.logger).recover()
        let after = Self.keys(again).filter { Int($0.dropFirst(3))! >= 3000 }
        print("full disk: \(accepted.count - 200) spooled before the disk filled, \(refused.count) refused; after freeing, \(after.count) of 200 recovered; \(again.count) of \(accepted.count) in all")
        #expect(Self.keys(again) == accepted)
    }

    /// Acknowledgements that cannot be written (disk full) are counted and written once there is
    /// room, so a crash afterwards does not send those messages again (before: all 100 twice).
    @Test(.disabled(if: SmallTmpfs.unavailableReason != nil, Comment(rawValue: SmallTmpfs.unavailableReason ?? "")))
    func ackWritesThatFailAreRetriedAndCounted() throws {
        let (disk, dir, spool) = try SpoolDiskFaultTests.spoolOnSmallDisk()
        defer { disk.unmount() }
        var ids: [SpoolID] = []
        for i in 0..<101 { ids.append(try spool.append(cluster: "c", message: Self.message(i))) }
        let filler = try disk.fill("filler")
        for id in ids.dropLast() { spool.ack(id) }
        #expect(spool.ackWriteFailures == 100)
        try FileManager.default.removeItem(atPath: filler)
        spool.ack(ids[100])  // writes the 100 waiting before its own
        let again = try Spool(dir: dir, maxBytes: 1 << 30, fsyncEach: false, logger: Self.logger).recover()
        #expect(again.count == 0, "\(again.count) acknowledged messages would be sent again")
        #expect(spool.ackWriteFailures == 100)
    }
}
