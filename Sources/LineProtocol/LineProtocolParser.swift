#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// InfluxDB line protocol parser that accepts and rejects exactly what InfluxDB 1.x's
/// `models.ParsePointsWithPrecision` does (with unsigned integers enabled, as in InfluxDB 2.x),
/// and decodes tags and fields as InfluxDB's `Tags()` and `Fields()` do.
///
/// Deviations, each deliberate: a `\r` before a line's end is ignored (CRLF input); inputs that make
/// InfluxDB panic are rejected; a point whose only fields have empty keys is rejected ("missing
/// fields") instead of being accepted with no fields; a record that spans lines (a quoted string
/// may hold newlines) and fails is taken line by line, so an unterminated quote costs only its own
/// line, not the lines it swallowed (InfluxDB rejects them all as one); a key over 65,535 bytes
/// whose tags are out of order is rejected for its length before they are sorted, so one that
/// also repeats a tag says "max key length exceeded" where InfluxDB says "duplicate tags".
///
/// It scans the bytes in place and makes no `String` while parsing: an accepted point is one
/// buffer (its line, unescaped copies of escaped names, typed values; see ``Point``), and strings
/// are made when a reader asks for them.
///
/// ```swift
/// let parser = LineProtocolParser(precision: .seconds)
/// parser.parse(Array("cpu,host=a usage_idle=97.5 1700000000\n".utf8), defaultTime: now) { record in
///     if case .point(let p, _) = record { print(p.measurement, p.fields) }
/// }
/// ```
public struct LineProtocolParser: Sendable {
    /// The unit of timestamps in the input.
    public var precision: Precision
    /// The fast paths: lines split at the next newline and checked only when doubtful, common
    /// numbers and timestamps read in one pass, fields split where the scan recorded them. False
    /// takes InfluxDB's rules step by step everywhere. Both must give the same records: the fuzz
    /// target and FastLineSplitTests compare them.
    var fastPaths = true

    /// A parser for timestamps in `precision`.
    public init(precision: Precision = .nanoseconds) {
        self.precision = precision
    }

