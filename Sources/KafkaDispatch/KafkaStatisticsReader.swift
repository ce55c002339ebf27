/// Reads librdkafka's statistics JSON (STATISTICS.md) into the few objects `KafkaClientStatistics`
/// uses: the top level, its `brokers` object's members and each broker's `rtt`; every other object
/// and array is checked and passed over. A report arrives every `statistics.interval.ms` on an
/// otherwise idle relay, so this is a small, non-generic reader: the `Decodable` path it replaced
/// ran the runtime's metadata, witness-table and demangler code on each report, and brought about
/// 7 MiB of the binary's code back into memory every time start-up's pages had been dropped
/// (`StartupPages`). The whole text must be one JSON object (RFC 8259), nested at most
/// `maxDepth` deep; anything else reads as nil.
struct KafkaStatisticsReader {
    /// One object of the report: its number and string members, and the member objects kept for
    /// its place in the report (`brokers`, a broker, `rtt`). A member of another type than the
    /// reader keeps (a boolean, null, an array, an object elsewhere) is absent, as a missing one is.
    struct Object: Equatable {
        var numbers: [String: Double] = [:]
        var strings: [String: String] = [:]
        var objects: [String: Object] = [:]

        /// The member as NSNumber's `intValue` read it: truncated toward zero, 0 when absent.
        func int(_ key: String) -> Int {
            guard let n = numbers[key], n.isFinite else { return 0 }
            return Int(exactly: n.rounded(.towardZero)) ?? 0
        }

        func uint(_ key: String) -> UInt64 {
            guard let n = numbers[key], n.isFinite, n >= 0 else { return 0 }
            return UInt64(exactly: n.rounded(.towardZero)) ?? 0
        }
    }

    /// Where an object is in the report, which decides what of it is kept.
    private enum Place {
        case top, brokers, broker, rtt, elsewhere

        func member(_ key: String) -> Place {
            switch self {
            case .top: return key == "brokers" ? .brokers : .elsewhere
            case .brokers: return .broker
            case .broker: return key == "rtt" ? .rtt : .elsewhere
            case .rtt, .elsewhere: return .elsewhere
            }
        }

        var keepsMembers: Bool { self != .elsewhere }
    }

    /// How deep objects and arrays may nest (librdkafka's reports nest 5 deep).
    static let maxDepth = 64

    /// The report's top-level object, or nil when `json` is not one JSON object.
    static func read(_ json: [UInt8]) -> Object? {
        json.withUnsafeBufferPointer { buffer in
            var reader = KafkaStatisticsReader(bytes: buffer)
            reader.skipSpace()
            guard reader.peek == UInt8(ascii: "{"), let top = reader.object(.top, depth: 1) else { return nil }
            reader.skipSpace()
            return reader.index == buffer.count ? top : nil
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// At `{`: the object, with what `place` keeps of it.
    private mutating func object(_ place: Place, depth: Int) -> Object? {
        guard depth <= Self.maxDepth, expect(UInt8(ascii: "{")) else { return nil }
        var result = Object()
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return result }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\""), let key = string(), expect(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            switch peek {
            case UInt8(ascii: "{"):
                let inner = place.member(key)
                guard let o = object(inner, depth: depth + 1) else { return nil }
                if place.keepsMembers && inner.keepsMembers { result.objects[key] = o }
            case UInt8(ascii: "\""):
                guard let s = string() else { return nil }
                if place.keepsMembers { result.strings[key] = s }
            default:
                guard let n = scalarOrArray(depth: depth) else { return nil }
                if place.keepsMembers, let n = n { result.numbers[key] = n }
            }
            skipSpace()
            guard let b = peek else { return nil }
            index += 1
            if b == UInt8(ascii: "}") { return result }
            guard b == UInt8(ascii: ",") else { return nil }
        }
    }

    /// A number (its value), `true`/`false`/`null` or an array (`.some(nil)`: not kept), or nil
    /// when the text there is no JSON value.
    private mutating func scalarOrArray(depth: Int) -> Double?? {
        switch peek {
        case UInt8(ascii: "["): return array(depth: depth + 1) ? .some(nil) : nil
        case UInt8(ascii: "t"): return literal("true") ? .some(nil) : nil
        case UInt8(ascii: "f"): return literal("false") ? .some(nil) : nil
        case UInt8(ascii: "n"): return literal("null") ? .some(nil) : nil
        default: return number().map { .some($0) }
        }
    }

    /// At `[`: checks the array and passes over it (the relay reads no array of the report).
    private mutating func array(depth: Int) -> Bool {
        guard depth <= Self.maxDepth, expect(UInt8(ascii: "[")) else { return false }
        skipSpace()
        if peek == UInt8(ascii: "]") { index += 1; return true }
        while true {
            skipSpace()
            switch peek {
            case UInt8(ascii: "{"): guard object(.elsewhere, depth: depth + 1) != nil else { return false }
            case UInt8(ascii: "\""): guard string() != nil else { return false }
            default: guard scalarOrArray(depth: depth) != nil else { return false }
            }
            skipSpace()
            guard let b = peek else { return false }
            index += 1
            if b == UInt8(ascii: "]") { return true }
            guard b == UInt8(ascii: ",") else { return false }
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard bytes.count - index >= n else { return false }
        for k in 0..<n where bytes[index + k] != word.utf8Start[k] { return false }
        index += n
        return true
    }

    /// A JSON number (RFC 8259's grammar), as `Double`.
    private mutating func number() -> Double? {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { return nil }
        index += 1
        if first != UInt8(ascii: "0") { while let b = peek, isDigit(b) { index += 1 } }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let b = peek, isDigit(b) else { return nil }
            while let b = peek, isDigit(b) { index += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let b = peek, isDigit(b) else { return nil }
            while let b = peek, isDigit(b) { index += 1 }
        }
        return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// At `"`: the string, its escapes decoded (a lone surrogate as U+FFFD).
    private mutating func string() -> String? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        index += 1
        var out: [UInt8] = []
        while let b = peek {
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { return nil }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar), bytes.count - index >= 6,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        let save = index
                        index += 2
                        if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                        }
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default:
                    return nil
                }
            default:
                // Control characters must be escaped in JSON.
                guard b >= 0x20 else { return nil }
                out.append(b)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            index += 1
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        return v
    }
}
