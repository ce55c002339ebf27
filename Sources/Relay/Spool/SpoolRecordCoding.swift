import AlertRules
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
import KafkaDispatch
import RelayConfig

/// The bytes of a spool record's payload.
///
/// Version 2 (written now): byte 2, the output identity, a kind byte (`k` Kafka, `p` post, `t`
/// tcp), the kind's fields, the body. Strings and byte fields are a big-endian UInt32 length and
/// the bytes (length 0xFFFFFFFF: none). Kafka: topic, partitioning, key. Post: URL, a UInt32 count
/// of headers and each name and value, a flags byte (1: the body is the alert JSON; 2: the
/// handler's request options follow — a big-endian UInt64 timeout in nanoseconds, all ones for
/// none, and a byte: 1 skip TLS verification, 2 capture the response). Tcp: address.
///
/// Still read, so a spool written by an earlier release replays after an upgrade: version 1
/// (byte 1, then cluster, topic, partitioning, key and value: a Kafka message) and version 0
/// (JSON, first byte `{`, with `cluster`, `topic`, `key`, `value` as base64, `partitioning`).
enum SpoolRecordCoding {
    /// First bytes a payload may start with.
    static let versions: Set<UInt8> = [2, 1, UInt8(ascii: "{")]

    static func encode(_ r: OutputRecord) -> [UInt8] {
        var out: [UInt8] = [2]
        out.reserveCapacity(40 + r.output.utf8.count + r.destination.utf8.count + r.body.count)
        func put<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            appendBigEndian(UInt32(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        }
        put(r.output.utf8)
        switch r.target {
        case .kafka(let topic, let key, let partitioning):
            out.append(UInt8(ascii: "k"))
            put(topic.utf8)
            put(partitioningName(partitioning).utf8)
            if let key { put(key) } else { appendBigEndian(UInt32.max, to: &out) }
        case .post(let url, let headers, let json, let request):
            out.append(UInt8(ascii: "p"))
            put(url.utf8)
            appendBigEndian(UInt32(headers.count), to: &out)
            for h in headers {
                put(h.name.utf8)
                put(h.value.utf8)
            }
            let hasRequest = request != PostRequestOptions()
            out.append((json ? 1 : 0) | (hasRequest ? 2 : 0))
            if hasRequest {
                let ns = request.timeout.map { UInt64(clamping: $0.components.seconds) &* 1_000_000_000 &+ UInt64(clamping: $0.components.attoseconds / 1_000_000_000) }
                appendBigEndian(UInt32(truncatingIfNeeded: (ns ?? UInt64.max) >> 32), to: &out)
                appendBigEndian(UInt32(truncatingIfNeeded: ns ?? UInt64.max), to: &out)
                out.append((request.skipSSLVerification ? 1 : 0) | (request.captureResponse ? 2 : 0))
            }
        case .tcp(let address):
            out.append(UInt8(ascii: "t"))
            put(address.utf8)
        }
        put(r.body)
        return out
    }

    /// The record in `payload` (any version); nil if malformed.
    static func decode(_ payload: ArraySlice<UInt8>) -> OutputRecord? {
        guard let first = payload.first else { return nil }
        switch first {
        case UInt8(ascii: "{"): return decodeJSON(payload)
        case 1, 2: break
        default: return nil
        }
        var r = Reader(payload: payload, i: payload.startIndex + 1)
        if first == 1 {
            guard let cluster = r.string(), let topic = r.string(), let p = r.string(), let key = r.bytes(), let v = r.bytes(),
                  let value = v, r.atEnd else { return nil }
            return OutputRecord(output: OutputID.kafka(cluster), target: .kafka(topic: topic, key: key.map { Array($0) }, partitioning: partitioning(p)),
                                body: Array(value))
        }
        guard let output = r.string(), let kind = r.byte() else { return nil }
        let target: OutputRecord.Target
        switch kind {
        case UInt8(ascii: "k"):
            guard let topic = r.string(), let p = r.string(), let key = r.bytes() else { return nil }
            target = .kafka(topic: topic, key: key.map { Array($0) }, partitioning: partitioning(p))
        case UInt8(ascii: "p"):
            guard let url = r.string(), let n = r.uint32(), n <= 10_000 else { return nil }
            var headers: [HTTPHeaderOption] = []
            for _ in 0..<n {
                guard let name = r.string(), let value = r.string() else { return nil }
                headers.append(HTTPHeaderOption(name: name, value: value))
            }
            guard let flags = r.byte(), flags & ~3 == 0 else { return nil }
            var request = PostRequestOptions()
            if flags & 2 != 0 {
                guard let high = r.uint32(), let low = r.uint32(), let bits = r.byte(), bits & ~3 == 0 else { return nil }
                let ns = UInt64(high) << 32 | UInt64(low)
                if ns != UInt64.max { request.timeout = .nanoseconds(Int64(clamping: ns)) }
                request.skipSSLVerification = bits & 1 != 0
                request.captureResponse = bits & 2 != 0
            }
            target = .post(url: url, headers: headers, json: flags & 1 != 0, request: request)
        case UInt8(ascii: "t"):
            guard let address = r.string() else { return nil }
            target = .tcp(address: address)
        default:
            return nil
        }
        guard let b = r.bytes(), let body = b, r.atEnd else { return nil }
        return OutputRecord(output: output, target: target, body: Array(body))
    }

    static func partitioningName(_ p: KafkaPartitioning) -> String {
        switch p {
        case .byKey(let a): return a.rawValue
        case .random: return "random"
        }
    }

    static func partitioning(_ name: String) -> KafkaPartitioning {
        name == "random" ? .random : .byKey(KafkaPartitionAlgorithm(rawValue: name) ?? .crc32)
    }

    /// Version 0: Foundation's JSON of the first release's record.
    private struct Version0: Decodable {
        var cluster: String
        var topic: String
        var key: Data?
        var value: Data
        var partitioning: String
    }

    private static func decodeJSON(_ payload: ArraySlice<UInt8>) -> OutputRecord? {
        guard let v = try? JSONDecoder().decode(Version0.self, from: Data(payload)) else { return nil }
        return OutputRecord(output: OutputID.kafka(v.cluster),
                            target: .kafka(topic: v.topic, key: v.key.map { Array($0) }, partitioning: partitioning(v.partitioning)),
                            body: Array(v.value))
    }

    /// Reads length-prefixed fields, checking every length against what is left.
    private struct Reader {
        let payload: ArraySlice<UInt8>
        var i: Int

        var atEnd: Bool { i == payload.endIndex }

        mutating func byte() -> UInt8? {
            guard i < payload.endIndex else { return nil }
            defer { i += 1 }
            return payload[i]
        }

        mutating func uint32() -> UInt32? {
            guard payload.endIndex - i >= 4 else { return nil }
            defer { i += 4 }
            return bigEndianUInt32(payload, at: i)
        }

        /// A field: nil when malformed, `.some(nil)` for "none".
        mutating func bytes() -> ArraySlice<UInt8>?? {
            guard let n = uint32() else { return nil }
            if n == UInt32.max { return .some(nil) }
            guard payload.endIndex - i >= Int(n) else { return nil }
            defer { i += Int(n) }
            return .some(payload[i..<(i + Int(n))])
        }

        mutating func string() -> String? {
            guard let b = bytes(), let s = b else { return nil }
            return String(decoding: s, as: UTF8.self)
        }
    }
}