    /// Parses every line of `bytes` and calls `body` with each record, in order.
    ///
    /// - Parameters:
    ///   - defaultTime: nanoseconds given (truncated to the precision) to points without a timestamp.
    ///   - firstLine: the number of the buffer's first line (for buffers that continue a stream).
    public func parse(_ bytes: UnsafeRawBufferPointer, defaultTime: Int64, firstLine: Int = 1,
                      _ body: (LineProtocolRecord) throws -> Void) rethrows {
        let b = bytes.bindMemory(to: UInt8.self)
        var scratch = Scratch()
        scratch.fastPaths = fastPaths
        defer { scratch.deallocate() }
        var pos = 0
        var line = firstLine
        let n = b.count
        let truncatedDefault = precision.truncate(defaultTime)
        while pos < n {
            let blockStart = pos
            // Speculate that the line ends at the next newline when nothing escapes it; a quoted
            // newline shows up as unbalanced quotes, and only then is the exact scan needed.
            scratch.lineHasBackslash = true
            scratch.lineHasQuote = true
            var (end, inner, speculative) = fastPaths
                ? Scan.lineSpeculative(b, pos, n, hasBackslash: &scratch.lineHasBackslash, hasQuote: &scratch.lineHasQuote)
                : Scan.exactLine(b, pos, n)
            var result: Result<Point, ScanFailure>?
            var start = 0
            var blockEnd = end
            while true {
                result = nil
                blockEnd = end
                // Deviation from InfluxDB 1.x: CRLF line endings are accepted (a \r before the newline).
                if end > blockStart && end < n && b[blockEnd - 1] == Scan.cr { blockEnd -= 1 }
                start = Scan.skipWhitespace(b, blockStart, blockEnd)
                let skip = end == blockStart || start >= blockEnd || b[start] == UInt8(ascii: "#")
                if !skip {
                    if b[blockEnd - 1] == Scan.nl { blockEnd -= 1 }
                    result = Scan.point(b, start, blockEnd, precision: precision, defaultTime: truncatedDefault, scratch: &scratch)
                }
                // A quote may have kept the newline inside the line (InfluxDB's scan then reads on).
                // The parser toggles quotes by the same rule from the first unescaped space on, so
                // an accepted line agrees — unless InfluxDB's scan finds that first space elsewhere:
                // in leading whitespace, or after an even run of backslashes in the key (which the
                // key scan takes as escaped). Any rejection, a blank line, leading whitespace or
                // such a space is checked with the exact scan. (The fuzzer's fast-vs-exact
                // comparison found ` ="`, `m f=1 "`, ` v=g" v=""`, `\0 wt="a st=" st"` and
                // `m\\ s="r n=1⏎c e=t` splitting differently.)
                let doubtful: Bool
                if case .failure = result {
                    doubtful = true
                } else {
                    doubtful = skip || start > blockStart || scratch.keySpaceSplitsDifferently
                }
                guard speculative && doubtful else { break }
                speculative = false
                let exact = Scan.line(b, blockStart, n)
                if exact.0 == end { break }
                (end, inner) = exact
                scratch.lineHasBackslash = true
                scratch.lineHasQuote = true
            }
            let recordLine = line
            line += inner + (end < n ? 1 : 0)
            pos = end + 1
            switch result {
            case nil:
                continue
            case .success(let point):
                try body(.point(point, line: recordLine))
            case .failure(let failure):
                var errorLine = recordLine
                var lineStart = blockStart
                var j = blockStart
                while j < failure.position && j < end {
                    if b[j] == Scan.nl {
                        errorLine += 1
                        lineStart = j + 1
                    }
                    j += 1
                }
                // A record that runs over several lines and fails is most often an unterminated
                // quote that swallowed the lines after it: its lines are taken one by one, so the
                // good ones are kept and only the bad ones rejected. When none of them is a point,
                // the record is rejected whole, as InfluxDB rejects it.
                if inner > 0, let pieces = lineByLine(b, blockStart, end, n: n, firstLine: recordLine,
                                                      defaultTime: truncatedDefault, scratch: &scratch) {
                    for record in pieces { try body(record) }
                    continue
                }
                try body(.error(LineProtocolError(line: recordLine, errorLine: errorLine,
                                                  column: failure.position - lineStart + 1, reason: failure.reason,
                                                  span: start..<blockEnd)))
            }
        }
    }

    /// The records of `b[s..<e]` taken as separate lines, each ended by the next newline whatever
    /// quotes or backslashes precede it; nil when none of them is a point.
    private func lineByLine(_ b: Scan.Bytes, _ s: Int, _ e: Int, n: Int, firstLine: Int, defaultTime: Int64,
                            scratch: inout Scratch) -> [LineProtocolRecord]? {
        var records: [LineProtocolRecord] = []
        var anyPoint = false
        var line = firstLine
        var pos = s
        while pos <= e {
            let lineStart = pos
            var lineEnd = lineStart
            if let base = b.baseAddress, let nl = memchr(base + lineStart, Int32(Scan.nl), e - lineStart) {
                lineEnd = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
            } else {
                lineEnd = e
            }
            pos = lineEnd + 1
            defer { line += 1 }
            var blockEnd = lineEnd
            if lineEnd > lineStart && (lineEnd < e || e < n) && b[lineEnd - 1] == Scan.cr { blockEnd -= 1 }
            let start = Scan.skipWhitespace(b, lineStart, blockEnd)
            if start >= blockEnd || b[start] == UInt8(ascii: "#") { continue }
            scratch.lineHasBackslash = true
            scratch.lineHasQuote = true
            switch Scan.point(b, start, blockEnd, precision: precision, defaultTime: defaultTime, scratch: &scratch) {
            case .success(let point):
                anyPoint = true
                records.append(.point(point, line: line))
            case .failure(let failure):
                records.append(.error(LineProtocolError(line: line, column: failure.position - lineStart + 1,
                                                        reason: failure.reason, span: start..<blockEnd)))
            }
        }
        return anyPoint ? records : nil
    }

