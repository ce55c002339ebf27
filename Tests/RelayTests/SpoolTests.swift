import Foundation
import KafkaDispatch
import Logging
import Testing
@testable import Relay

/// The spool's size bound and its two policies, on real files.
@Suite struct SpoolTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
    }

    static func message(_ i: Int) -> KafkaMessage {
        KafkaMessage(topic: "alerts", key: "id-\(i)", value: String(repeating: "x", count: 1000) + " \(i)")
    }

    static let logger = Logger(label: "spool-test")

    @Test func dropOldestKeepsTheNewestWithinMaxSizeAndCountsTheRest() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, policy: .dropOldest, logger: Self.logger)
        _ = try spool.recover()
        for i in 0..<3000 { _ = try spool.append(cluster: "c", message: Self.message(i)) }
        #expect(spool.size <= 1 << 20)
        #expect(spool.dropped > 0)
        // What a restart would send again: the newest messages, none of them twice, none missing.
        let again = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, logger: Self.logger).recover()
        let keys = again.map { String(decoding: $0.1.kafkaMessage?.key ?? [], as: UTF8.self) }
        #expect(UInt64(again.count) + spool.dropped == 3000)
        #expect(keys == (3000 - again.count..<3000).map { "id-\($0)" })
    }

    @Test func blockRefusesWhenFullUntilAcknowledgementsFreeASegment() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, policy: .block, logger: Self.logger)
        _ = try spool.recover()
        var ids: [SpoolID] = []
        var refused = false
        for i in 0..<3000 {
            do throws(Spool.Failure) {
                ids.append(try spool.append(cluster: "c", message: Self.message(i)))
            } catch {
                guard case .full = error else { throw error }
                refused = true
                break
            }
        }
        #expect(refused)
        #expect(spool.dropped == 0)
        // Acknowledging the oldest segment's messages makes room again.
        let oldest = ids[0].segment
        for id in ids where id.segment == oldest { spool.ack(id) }
        #expect(throws: Never.self) { _ = try spool.append(cluster: "c", message: Self.message(9999)) }
    }

    @Test func aReloadCanSwitchThePolicy() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, policy: .block, logger: Self.logger)
        _ = try spool.recover()
        var full = false
        for i in 0..<3000 where !full {
            do throws(Spool.Failure) { _ = try spool.append(cluster: "c", message: Self.message(i)) } catch { full = true }
        }
        #expect(full)
        spool.configure(maxBytes: 1 << 20, fsyncEach: false, policy: .dropOldest)
        #expect(throws: Never.self) { _ = try spool.append(cluster: "c", message: Self.message(0)) }
        #expect(spool.dropped > 0)
    }

    @Test func recordsRoundTripAndJSONRecordsStillRead() throws {
        for m in [KafkaMessage(topic: "cpu-alerts", key: "cpu:nil", value: "{\"level\":\"CRITICAL\"}\n"),
                  KafkaMessage(topic: "t", key: nil as [UInt8]?, value: [], partitioning: .random),
                  KafkaMessage(topic: "ü", key: [0, 255], value: Array(repeating: 7, count: 70_000), partitioning: .byKey(.murmur2))] {
            let payload = SpoolRecordCoding.encode(OutputRecord(cluster: "c", message: m))
            let back = try #require(SpoolRecordCoding.decode(payload[...]))
            #expect(back.cluster == "c" && back.kafkaMessage == m)
        }
        // Version 0 (JSON) records from an older spool.
        let json = Array(#"{"cluster":"c","topic":"t","key":"aw==","value":"dg==","partitioning":"crc32"}"#.utf8)
        #expect(SpoolRecordCoding.decode(json[...])?.kafkaMessage == KafkaMessage(topic: "t", key: "k", value: "v"))
        #expect(SpoolRecordCoding.decode([1, 0, 0][...]) == nil)
    }

    @Test func checksumIsTheIEEECRC32EarlierSpoolsUsed() {
        for text in ["", "a", "123456789", String(repeating: "alert ", count: 1000)] {
            let bytes = Array(text.utf8)
            #expect(Spool.checksum(bytes[...]) == KafkaHash.crc32(bytes))
        }
        #expect(Spool.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
    }

    @Test func aMessageLargerThanTheSpoolIsRefusedNotWaitedFor() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, policy: .block, logger: Self.logger)
        _ = try spool.recover()
        let huge = KafkaMessage(topic: "t", key: "k", value: String(repeating: "y", count: 2 << 20))
        do throws(Spool.Failure) {
            _ = try spool.append(cluster: "c", message: huge)
            Issue.record("a 2 MiB message fit a 1 MiB spool")
        } catch {
            guard case .tooLarge = error else { Issue.record("expected .tooLarge, got \(error)"); return }
            #expect(error.description.contains("larger than the spool's max-size"))
            #expect(error.unspooledReason == "too-large")
        }
    }
}
