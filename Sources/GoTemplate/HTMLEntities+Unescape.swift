extension HTMLEntities {
    /// The references by name: one or two code points.
    static let byName: [String: [Unicode.Scalar]] = {
        var out: [String: [Unicode.Scalar]] = [:]
        for line in table.split(separator: "\n") {
            let parts = line.split(separator: " ")
            out[String(parts[0])] = parts.dropFirst().compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
        }
        return out
    }()

    /// The longest name Go matches without its semicolon (`&amp` in `&ampx`).
    static let longestWithoutSemicolon = 6

    /// Windows-1252 for numeric references 0x80–0x9F, as HTML decodes them.
    static let windows1252: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152,
                                        0x8D, 0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122,
                                        0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178]

    /// Go's `html.UnescapeString`: character references (`&lt;`, `&#39;`, `&#x2F;`) decoded.
    static func unescape(_ s: [UInt8]) -> [UInt8] {
        guard s.contains(UInt8(ascii: "&")) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] != UInt8(ascii: "&") {
                out.append(s[i])
                i += 1
                continue
            }
            let (decoded, consumed) = entity(Array(s[i...]))
            out += decoded
            i += consumed
        }
        return out
    }

    /// Go's `unescapeEntity` (outside attributes' special rule): the bytes for the reference at
    /// the start of `s` and how many bytes it took.
    private static func entity(_ s: [UInt8]) -> ([UInt8], Int) {
        if s.count <= 1 { return ([s[0]], 1) }
        var i = 1
        if s[i] == UInt8(ascii: "#") {
            if s.count <= 3 { return ([s[0]], 1) }
            i += 1
            var hex = false
            if s[i] == UInt8(ascii: "x") || s[i] == UInt8(ascii: "X") {
                hex = true
                i += 1
            }
            var x: UInt32 = 0
            while i < s.count {
                let c = s[i]
                i += 1
                if hex, let d = GoStrconv.hexValue(Unicode.Scalar(c)) {
                    x = x &* 16 &+ d
                    continue
                } else if !hex, c >= 0x30 && c <= 0x39 {
                    x = x &* 10 &+ UInt32(c - 0x30)
                    continue
                }
                if c != UInt8(ascii: ";") { i -= 1 }
                break
            }
            if i <= 3 { return ([s[0]], 1) }
            if x >= 0x80 && x <= 0x9F {
                x = windows1252[Int(x - 0x80)]
            } else if x == 0 || (x >= 0xD800 && x <= 0xDFFF) || x > 0x10FFFF {
                x = 0xFFFD
            }
            return (Array(String(Unicode.Scalar(x) ?? "\u{FFFD}").utf8), i)
        }
        while i < s.count {
            let c = s[i]
            i += 1
            if HTMLTransition.isAlphaNum(c) { continue }
            if c != UInt8(ascii: ";") { i -= 1 }
            break
        }
        let name = String(decoding: s[1..<i], as: UTF8.self)
        if !name.isEmpty {
            if let x = byName[name] { return (Array(String(String.UnicodeScalarView(x)).utf8), i) }
            var j = min(name.utf8.count - 1, longestWithoutSemicolon)
            while j > 1 {
                let prefix = String(decoding: Array(name.utf8)[..<j], as: UTF8.self)
                if let x = byName[prefix], x.count == 1 { return (Array(String(x[0]).utf8), j + 1) }
                j -= 1
            }
        }
        return (Array(s[..<i]), i)
    }
}