    /// Parses `bytes`; see ``parse(_:defaultTime:firstLine:_:)-(UnsafeRawBufferPointer,_,_,_)``.
    public func parse(_ bytes: [UInt8], defaultTime: Int64, firstLine: Int = 1,
                      _ body: (LineProtocolRecord) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try parse($0, defaultTime: defaultTime, firstLine: firstLine, body) }
    }

    /// Every record of `bytes`, in order.
    public func records(_ bytes: [UInt8], defaultTime: Int64) -> [LineProtocolRecord] {
        var out: [LineProtocolRecord] = []
        parse(bytes, defaultTime: defaultTime) { out.append($0) }
        return out
    }
}

/// Reusable per-call buffers, so a line costs no temporary allocations: for the tags, each one's
/// start (plus a sentinel) and `=`, and their order sorted by key; for the fields, each unquoted
/// `=` with the value the scan decoded there, and each comma between fields.
///
/// The scanning loops copy the pointers and counts into locals (stores through the pointers could
/// otherwise alias the struct and force reloads) and call ``growTags()``/``growFields()`` only
/// when a line has more than the capacity.
struct Scratch {
    private(set) var tagCapacity = 64
    private(set) var tagStarts: UnsafeMutablePointer<Int>
    private(set) var tagEquals: UnsafeMutablePointer<Int>
    /// Each tag key's first eight bytes as a big-endian word (zero-padded): sorting compares these.
    private(set) var tagPrefixes: UnsafeMutablePointer<UInt64>
    /// Whether each tag holds an escape that unescaping removes.
    private(set) var tagEscaped: UnsafeMutablePointer<Bool>
    private(set) var order: UnsafeMutablePointer<Int>
    /// Room for the merge passes of ``Scan/sortTags(_:_:scratch:)``.
    private(set) var orderSpare: UnsafeMutablePointer<Int>
    /// Tags seen on the current line.
    var tagCount = 0
    private(set) var fieldCapacity = 64
    private(set) var fieldEquals: UnsafeMutablePointer<Int>
    private(set) var fieldValues: UnsafeMutablePointer<ScannedValue>
    private(set) var fieldCommas: UnsafeMutablePointer<Int>
    /// Unquoted `=` and commas seen in the current field set.
    var equalsCount = 0
    var commasCount = 0
    /// The point being decoded.
    var builder = PointBuilder()
    /// False when the current line holds no backslash, so nothing in it needs unescaping.
    var lineHasBackslash = true
    /// False when the current line holds no quote.
    var lineHasQuote = true
    /// Whether the field set just scanned holds a backslash.
    var fieldsHaveBackslash = true
    /// Whether the field set just scanned has a quote where a key is (between a comma and the
    /// next `=`); without backslashes every quote is seen, so this is exact.
    var fieldKeysHaveQuote = true
    /// Whether the key just scanned holds a space InfluxDB's line scan splits at but the key scan
    /// does not (see ``Scan/noteEscapedSpace(_:_:_:_:)``).
    var keySpaceSplitsDifferently = false
    /// See ``LineProtocolParser/fastPaths``.
    var fastPaths = true

    init() {
        tagStarts = .allocate(capacity: tagCapacity + 1)
        tagEquals = .allocate(capacity: tagCapacity + 1)
        tagPrefixes = .allocate(capacity: tagCapacity + 1)
        tagEscaped = .allocate(capacity: tagCapacity + 1)
        order = .allocate(capacity: tagCapacity + 1)
        orderSpare = .allocate(capacity: tagCapacity + 1)
        fieldEquals = .allocate(capacity: fieldCapacity)
        fieldValues = .allocate(capacity: fieldCapacity)
        fieldCommas = .allocate(capacity: fieldCapacity)
    }

    func deallocate() {
        tagStarts.deallocate()
        tagEquals.deallocate()
        tagPrefixes.deallocate()
        tagEscaped.deallocate()
        order.deallocate()
        orderSpare.deallocate()
        fieldEquals.deallocate()
        fieldValues.deallocate()
        fieldCommas.deallocate()
        builder.deallocate()
    }

