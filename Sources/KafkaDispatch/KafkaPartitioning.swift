/// How a message's partition is chosen, as Kapacitor's Kafka handler chooses it.
///
/// Kapacitor keys every alert message by its alert ID and, unless `disablePartitionById` is set,
/// picks the partition from a hash of that key with `partitionAlgorithm` (Sarama partitioners).
/// The same key and partition count give the same partition here as in Kapacitor.
public enum KafkaPartitioning: Sendable, Hashable {
    /// Hash the key with the given algorithm (Kapacitor's default is ``KafkaPartitionAlgorithm/crc32``).
    case byKey(KafkaPartitionAlgorithm)
    /// Spread messages over all partitions at random, ignoring the key (`disablePartitionById`).
    case random

    /// Kapacitor's default: partition by alert ID with crc32.
    public static let kapacitorDefault = KafkaPartitioning.byKey(.crc32)

    /// The partition for `key` among `partitionCount` partitions; `nil` key means "no key".
    ///
    /// Returns `nil` when the choice is random (no key, or ``random``), so the caller can draw.
    public func partition<Key: Collection<UInt8>>(forKey key: Key?, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0 else { return nil }
        switch self {
        case .random:
            return nil
        case .byKey(let algorithm):
            return algorithm.partition(forKey: key, partitionCount: partitionCount)
        }
    }

    /// A small integer that travels with each message to the librdkafka partitioner callback.
    var code: UInt64 {
        switch self {
        case .random: return 0
        case .byKey(.crc32): return 1
        case .byKey(.murmur2): return 2
        case .byKey(.murmur3): return 3
        case .byKey(.fnv1a): return 4
        }
    }

    init?(code: UInt64) {
        switch code {
        case 0: self = .random
        case 1: self = .byKey(.crc32)
        case 2: self = .byKey(.murmur2)
        case 3: self = .byKey(.murmur3)
        case 4: self = .byKey(.fnv1a)
        default: return nil
        }
    }
}

/// Kapacitor's `partitionAlgorithm` values for the Kafka handler.
public enum KafkaPartitionAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// `crc32` (also the empty string): IEEE CRC-32 of the key modulo the partition count;
    /// an empty or missing key is placed at random (Kapacitor's own partitioner, = librdkafka's
    /// `consistent_random`).
    case crc32
    /// `murmur2`: Kafka's Java murmur2, `(hash & 0x7fffffff) % count`; a missing key is random,
    /// an empty key is hashed (Kapacitor's own partitioner, = librdkafka's `murmur2_random`).
    case murmur2
    /// `murmur3`: Sarama's custom hash partitioner over 32-bit MurmurHash3 (seed 0).
    case murmur3
    /// `fnv-1a`: Sarama's hash partitioner over 32-bit FNV-1a.
    case fnv1a = "fnv-1a"

    /// Parses a handler option; `""` is `crc32`, as in Kapacitor.
    /// - Throws: ``KafkaConfigProblem`` naming the accepted values.
    public init(option: String) throws(KafkaConfigProblem) {
        if option.isEmpty {
            self = .crc32
            return
        }
        guard let value = KafkaPartitionAlgorithm(rawValue: option) else {
            throw KafkaConfigProblem(
                key: "partitionAlgorithm",
                reason: "invalid partition algorithm: \"\(option)\" (expected crc32, murmur2, murmur3 or fnv-1a)")
        }
        self = value
    }

    /// The partition for `key`, or `nil` when Kapacitor would pick one at random.
    public func partition<Key: Collection<UInt8>>(forKey key: Key?, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0, let key else { return nil }
        let n = UInt32(partitionCount)
        switch self {
        case .crc32:
            if key.isEmpty { return nil }
            return Int32(KafkaHash.crc32(key) % n)
        case .murmur2:
            return Int32((KafkaHash.murmur2(key) & 0x7fff_ffff) % n)
        case .murmur3:
            return Self.saramaHashPartition(KafkaHash.murmur3(key), partitionCount)
        case .fnv1a:
            return Self.saramaHashPartition(KafkaHash.fnv1a(key), partitionCount)
        }
    }

    /// Sarama's (non-reference) hash partitioner: signed remainder, then absolute value.
    private static func saramaHashPartition(_ hash: UInt32, _ count: Int32) -> Int32 {
        let p = Int32(bitPattern: hash) % count
        return p < 0 ? -p : p
    }
}

/// The 32-bit hash functions Kafka partitioners use.
public enum KafkaHash {
    private static let crcTable: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// IEEE CRC-32 (Go's `crc32.ChecksumIEEE`, zlib's `crc32`).
    public static func crc32<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        crcTable.withUnsafeBufferPointer { table in
            for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// Kafka's Java `Utils.murmur2` (seed 0x9747b28c).
    public static func murmur2<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        let data = Array(bytes)
        let length = data.count
        let m: UInt32 = 0x5bd1_e995
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for i in 0..<blocks {
            let j = i * 4
            var k = UInt32(data[j]) | UInt32(data[j + 1]) << 8 | UInt32(data[j + 2]) << 16 | UInt32(data[j + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            fallthrough
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            fallthrough
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }

    /// MurmurHash3 x86 32-bit, seed 0 (`spaolacci/murmur3.New32`).
    public static func murmur3<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        let data = Array(bytes)
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h: UInt32 = 0
        let blocks = data.count / 4
        for i in 0..<blocks {
            let j = i * 4
            var k = UInt32(data[j]) | UInt32(data[j + 1]) << 8 | UInt32(data[j + 2]) << 16 | UInt32(data[j + 3]) << 24
            k = k &* c1
            k = (k << 15) | (k >> 17)
            k = k &* c2
            h ^= k
            h = (h << 13) | (h >> 19)
            h = h &* 5 &+ 0xe654_6b64
        }
        let tail = blocks * 4
        var k1: UInt32 = 0
        switch data.count & 3 {
        case 3:
            k1 ^= UInt32(data[tail + 2]) << 16
            fallthrough
        case 2:
            k1 ^= UInt32(data[tail + 1]) << 8
            fallthrough
        case 1:
            k1 ^= UInt32(data[tail])
            k1 = k1 &* c1
            k1 = (k1 << 15) | (k1 >> 17)
            k1 = k1 &* c2
            h ^= k1
        default:
            break
        }
        h ^= UInt32(truncatingIfNeeded: data.count)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// 32-bit FNV-1a (Go's `hash/fnv.New32a`).
    public static func fnv1a<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var h: UInt32 = 0x811c_9dc5
        for b in bytes {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        return h
    }
}
