/// encoding/json's output written as UTF-8 bytes into one growing buffer: the alert JSON, the
/// default details and Kapacitor's rows are written per alert, and appending each piece to a
/// `String` or an `Array` (a uniqueness check, a capacity check and a generic copy per piece) was
/// most of their cost. Writes the same bytes as ``GoJSON``'s `String` functions.
///
/// The buffer is the writer's own memory (so the writer is not copyable): a write checks the room
/// once and copies with `memcpy` or stores bytes directly. A writer that is kept and ``reset()``
/// between uses (the engine's render buffer) allocates nothing once its buffer has grown to the
/// largest text written, and formats the date and clock of a time once per second (the events of
/// one second share them).
public struct GoJSONBytes: ~Copyable {
    /// The buffer: `count` bytes written, room for `capacity`.
    private var base: UnsafeMutablePointer<UInt8>
    /// Bytes written so far.
    public private(set) var count = 0
    private var capacity: Int
    /// The Unix second whose "YYYY-MM-DDTHH:MM:SS" ``clockText`` holds (`Int64.min`: none yet).
    private var clockSecond = Int64.min
    /// 19 bytes of RFC 3339 date and clock for ``clockSecond`` (24 bytes of room, no allocation).
    private var clockText: (UInt64, UInt64, UInt64) = (0, 0, 0)

    /// An empty buffer with room for `capacity` bytes (sized once, so it is not regrown).
    public init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// What was written so far, as an array of its own (a copy: the buffer stays the writer's).
    public var bytes: [UInt8] { withBytes { [UInt8]($0) } }

    /// The text written, as a `String` (one copy; the buffer stays this writer's).
    public func copiedString() -> String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// Calls `body` with what was written, in place (valid during the call only).
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Empties the buffer for the next text, keeping its capacity (and the cached clock text).
    public mutating func reset() { count = 0 }

    /// Room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always)
    private mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    /// Appends `u` as it is.
    @inline(__always)
    private mutating func append(_ u: UnsafeBufferPointer<UInt8>) {
        guard let from = u.baseAddress, u.count > 0 else { return }
        reserve(u.count)
        (base + count).update(from: from, count: u.count)
        count += u.count
    }