    /// Doubles the tag buffers, keeping the first `tagCount` entries.
    mutating func growTags() {
        let bigger = tagCapacity * 2
        tagStarts = Scratch.moved(tagStarts, tagCount, bigger + 1)
        tagEquals = Scratch.moved(tagEquals, tagCount, bigger + 1)
        tagPrefixes = Scratch.moved(tagPrefixes, tagCount, bigger + 1)
        tagEscaped = Scratch.moved(tagEscaped, tagCount, bigger + 1)
        order.deallocate()
        order = .allocate(capacity: bigger + 1)
        orderSpare.deallocate()
        orderSpare = .allocate(capacity: bigger + 1)
        tagCapacity = bigger
    }

    /// Doubles the field buffers, keeping the first `equalsCount` and `commasCount` entries.
    mutating func growFields() {
        let bigger = fieldCapacity * 2
        fieldEquals = Scratch.moved(fieldEquals, equalsCount, bigger)
        fieldValues = Scratch.moved(fieldValues, equalsCount, bigger)
        fieldCommas = Scratch.moved(fieldCommas, commasCount, bigger)
        fieldCapacity = bigger
    }

    private static func moved<T>(_ old: UnsafeMutablePointer<T>, _ count: Int, _ capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: count)
        old.deallocate()
        return new
    }
}


