import CRdKafka
import Foundation
import Testing
@testable import KafkaDispatch

@Suite struct KafkaPartitioningTests {
    /// Kapacitor's own vectors (services/kafka/hash_test.go, Test_HashPartitioners).
    @Test(arguments: [
        (KafkaPartitionAlgorithm.crc32, "hello", Int32(1000), Int32(870)), (.crc32, "hello2", 1000, 502),
        (.crc32, "hello3", 1000, 592), (.crc32, "hello4", 1000, 787), (.crc32, "hello5", 1000, 413),
        (.crc32, "hello5", 1, 0),
        (.murmur2, "hello", 1000, 229), (.murmur2, "hello2", 1000, 907), (.murmur2, "hello3", 1000, 759),
        (.murmur2, "hello4", 1000, 299), (.murmur2, "hello5", 1000, 841), (.murmur2, "", 1000, 681),
        (.murmur2, "hello5", 1, 0),
    ])
    func kapacitorVectors(algorithm: KafkaPartitionAlgorithm, key: String, count: Int32, want: Int32) {
        #expect(algorithm.partition(forKey: Array(key.utf8), partitionCount: count) == want)
    }

    /// Kafka's Java murmur2 test set (UtilsTest), as Kapacitor's Test_murmur2Hash uses it.
    @Test(arguments: [
        ("21", Int32(-973_932_308)), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107),
    ])
    func javaMurmur2(data: String, want: Int32) {
        #expect(KafkaHash.murmur2(Array(data.utf8)) == UInt32(bitPattern: want))
    }

    struct Vector: Decodable {
        var algorithm: String
        var key: String
        var partitions: Int32
        var partition: Int32
    }

    /// Fixtures recorded from Sarama 1.22 and Go's crc32 by Tools/partition-oracle.
    @Test func saramaOracleFixtures() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/partitions.jsonl")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 5000)
        var mismatches: [String] = []
        for line in lines {
            let v = try JSONDecoder().decode(Vector.self, from: Data(line.utf8))
            let algorithm = try KafkaPartitionAlgorithm(option: v.algorithm)
            let got = algorithm.partition(forKey: Array(v.key.utf8), partitionCount: v.partitions)
            if got != v.partition { mismatches.append("\(v.algorithm) \(v.key) /\(v.partitions): got \(String(describing: got)) want \(v.partition)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// librdkafka's own consistent_random (crc32) and murmur2_random partitioners agree with ours.
    @Test func librdkafkaPartitionersAgree() {
        for i in 0..<2000 {
            let key = Array("alert-\(i * 31):host=h\(i % 17)".utf8)
            for count: Int32 in [1, 3, 4, 10, 64] {
                let crc = key.withUnsafeBytes { rd_kafka_msg_partitioner_consistent_random(nil, $0.baseAddress, $0.count, count, nil, nil) }
                let mm2 = key.withUnsafeBytes { rd_kafka_msg_partitioner_murmur2_random(nil, $0.baseAddress, $0.count, count, nil, nil) }
                #expect(KafkaPartitionAlgorithm.crc32.partition(forKey: key, partitionCount: count) == crc)
                #expect(KafkaPartitionAlgorithm.murmur2.partition(forKey: key, partitionCount: count) == mm2)
            }
        }
    }

    @Test func missingKeysAreRandom() {
        for algorithm in KafkaPartitionAlgorithm.allCases {
            #expect(algorithm.partition(forKey: nil as [UInt8]?, partitionCount: 10) == nil)
        }
        #expect(KafkaPartitionAlgorithm.crc32.partition(forKey: [UInt8](), partitionCount: 10) == nil)
        #expect(KafkaPartitioning.random.partition(forKey: Array("k".utf8), partitionCount: 10) == nil)
    }

    @Test func algorithmOptions() throws {
        #expect(try KafkaPartitionAlgorithm(option: "") == .crc32)
        #expect(try KafkaPartitionAlgorithm(option: "fnv-1a") == .fnv1a)
        #expect(throws: KafkaConfigProblem(key: "partitionAlgorithm",
                                           reason: "invalid partition algorithm: \"md5\" (expected crc32, murmur2, murmur3 or fnv-1a)")) {
            try KafkaPartitionAlgorithm(option: "md5")
        }
    }
}
