#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Scan {
    // MARK: Key: measurement and tags

    /// Scans the measurement and tags; leaves the tag start indices, sorted by tag key, in
    /// `scratch.order`. Returns the key's end and the measurement's end.
    static func key(_ b: Bytes, _ start: Int, _ e: Int, scratch: inout Scratch) throws -> (Int, Int) {
        scratch.keySpaceSplitsDifferently = false
        // Measurement.
        var i = start
        if i >= e || b[i] == comma { throw ScanFailure(position: i, reason: "missing measurement") }
        var hasTags = false
        while true {
            i = skip(b, i + 1, e, isComma | isSpace)
            if i >= e { throw ScanFailure(position: i, reason: "missing fields") }
            if b[i - 1] == bs {
                noteEscapedSpace(b, i, start, &scratch)
                continue
            }
            if b[i] == comma {
                hasTags = true
                i += 1
                break
            }
            if b[i] == sp { break }
        }
        let measurementEnd = hasTags ? i - 1 : i
        guard hasTags else {
            scratch.tagCount = 0
            return (i, measurementEnd)
        }
        // Tags: start and `=` of each, in locals (see Scratch).
        var starts = scratch.tagStarts
        var equals = scratch.tagEquals
        var prefixes = scratch.tagPrefixes
        var escaped = scratch.tagEscaped
        var capacity = scratch.tagCapacity
        var count = 0
        // An escape that unescaping removes (`\,` `\ ` `\=`) is always one of the stops below: each tag notes its own.
        tagLoop: while true {
            // Key.
            if count == capacity {
                scratch.tagCount = count
                scratch.growTags()
                (starts, equals, prefixes, escaped, capacity) =
                    (scratch.tagStarts, scratch.tagEquals, scratch.tagPrefixes, scratch.tagEscaped, scratch.tagCapacity)
            }
            starts[count] = i
            escaped[count] = false
            if i >= e || b[i] == sp || b[i] == comma || b[i] == eq {
                throw ScanFailure(position: i, reason: "missing tag key")
            }
            while true {
                i = skip(b, i + 1, e, isComma | isSpace | isEquals)
                if i >= e { throw ScanFailure(position: i, reason: "missing tag value") }
                if b[i - 1] == bs {
                    escaped[count] = true
                    noteEscapedSpace(b, i, start, &scratch)
                    continue
                }
                if b[i] != eq { throw ScanFailure(position: i, reason: "missing tag value") }
                equals[count] = i
                prefixes[count] = keyPrefix(b, starts[count], i)
                count += 1
                i += 1
                break
            }
            // Value.
            if i >= e || b[i] == comma || b[i] == sp { throw ScanFailure(position: i, reason: "missing tag value") }
            while true {
                i = skip(b, i + 1, e, isComma | isSpace | isEquals)
                if i >= e { throw ScanFailure(position: i, reason: "missing fields") }
                if b[i - 1] == bs {
                    escaped[count - 1] = true  // the value of the tag whose `=` was just counted
                    noteEscapedSpace(b, i, start, &scratch)
                    continue
                }
                if b[i] == eq { throw ScanFailure(position: i, reason: "invalid tag format") }
                if b[i] == comma {
                    i += 1
                    continue tagLoop
                }
                break tagLoop  // the space that ends the tags
            }
        }
        starts[count] = i + 1  // sentinel: one past the space that ends the tags (capacity + 1)
        scratch.tagCount = count
        let order = scratch.order
        for j in 0..<count { order[j] = j }
        // Sorted and unique?
        var sorted = true
        for j in 0..<(count - 1) {
            let c = compareTagKeys(b, starts, equals, prefixes, j, j + 1)
            if c > 0 {
                sorted = false
                break
            } else if c == 0 {
                throw ScanFailure(position: starts[j + 1], reason: "duplicate tags")
            }
        }
        if !sorted {
            // InfluxDB sorts first and checks the length after; a key that long is rejected either
            // way, so it is rejected before the sort, which then sees at most ~16k tags.
            if i - start > maxKeyLength {
                throw ScanFailure(position: start, reason: "max key length exceeded: \(i - start) > \(maxKeyLength)")
            }
            sortTags(b, count, scratch: scratch)
            for j in 0..<(count - 1) where compareTagKeys(b, starts, equals, prefixes, order[j], order[j + 1]) == 0 {
                throw ScanFailure(position: starts[order[j + 1]], reason: "duplicate tags")
            }
        }
        return (i, measurementEnd)
    }

    /// The first eight bytes of `b[s..<e]` as a big-endian word, zero past `e`: words compare as
    /// the bytes do.
    @inline(__always)
    static func keyPrefix(_ b: Bytes, _ s: Int, _ e: Int) -> UInt64 {
        let n = min(e - s, 8)
        guard let base = b.baseAddress else { return 0 }
        if s + 8 <= b.count {
            let word = UInt64(bigEndian: UnsafeRawPointer(base + s).loadUnaligned(as: UInt64.self))
            return n == 8 ? word : word & ~(~0 >> UInt64(8 * n))
        }
        var word: UInt64 = 0
        for k in 0..<n { word |= UInt64(b[s + k]) << UInt64(56 - 8 * k) }
        return word
    }

    /// Notes a space at `i` that the key scan takes as escaped (a backslash before it) but InfluxDB's
    /// line scan, which skips backslashes in pairs, takes as the start of the fields (an even run
    /// of backslashes before it). The two then count quotes from different places, so where the
    /// line ends is checked with the exact scan.
    @inline(__always)
    static func noteEscapedSpace(_ b: Bytes, _ i: Int, _ start: Int, _ scratch: inout Scratch) {
        // Only a quote can make the two scans end the line differently.
        guard scratch.lineHasQuote && b[i] == sp else { return }
        var run = 0
        while i - run - 1 >= start && b[i - run - 1] == bs { run += 1 }
        if run & 1 == 0 { scratch.keySpaceSplitsDifferently = true }
    }

    /// Compares the keys of tags `x` and `y` as bytes: their prefixes first, the rest only when those
    /// are equal (a key ends at its recorded `=`).
    @inline(__always)
    static func compareTagKeys(_ b: Bytes, _ starts: UnsafeMutablePointer<Int>, _ equals: UnsafeMutablePointer<Int>,
                               _ prefixes: UnsafeMutablePointer<UInt64>, _ x: Int, _ y: Int) -> Int {
        let px = prefixes[x], py = prefixes[y]
        if px != py { return px < py ? -1 : 1 }
        let xs = starts[x], ys = starts[y]
        let xl = equals[x] - xs, yl = equals[y] - ys
        let common = min(xl, yl)
        guard common > 8, let base = b.baseAddress else { return xl - yl }
        let c = memcmp(base + xs + 8, base + ys + 8, common - 8)
        return c != 0 ? Int(c) : xl - yl
    }
}