/// Where and why a line was rejected.
struct ScanFailure: Error {
    var position: Int
    var reason: String
}

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

    // MARK: One point

    static func point(_ b: Bytes, _ s: Int, _ e: Int, precision: Precision, defaultTime: Int64,
                      scratch: inout Scratch) -> Result<Point, ScanFailure> {
        do {
            let keyStart = skipWhitespace(b, s, e)
            let (keyEnd, measurementEnd) = try key(b, keyStart, e, scratch: &scratch)
            if keyEnd - keyStart == 0 { throw ScanFailure(position: keyStart, reason: "missing measurement") }
            if keyEnd - keyStart > maxKeyLength {
                throw ScanFailure(position: keyStart, reason: "max key length exceeded: \(keyEnd - keyStart) > \(maxKeyLength)")
            }
            let (fieldsEnd, fieldsStart) = try fields(b, keyEnd, e, scratch: &scratch)
            if fieldsEnd == fieldsStart { throw ScanFailure(position: fieldsStart, reason: "missing fields") }
            // Each field key makes a series key with the measurement and tags; it has a size limit.
            var p = (keyEnd - keyStart) + 4 + (fieldsEnd - fieldsStart) <= maxKeyLength ? fieldsEnd : fieldsStart
            while p < fieldsEnd {
                let k = to(b, p, fieldsEnd, eq, base: fieldsStart)
                if k > fieldsEnd - 2 { throw ScanFailure(position: p, reason: "invalid field format") }
                if (keyEnd - keyStart) + 4 + (k - p) > maxKeyLength {
                    throw ScanFailure(position: p, reason: "max key length exceeded: \((keyEnd - keyStart) + 4 + (k - p)) > \(maxKeyLength)")
                }
                p = fieldValue(b, k + 1, fieldsEnd) + 1
            }
            let (tsEnd, tsStart, scannedTime) = try time(b, fieldsEnd, e, fast: scratch.fastPaths)
            var timestamp = defaultTime
            if tsEnd > tsStart {
                guard let ts = scannedTime ?? parseInt64(b, tsStart, tsEnd) else {
                    throw ScanFailure(position: tsStart, reason: "invalid timestamp \"\(string(b, tsStart, tsEnd))\": out of range or not an integer")
                }
                guard let t = safeTime(ts, precision.nanoseconds) else {
                    throw ScanFailure(position: tsStart, reason: "time outside range \(minNanoTime) - \(maxNanoTime)")
                }
                timestamp = t
                var j = tsEnd
                while j < e {
                    if b[j] != sp { throw ScanFailure(position: j, reason: "point is invalid: unexpected text after the timestamp") }
                    j += 1
                }
            }
            return .success(try decode(b, lineStart: s, lineEnd: e, keyStart: keyStart, measurementEnd: measurementEnd,
                                       fieldsStart: fieldsStart, fieldsEnd: fieldsEnd, time: timestamp, scratch: &scratch))
        } catch let failure as ScanFailure {
            return .failure(failure)
        } catch {
            return .failure(ScanFailure(position: s, reason: "\(error)"))
        }
    }

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

    // MARK: Fields

    /// Scans the field set; returns its end and start.
    static func fields(_ b: Bytes, _ i0: Int, _ e: Int, scratch: inout Scratch) throws -> (Int, Int) {
        let start = skipWhitespace(b, i0, e)
        var i = start
        var quoted = false
        // Each unquoted `=` with its value, and each comma, in locals (see Scratch).
        var equalsAt = scratch.fieldEquals
        var values = scratch.fieldValues
        var commasAt = scratch.fieldCommas
        var capacity = scratch.fieldCapacity
        var equals = 0
        var commas = 0
        var backslash = false
        var quoteInKey = false
        defer {
            scratch.equalsCount = equals
            scratch.commasCount = commas
            scratch.fieldsHaveBackslash = backslash
            scratch.fieldKeysHaveQuote = quoteInKey
        }
        let fieldMask = isBackslash | isQuote | isEquals | isComma | isSpace
        while i < e {
            i = skip(b, i, e, fieldMask)
            if i >= e { break }
            let c = b[i]
            if c == bs {
                backslash = true
                if i + 1 < e {
                    i += 2
                    continue
                }
            }
            if c == quote {
                if equals > commas {
                    quoted.toggle()
                    i += 1
                    continue
                }
                quoteInKey = true
            }
            if (c == eq || c == comma) && (equals == capacity || commas == capacity) {
                (scratch.equalsCount, scratch.commasCount) = (equals, commas)
                scratch.growFields()
                (equalsAt, values, commasAt, capacity) = (scratch.fieldEquals, scratch.fieldValues, scratch.fieldCommas, scratch.fieldCapacity)
            }
            if c == eq && !quoted {
                equalsAt[equals] = i
                values[equals] = .none
                equals += 1
                let before = b[i - 1]
                let beforeThat: UInt8 = i - 2 >= 0 ? b[i - 2] : 0
                if before == sp && beforeThat != bs { throw ScanFailure(position: i, reason: "missing field key") }
                if before == comma && beforeThat != bs { throw ScanFailure(position: i, reason: "missing field key") }
                if i + 1 >= e { throw ScanFailure(position: i + 1, reason: "missing field value") }
                let next = b[i + 1]
                if next == comma || next == sp { throw ScanFailure(position: i + 1, reason: "missing field value") }
                if isNumeric(next) || next == UInt8(ascii: "-") || next == UInt8(ascii: "N") || next == UInt8(ascii: "n") {
                    i = scratch.fastPaths ? try number(b, i + 1, e, value: &values[equals - 1])
                        : try numberExact(b, i + 1, e, value: &values[equals - 1])
                } else if next != quote {
                    i = try boolean(b, i + 1, e, value: &values[equals - 1])
                } else {
                    i += 1  // the opening quote: the loop toggles `quoted` there
                    continue
                }
                // A value ends at a comma or a space (or the line's end): take the comma here, as
                // the loop would after one more skip (the loop grows the buffers when they are full).
                if i < e && b[i] == comma && commas < capacity {
                    commasAt[commas] = i
                    commas += 1
                    i += 1
                }
                continue
            }
            if c == comma && !quoted {
                commasAt[commas] = i
                commas += 1
            }
            if c == sp && !quoted { break }
            i += 1
        }
        if quoted { throw ScanFailure(position: i, reason: "unbalanced quotes") }
        if equals == 0 || commas != equals - 1 { throw ScanFailure(position: i, reason: "invalid field format") }
        return (i, start)
    }

    @inline(__always)
    static func isNumeric(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") }

    /// Scans a float, integer (`i`) or unsigned (`u`) value; returns its end and sets `value` to
    /// the number when it can (see ``ScannedValue``).
    ///
    /// The common shapes — `[-]digits[.digits]` with an optional `i`/`u`, then a comma, a space or
    /// the line's end, at most 19 digits — are read here in one pass that also computes the value;
    /// anything else (exponents, `NaN`, errors, long numbers) goes to ``numberExact``, InfluxDB's
    /// scanNumber rule by rule. Both accept the same text with the same end.
    @inline(__always)
    static func number(_ b: Bytes, _ start: Int, _ e: Int, value: inout ScannedValue) throws -> Int {
        var i = start
        let negative = b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        let digitsStart = i
        i = digitRun(b, i, e, into: &mantissa)
        var digits = i - digitsStart
        var fractionDigits = -1  // no '.'
        if i < e && b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            // One by one: fractions are short here, and the word check costs more than it saves.
            while i < e, b[i] &- 0x30 <= 9 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30)
                i += 1
            }
            fractionDigits = i - fractionStart
            digits += fractionDigits
        }
        guard digits > 0 && digits <= 19 else { return try numberExact(b, start, e, value: &value) }
        var c = i < e ? b[i] : sp
        if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            // An exponent: taken here only when Clinger's exact path applies (the value is then a
            // finite double, as strconv computes it); anything else is the exact scan's.
            var j = i + 1
            var negativeExponent = false
            if j < e && (b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-")) {
                negativeExponent = b[j] == UInt8(ascii: "-")
                j += 1
            }
            var exponent = 0
            let exponentStart = j
            while j < e, b[j] &- 0x30 <= 9, j - exponentStart < 3 {
                exponent = exponent * 10 + Int(b[j] &- 0x30)
                j += 1
            }
            let after = j < e ? b[j] : sp
            let scale = (negativeExponent ? -exponent : exponent) - max(fractionDigits, 0)
            guard j > exponentStart, after == comma || after == sp, digits <= 15, scale >= -22, scale <= 22 else {
                return try numberExact(b, start, e, value: &value)
            }
            value = ScannedValue(kind: .float, bits: exactDouble(mantissa, scale: scale, negative: negative).bitPattern, end: j)
            return j
        }
        c = i < e ? b[i] : sp
        if c == comma || c == sp {
            if digits <= 15 {
                let v = exactDouble(mantissa, scale: -max(fractionDigits, 0), negative: negative)
                value = ScannedValue(kind: .float, bits: v.bitPattern, end: i)
            }
            return i
        }
        // `i` or `u` must end the number; a '.' before it is an error the exact scan reports.
        let next = i + 1 < e ? b[i + 1] : sp
        guard fractionDigits < 0 && (next == comma || next == sp) else { return try numberExact(b, start, e, value: &value) }
        if c == UInt8(ascii: "i") && digits <= 18 {
            let v = negative ? -Int64(mantissa) : Int64(mantissa)
            value = ScannedValue(kind: .integer, bits: UInt64(bitPattern: v), end: i + 1)
            return i + 1
        }
        if c == UInt8(ascii: "u") && !negative {
            value = ScannedValue(kind: .unsigned, bits: mantissa, end: i + 1)
            return i + 1
        }
        return try numberExact(b, start, e, value: &value)
    }

    /// InfluxDB's scanNumber, rule by rule. It is reached for what ``number`` does not read (and
    /// for every number when the fast paths are off); it sets `value` only for exponents and long
    /// floats, whose check already parses them — decoding parses the rest from the text.
    static func numberExact(_ b: Bytes, _ start: Int, _ e: Int, value: inout ScannedValue) throws -> Int {
        var i = start
        var isInt = false
        var isUnsigned = false
        if i < e && b[i] == UInt8(ascii: "-") {
            i += 1
            if i == e { throw ScanFailure(position: i, reason: "invalid number") }
        }
        var decimal = false
        var scientific = false
        while i < e {
            let c = b[i]
            // Digits are most of a number: take them without the checks below.
            if c &- 0x30 <= 9 {
                i += 1
                continue
            }
            if c == comma || c == sp { break }
            if c == UInt8(ascii: "i") && i > start && !(isInt || isUnsigned) {
                isInt = true
                i += 1
                continue
            } else if c == UInt8(ascii: "u") && i > start && !(isInt || isUnsigned) {
                isUnsigned = true
                i += 1
                continue
            }
            if c == UInt8(ascii: ".") {
                if decimal { throw ScanFailure(position: i, reason: "invalid number") }
                decimal = true
            }
            if i > start && (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) {
                scientific = true
                i += 1
                continue
            }
            if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && (b[i - 1] == UInt8(ascii: "e") || b[i - 1] == UInt8(ascii: "E")) {
                i += 1
                continue
            }
            if i + 2 < e && (c == UInt8(ascii: "N") || c == UInt8(ascii: "n")) {
                throw ScanFailure(position: i, reason: "invalid number")
            }
            if !isNumeric(c) { throw ScanFailure(position: i, reason: "invalid number") }
            i += 1
        }
        if (isInt || isUnsigned) && (decimal || scientific) { throw ScanFailure(position: start, reason: "invalid number") }
        var digits = i - start
        if isInt { digits -= 1 }
        if decimal { digits -= 1 }
        if b[start] == UInt8(ascii: "-") { digits -= 1 }
        if digits == 0 { throw ScanFailure(position: start, reason: "invalid number") }
        if isInt {
            if b[i - 1] != UInt8(ascii: "i") { throw ScanFailure(position: start, reason: "invalid number") }
            if i - 1 - start >= 19 && parseInt64(b, start, i - 1) == nil {
                throw ScanFailure(position: start, reason: "unable to parse integer \(string(b, start, i - 1)): value out of range")
            }
        } else if isUnsigned {
            if b[i - 1] != UInt8(ascii: "u") { throw ScanFailure(position: start, reason: "invalid number") }
            if b[start] == UInt8(ascii: "-") { throw ScanFailure(position: start, reason: "invalid number") }
            if i - 1 - start >= 20 && parseUInt64(b, start, i - 1) == nil {
                throw ScanFailure(position: start, reason: "unable to parse unsigned \(string(b, start, i - 1)): value out of range")
            }
        } else if scientific || i - start >= 25 {
            guard let v = parseFloat(b, start, i) else { throw ScanFailure(position: start, reason: "invalid float") }
            value = ScannedValue(kind: .float, bits: v.bitPattern, end: i)
            return i
        }
        return i
    }

    /// Reads the decimal digits from `i` on into `value` (eight at a time, then one by one; it
    /// wraps past 19 digits, which callers count and refuse); returns where they end.
    @inline(__always)
    static func digitRun(_ b: Bytes, _ i0: Int, _ e: Int, into value: inout UInt64) -> Int {
        var i = i0
        while i + 8 <= e, let eight = eightDigits(b, i) {
            value = value &* 100_000_000 &+ eight
            i += 8
        }
        while i < e, b[i] &- 0x30 <= 9 {
            value = value &* 10 &+ UInt64(b[i] &- 0x30)
            i += 1
        }
        return i
    }

    /// The value of the eight bytes at `i` read as decimal digits, or nil when one is not a digit
    /// (SWAR: one load, a check and three multiplies instead of eight dependent steps).
    @inline(__always)
    static func eightDigits(_ b: Bytes, _ i: Int) -> UInt64? {
        guard let base = b.baseAddress else { return nil }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
        // Each byte is 0x30...0x39: high nibble 3, and adding 6 does not carry out of the low nibble.
        let high = word & 0xF0F0_F0F0_F0F0_F0F0
        let carried = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        guard high == 0x3030_3030_3030_3030 && carried == 0x3030_3030_3030_3030 else { return nil }
        var v = word &- 0x3030_3030_3030_3030
        // Pairs, then quads, then the eight (the first byte is the most significant digit).
        v = (v &* 10) &+ (v >> 8)
        v = ((v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
             &+ ((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))) >> 32
        return v
    }

    /// Scans `t`, `T`, `true`, `True`, `TRUE`, `f`, `F`, `false`, `False`, `FALSE`; returns its end.
    static func boolean(_ b: Bytes, _ start: Int, _ e: Int, value: inout ScannedValue) throws -> Int {
        var i = start
        let first = b[i]
        let t = UInt8(ascii: "t"), f = UInt8(ascii: "f"), bigT = UInt8(ascii: "T"), bigF = UInt8(ascii: "F")
        if first != t && first != f && first != bigT && first != bigF {
            throw ScanFailure(position: i, reason: "invalid boolean")
        }
        i += 1
        while i < e && b[i] != comma && b[i] != sp { i += 1 }
        guard let v = parseBool(b, start, i) else { throw ScanFailure(position: start, reason: "invalid boolean") }
        value = ScannedValue(kind: .boolean, bits: v ? 1 : 0, end: i)
        return i
    }

    /// Scans the optional timestamp; returns its end and start.
    /// Also returns the value when it is plain digits (at most 19, at most Int64.max), read eight
    /// at a time; otherwise nil and the caller parses the text.
    static func time(_ b: Bytes, _ i0: Int, _ e: Int, fast: Bool) throws -> (Int, Int, Int64?) {
        let start = skipWhitespace(b, i0, e)
        var i = start
        var value: UInt64 = 0
        if fast { i = digitRun(b, i, e, into: &value) }
        // 19 digits fit a UInt64 (below 10^19): in range when at most Int64.max.
        if fast && i - start <= 19 && value <= UInt64(Int64.max) && (i == e || b[i] == sp || b[i] == nl) {
            return (i, start, i > start ? Int64(value) : nil)
        }
        i = start
        while i < e {
            let c = b[i]
            if c == nl || c == sp { break }
            if i == start && c == UInt8(ascii: "-") {
                i += 1
                continue
            }
            if c < 0x30 || c > 0x39 { throw ScanFailure(position: i, reason: "bad timestamp") }
            i += 1
        }
        return (i, start, nil)
    }

    /// InfluxDB's `SafeCalcTime`: the timestamp in nanoseconds, or nil when out of range.
    static func safeTime(_ a: Int64, _ m: Int64) -> Int64? {
        let product: Int64
        if a == 0 || m == 0 || a == 1 || m == 1 {
            product = a &* m
        } else {
            if a == minNanoTime || m == maxNanoTime { return nil }
            let c = a &* m
            guard c / m == a else { return nil }
            product = c
        }
        guard product >= minNanoTime && product <= maxNanoTime else { return nil }
        return product
    }

    /// The end of a field value starting at `i`: the next comma outside quotes.
    @inline(__always)
    static func fieldValue(_ b: Bytes, _ i0: Int, _ e: Int) -> Int {
        var i = i0
        var quoted = false
        while i < e {
            let c = b[i]
            if c == bs && i + 1 < e && (b[i + 1] == quote || b[i + 1] == bs) {
                i += 2
                continue
            }
            if c == quote {
                i += 1
                quoted.toggle()
                continue
            }
            if c == comma && !quoted { break }
            i += 1
        }
        return i
    }

    static func string(_ b: Bytes, _ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }
}

/// A field value the scan decoded while checking it: its type, bits and end (where the scan
/// stopped), so decoding need not read the digits again.
struct ScannedValue {
    /// What `bits` holds (`none` in a point's field entry: a string, `bits` its text's start and
    /// length). The raw values are stored in points (``PointStorage/fieldValue(_:)``).
    enum Kind: UInt8 {
        case none = 0, float = 1, integer = 2, unsigned = 3, boolean = 4
    }
    var kind: Kind
    var bits: UInt64
    var end: Int

    static let none = ScannedValue(kind: .none, bits: 0, end: -1)
}