    /// Appends `s` as it is (JSON syntax, already-encoded text).
    @inline(__always)
    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { append($0) }
    }

    /// Appends the UTF-8 of `s` as it is.
    public mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    /// Appends the bytes `u` as they are (already-encoded text).
    public mutating func raw(utf8 u: UnsafeBufferPointer<UInt8>) { append(u) }

    /// Appends an integer in decimal.
    public mutating func int(_ v: Int64) {
        if v < 0 {
            append(UInt8(ascii: "-"))
            uint(v.magnitude)
        } else {
            uint(UInt64(v))
        }
    }

    /// Appends an unsigned integer in decimal.
    public mutating func uint(_ v: UInt64) {
        if v < 10 {
            append(UInt8(ascii: "0") + UInt8(v))
            return
        }
        var digits = 0
        var n = v
        while n > 0 {
            digits += 1
            n /= 10
        }
        reserve(digits)
        n = v
        var at = count + digits - 1
        while n > 0 {
            base[at] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
            at -= 1
        }
        count += digits
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }

    /// Appends a float64 as encoding/json writes it (``GoJSON/float(_:)``).
    public mutating func float(_ f: Double) {
        // encoding/json writes [1e-6, 1e21) as strconv's 'f' with the shortest digits. Where
        // Swift's shortest round-trip text has no exponent it is those digits laid out the same
        // way, with ".0" on whole numbers: copied as it is (an inline small string, no
        // allocation), which is what GoJSON.float's digit path would rebuild from it.
        let a = abs(f)
        if a >= 1e-6 && a < 1e21 {
            var d = f.description
            let done: Bool = d.withUTF8 { u in
                guard !u.contains(UInt8(ascii: "e")) else { return false }
                let whole = u.count >= 2 && u[u.count - 2] == UInt8(ascii: ".") && u[u.count - 1] == UInt8(ascii: "0")
                append(UnsafeBufferPointer(rebasing: u[0..<(whole ? u.count - 2 : u.count)]))
                return true
            }
            if done { return }
        }
        raw(GoJSON.float(f))
    }

    /// Appends `t` as RFC 3339 with nanoseconds, trailing zeros trimmed (``GoTime/rfc3339Nano``),
    /// without quotes.
    public mutating func rfc3339Nano(_ t: GoTime) {
        guard t.offsetSeconds == 0 else {
            raw(t.rfc3339Nano)
            return
        }
        let seconds = t.localSeconds
        if seconds != clockSecond {
            // The date and clock alone (not `civil`'s weekday and day of the year, which RFC 3339 lacks).
            let (year, month, day, hour, minute, second) = GoTime.civil(seconds)
            guard (0...9999).contains(year) else {
                raw(t.rfc3339Nano)
                return
            }
            withUnsafeMutableBytes(of: &clockText) { c in
                func put(_ v: Int64, _ width: Int, at offset: Int) {
                    var n = v
                    for k in stride(from: offset + width - 1, through: offset, by: -1) {
                        c[k] = UInt8(ascii: "0") + UInt8(n % 10)
                        n /= 10
                    }
                }
                put(year, 4, at: 0)
                c[4] = UInt8(ascii: "-")
                put(month, 2, at: 5)
                c[7] = UInt8(ascii: "-")
                put(day, 2, at: 8)
                c[10] = UInt8(ascii: "T")
                put(hour, 2, at: 11)
                c[13] = UInt8(ascii: ":")
                put(minute, 2, at: 14)
                c[16] = UInt8(ascii: ":")
                put(second, 2, at: 17)
            }
            clockSecond = seconds
        }
        let clock = clockText
        withUnsafeBytes(of: clock) { append(UnsafeBufferPointer(rebasing: $0.bindMemory(to: UInt8.self)[0..<19])) }
        if t.nanosecond > 0 {
            var frac = t.nanosecond, width = 9
            while frac % 10 == 0 {
                frac /= 10
                width -= 1
            }
            append(UInt8(ascii: "."))
            digits(Int64(frac), width)
        }
        append(UInt8(ascii: "Z"))
    }

    /// `v` (non-negative, below 10^width) in exactly `width` digits, zero-padded.
    private mutating func digits(_ v: Int64, _ width: Int) {
        reserve(width)
        var n = v
        for k in stride(from: count + width - 1, through: count, by: -1) {
            base[k] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
        }
        count += width
    }

    /// Appends `s` as a JSON string literal, quotes included (``GoJSON/appendString(_:to:escapeHTML:)``).
    public mutating func string(_ s: String, escapeHTML: Bool = true) {
        var s = s
        s.withUTF8 { string(utf8: $0, escapeHTML: escapeHTML) }
    }

    /// Appends the UTF-8 text `u` as a JSON string literal, quotes included.
    public mutating func string(utf8 u: UnsafeBufferPointer<UInt8>, escapeHTML: Bool = true) {
        // Room for the text and its quotes at once; escapes reserve their own.
        reserve(u.count + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        (escapeHTML ? Self.htmlSafeClass : Self.plainClass).withUnsafeBufferPointer { table in
            Self.escapes.withUnsafeBufferPointer { escapes in
                var run = 0, i = 0
                while i < u.count {
                    let kind = table[Int(u[i])]
                    if kind == 0 {
                        i += 1
                        continue
                    }
                    if kind == 2 {
                        // U+2028 and U+2029 (E2 80 A8/A9) break JavaScript string literals: escaped.
                        guard i + 2 < u.count, u[i + 1] == 0x80, u[i + 2] == 0xA8 || u[i + 2] == 0xA9 else {
                            i += 1
                            continue
                        }
                        append(UnsafeBufferPointer(rebasing: u[run..<i]))
                        raw(u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                        i += 3
                        run = i
                        continue
                    }
                    append(UnsafeBufferPointer(rebasing: u[run..<i]))
                    // The escape of one ASCII byte, whole from the table (a default body's details
                    // hold dozens of `&`, each `\u0026`).
                    let e = Int(u[i]) &* 8
                    append(UnsafeBufferPointer(rebasing: escapes[(e + 1)..<(e + 1 + Int(escapes[e]))]))
                    i += 1
                    run = i
                }
                append(UnsafeBufferPointer(rebasing: u[run..<u.count]))
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// Per byte, 8 bytes: the length of its escape, then the escape (`\"`, `\n`, `\u0026`, ...);
    /// filled for the bytes ``plainClass`` and ``htmlSafeClass`` escape.
    static let escapes: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256 * 8)
        for b in 0..<128 {
            let text: String
            switch b {
            case 0x22: text = "\\\""
            case 0x5C: text = "\\\\"
            case 0x0A: text = "\\n"
            case 0x0D: text = "\\r"
            case 0x09: text = "\\t"
            default:
                text = "\\u00" + String(decoding: [GoJSON.hexDigits[b >> 4], GoJSON.hexDigits[b & 0xF]], as: UTF8.self)
            }
            let u = Array(text.utf8)
            t[b * 8] = UInt8(u.count)
            for (k, x) in u.enumerated() { t[b * 8 + 1 + k] = x }
        }
        return t
    }()

    /// Per byte: 0 copied as it is, 1 escaped, 2 the lead byte of a possible U+2028/U+2029.
    static let plainClass: [UInt8] = (0..<256).map { (b: Int) -> UInt8 in
        if b < 0x20 || b == 0x22 || b == 0x5C { return 1 }
        return b == 0xE2 ? 2 : 0
    }
    /// ``plainClass`` with `<`, `>` and `&` escaped too (encoding/json's default, HTML-safe).
    static let htmlSafeClass: [UInt8] = (0..<256).map { (b: Int) -> UInt8 in
        b == 0x3C || b == 0x3E || b == 0x26 ? 1 : plainClass[b]
    }

    /// html/template's HTML text escaping (``HTMLEscaping/text(_:escapePlus:)`` with `+` escaped)
    /// of `u`, as a `String`: one pass over the bytes, one copy into the string.
    public static func htmlEscapedText(_ u: [UInt8]) -> String {
        u.withUnsafeBufferPointer { htmlEscapedText($0) }
    }

    /// html/template's HTML text escaping of the bytes `u`, as a `String`.
    public static func htmlEscapedText(_ u: UnsafeBufferPointer<UInt8>) -> String {
        htmlClass.withUnsafeBufferPointer { classes in
            htmlReplacements.withUnsafeBufferPointer { replacements in
                var extra = 0
                for b in u where classes[Int(b)] != 0 { extra += 4 }
                return String(unsafeUninitializedCapacity: u.count + extra) { out in
                    var n = 0
                    for b in u {
                        let k = Int(classes[Int(b)])
                        if k == 0 {
                            out[n] = b
                            n += 1
                            continue
                        }
                        let r = k &* 8
                        for x in 0..<Int(replacements[r]) {
                            out[n] = replacements[r + 1 + x]
                            n += 1
                        }
                    }
                    return n
                }
            }
        }
    }

    /// html/template's HTML text replacements (`htmlReplacementTable` with `+`), by ``htmlClass``:
    /// per class 8 bytes, the replacement's length and then its bytes.
    static let htmlReplacements: [UInt8] = {
        let texts = ["", "\u{FFFD}", "&#34;", "&amp;", "&#39;", "&#43;", "&lt;", "&gt;"]
        var t = [UInt8](repeating: 0, count: texts.count * 8)
        for (i, s) in texts.enumerated() {
            let u = Array(s.utf8)
            t[i * 8] = UInt8(u.count)
            for (k, x) in u.enumerated() { t[i * 8 + 1 + k] = x }
        }
        return t
    }()
    /// Per byte: 0 kept, else its index in ``htmlReplacements`` (each at most 4 bytes longer than the byte it replaces).
    static let htmlClass: [UInt8] = (0..<256).map { (b: Int) -> UInt8 in
        switch b {
        case 0: return 1
        case 0x22: return 2
        case 0x26: return 3
        case 0x27: return 4
        case 0x2B: return 5
        case 0x3C: return 6
        case 0x3E: return 7
        default: return 0
        }
    }
}
