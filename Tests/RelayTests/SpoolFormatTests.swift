import AlertRules
import Foundation
import KafkaDispatch
import Logging
import RelayConfig
import Testing
@testable import Relay

/// The spool's record format across releases: version 2 (any output) written now; a segment the
/// previous release wrote (version 1 records: Kafka messages) still recovers after an upgrade.
@Suite struct SpoolFormatTests {
    /// A version 1 payload as the previous release's encoder wrote it: byte 1, then cluster, topic,
    /// partitioning, key (0xFFFFFFFF: none) and value, each with a big-endian UInt32 length.
    static func version1(cluster: String, topic: String, partitioning: String, key: String?, value: String) -> [UInt8] {
        var out: [UInt8] = [1]
        func put(_ s: String) {
            let b = Array(s.utf8)
            out += [UInt8(b.count >> 24), UInt8(b.count >> 16 & 0xff), UInt8(b.count >> 8 & 0xff), UInt8(b.count & 0xff)] + b
        }
        put(cluster)
        put(topic)
        put(partitioning)
        if let key { put(key) } else { out += [0xff, 0xff, 0xff, 0xff] }
        put(value)
        return out
    }

    /// A segment file of the previous release (length, CRC-32, payload per record; one record
    /// acknowledged in its `.acked` file) replays as Kafka records of the same cluster.
    @Test func aSpoolWrittenByThePreviousReleaseReplays() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-v1-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let payloads = [
            Self.version1(cluster: "infra", topic: "cpu-alerts", partitioning: "crc32", key: "cpu:nil", value: "{\"id\":\"cpu:nil\"}\n"),
            Self.version1(cluster: "infra", topic: "cpu-alerts", partitioning: "murmur2", key: "acked", value: "gone"),
            Self.version1(cluster: "other", topic: "t", partitioning: "random", key: nil, value: "v"),
        ]
        var segment: [UInt8] = []
        var offsets: [Int] = []
        for p in payloads {
            offsets.append(segment.count)
            appendBigEndian(UInt32(p.count), to: &segment)
            appendBigEndian(Spool.checksum(p[...]), to: &segment)
            segment += p
        }
        try Data(segment).write(to: URL(fileURLWithPath: dir + "/segment-0000000001.log"))
        try "\(offsets[1])\n".write(toFile: dir + "/segment-0000000001.acked", atomically: true, encoding: .utf8)
        let recovered = try Spool(dir: dir, maxBytes: 1 << 20, fsyncEach: false, logger: Logger(label: "t")).recover().map(\.1)
        #expect(recovered.map(\.output) == ["kafka:infra", "kafka:other"])
        #expect(recovered[0].kafkaMessage == KafkaMessage(topic: "cpu-alerts", key: "cpu:nil", value: "{\"id\":\"cpu:nil\"}\n"))
        #expect(recovered[1].kafkaMessage == KafkaMessage(topic: "t", key: nil as [UInt8]?, value: Array("v".utf8), partitioning: .random))
    }

    /// Post and tcp records (and Kafka ones) read back as written, a post handler's request
    /// options included.
    @Test(arguments: [
        OutputRecord(output: "post:ep", target: .post(url: "http://127.0.0.1:8080/a?b=c", headers: [HTTPHeaderOption(name: "X-A", value: "1")], json: true),
                     body: Array("{\"id\":\"x\"}\n".utf8)),
        OutputRecord(output: "post:http://h/", target: .post(url: "http://h/", headers: [], json: false), body: []),
        OutputRecord(output: "post:https://h/{{ .ID }}",
                     target: .post(url: "https://h/x", headers: [], json: true,
                                   request: PostRequestOptions(timeout: .milliseconds(1500), skipSSLVerification: true, captureResponse: true)),
                     body: Array("{}".utf8)),
        OutputRecord(output: "post:ep", target: .post(url: "https://h/", headers: [], json: false, request: PostRequestOptions(captureResponse: true)),
                     body: Array("b".utf8)),
        OutputRecord(output: "tcp:127.0.0.1:9000", target: .tcp(address: "127.0.0.1:9000"), body: Array("{}\n\n".utf8)),
        OutputRecord(cluster: "c", message: KafkaMessage(topic: "ü", key: [0, 255], value: Array(repeating: 7, count: 70_000), partitioning: .byKey(.fnv1a))),
    ])
    func version2RecordsRoundTrip(_ r: OutputRecord) throws {
        let payload = SpoolRecordCoding.encode(r)
        #expect(payload.first == 2)
        #expect(SpoolRecordCoding.decode(payload[...]) == r)
        // Cut anywhere, a record is refused rather than misread.
        for cut in stride(from: 1, to: payload.count, by: max(1, payload.count / 50)) {
            #expect(SpoolRecordCoding.decode(payload[..<cut]) == nil)
        }
    }
}
