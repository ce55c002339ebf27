#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The scanning steps of InfluxDB's `models` package, over a byte buffer with absolute indices.
/// Each function reads `b[i..<e]` where `e` is the end of the current line.
enum Scan {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static let nl = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let sp = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let eq = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let bs = UInt8(ascii: "\\")

    static let maxKeyLength = 65535
    static let minNanoTime = Int64.min + 2
    static let maxNanoTime = Int64.max - 1

    /// Byte classes, so the scanning loops step over ordinary bytes with one load and test.
    static let isComma: UInt8 = 1, isSpace: UInt8 = 2, isEquals: UInt8 = 4, isBackslash: UInt8 = 8
    static let isQuote: UInt8 = 16, isNewline: UInt8 = 32

    // Written once at first use, then only read.
    nonisolated(unsafe) static let classes: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        table[Int(comma)] = isComma
        table[Int(sp)] = isSpace
        table[Int(eq)] = isEquals
        table[Int(bs)] = isBackslash
        table[Int(quote)] = isQuote
        table[Int(nl)] = isNewline
        return UnsafePointer(table)
    }()

    /// The first index at or after `i` whose byte is in `mask` (or `e`).
    ///
    /// Eight bytes at a time while a whole word fits in the buffer (SWAR: each byte of the mask is
    /// compared in all eight lanes at once; `mask` is a constant where this is inlined, so only its
    /// bytes are tested), then byte by byte.
    @inline(__always)
    static func skip(_ b: Bytes, _ i0: Int, _ e: Int, _ mask: UInt8) -> Int {
        var i = i0
        let n = b.count
        if let base = b.baseAddress {
            while i < e && i &+ 8 <= n {
                let v = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                var t: UInt64 = 0
                if mask & isComma != 0 { t |= zeroLanes(v ^ 0x2C2C_2C2C_2C2C_2C2C) }
                if mask & isSpace != 0 { t |= zeroLanes(v ^ 0x2020_2020_2020_2020) }
                if mask & isEquals != 0 { t |= zeroLanes(v ^ 0x3D3D_3D3D_3D3D_3D3D) }
                if mask & isBackslash != 0 { t |= zeroLanes(v ^ 0x5C5C_5C5C_5C5C_5C5C) }
                if mask & isQuote != 0 { t |= zeroLanes(v ^ 0x2222_2222_2222_2222) }
                if mask & isNewline != 0 { t |= zeroLanes(v ^ 0x0A0A_0A0A_0A0A_0A0A) }
                if t != 0 {
                    let j = i &+ (t.trailingZeroBitCount >> 3)
                    return j < e ? j : e
                }
                i &+= 8
            }
            if i >= e { return e }
        }
        let table = classes
        while i < e && table[Int(b[i])] & mask == 0 { i += 1 }
        return i
    }

    /// The high bit of each byte of `x` set where that byte is zero — exactly for the lowest zero
    /// byte (a borrow can only mark bytes above a zero one), which is all ``skip`` reads.
    @inline(__always)
    static func zeroLanes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// The next newline as the line's end when the stretch holds no backslash; `speculative` when
    /// it holds a quote (a quoted newline would make the line longer: the caller checks).
    @inline(__always)
    static func lineSpeculative(_ b: Bytes, _ i0: Int, _ n: Int, hasBackslash: inout Bool, hasQuote: inout Bool) -> (Int, Int, Bool) {
        guard let base = b.baseAddress else { return (i0, 0, false) }
        let start = base + i0
        let nlPointer = memchr(start, Int32(nl), n - i0)
        let end = nlPointer.map { i0 + (UnsafeRawPointer($0) - UnsafeRawPointer(start)) } ?? n
        let length = end - i0
        hasQuote = memchr(start, Int32(quote), length) != nil
        hasBackslash = memchr(start, Int32(bs), length) != nil
        if end < n && hasBackslash {
            // InfluxDB's scan skips the byte after each backslash, so the newline is escaped
            // exactly when the run of backslashes before it is odd: then scan exactly. Otherwise
            // only a quote can still extend the line, which the caller's check catches as for
            // backslash-free lines.
            var run = 0
            while end - run - 1 >= i0 && b[end - run - 1] == bs { run += 1 }
            if run & 1 == 1 { return exactLine(b, i0, n) }
        }
        return (end, 0, hasQuote)
    }

    /// ``line(_:_:_:)`` in ``lineSpeculative(_:_:_:)``'s shape (never speculative).
    @inline(__always)
    static func exactLine(_ b: Bytes, _ i0: Int, _ n: Int) -> (Int, Int, Bool) {
        let (e, inner) = line(b, i0, n)
        return (e, inner, false)
    }

    /// The end of the line starting at `i0` — the next newline that is neither escaped nor inside
    /// a quoted field value, or `n` — and how many newlines the line itself holds.
    @inline(__always)
    static func line(_ b: Bytes, _ i0: Int, _ n: Int) -> (Int, Int) {
        var state = LineState()
        let end = line(b, i0, n, n, &state, final: true)
        return (end, state.inner)
    }

    /// What InfluxDB's line scan has seen of a line so far, so a scan can stop where the bytes
    /// run out and go on when more arrive (``LineStreamSplitter``).
    struct LineState: Sendable {
        var quoted = false
        /// Past the first space: quotes and `=` count from here on.
        var fields = false
        var equals = 0
        var commas = 0
        /// Newlines inside the line (escaped or quoted).
        var inner = 0
        /// The last of them before the scan's limit, or -1.
        var lastNewline = -1
    }

    /// InfluxDB's scanLine from `i0`, where it had seen `state`, over the bytes before `limit` of
    /// the `n` at hand. Returns the index of the newline that ends the line, or an index at or
    /// past `limit` when none is before it — or, unless `final` (the stream ends at `n`), the index
    /// of a backslash too close to `n` to tell whether it escapes (InfluxDB's scan skips the byte
    /// after a backslash only when two more follow it).
    @inline(__always)
    static func line(_ b: Bytes, _ i0: Int, _ limit: Int, _ n: Int, _ state: inout LineState, final: Bool) -> Int {
        let lineMask = isBackslash | isSpace | isEquals | isComma | isQuote | isNewline
        var i = i0
        var s = state
        defer { state = s }
        while i < limit {
            i = skip(b, i, limit, lineMask)
            if i >= limit { break }
            let c = b[i]
            if c == bs {
                if i + 2 < n {
                    if b[i + 1] == nl {
                        s.inner += 1
                        if i + 1 < limit { s.lastNewline = i + 1 }
                    }
                    i += 2
                    continue
                }
                if !final { break }
            }
            if c == sp { s.fields = true }
            if s.fields {
                if !s.quoted && c == eq {
                    i += 1
                    s.equals += 1
                    continue
                } else if !s.quoted && c == comma {
                    i += 1
                    s.commas += 1
                    continue
                } else if c == quote && s.equals > s.commas {
                    i += 1
                    s.quoted.toggle()
                    continue
                }
            }
            if c == nl {
                if !s.quoted { break }
                s.inner += 1
                s.lastNewline = i
            }
            i += 1
        }
        return i
    }

    @inline(__always)
    static func skipWhitespace(_ b: Bytes, _ i0: Int, _ e: Int) -> Int {
        var i = i0
        while i < e {
            let c = b[i]
            if c != sp && c != tab && c != 0 { break }
            i += 1
        }
        return i
    }

    /// The index of the first unescaped `stop` at or after `i` (or `e`); an escape is a backslash
    /// just before, unless the stop is the first byte of the region starting at `base`.
    @inline(__always)
    static func to(_ b: Bytes, _ i0: Int, _ e: Int, _ stop: UInt8, base: Int) -> Int {
        var i = i0
        while i < e {
            if b[i] == stop && (i == base || b[i - 1] != bs) { break }
            i += 1
        }
        return i
    }
}
