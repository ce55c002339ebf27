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
        var scratch = Scratch()
        try parse(bytes, defaultTime: defaultTime, firstLine: firstLine, scratch: &scratch,
                  point: { p, line in try body(.point(p, line: line)) }, error: { e in try body(.error(e)) })
    }

    /// Parses every line of `bytes`, appending each accepted point to `points` (moved there: no
    /// record is made and copied) and calling `rejected` with each rejected line's error, in order.
    public func parse(_ bytes: UnsafeRawBufferPointer, defaultTime: Int64, into points: inout [Point],
                      rejected: (LineProtocolError) throws -> Void) rethrows {
        var scratch = Scratch()
        try parse(bytes, defaultTime: defaultTime, firstLine: 1, scratch: &scratch,
                  point: { p, _ in points.append(p) }, error: rejected)
    }

    /// The parse itself, with the caller's scratch buffers (a ``LineProtocolSession`` keeps them
    /// across buffers): `point` gets each accepted point and the line it starts on, `error` each
    /// rejected line.
    func parse(_ bytes: UnsafeRawBufferPointer, defaultTime: Int64, firstLine: Int, scratch: inout Scratch,
               point: (consuming Point, Int) throws -> Void, error: (LineProtocolError) throws -> Void) rethrows {
        let b = bytes.bindMemory(to: UInt8.self)
        scratch.fastPaths = fastPaths
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
            switch result.take() {
            case nil:
                continue
            case .success(let p):
                try point(p, recordLine)
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
                    for record in pieces {
                        switch record {
                        case .point(let p, let line): try point(p, line)
                        case .error(let e): try error(e)
                        }
                    }
                    continue
                }
                try error(LineProtocolError(line: recordLine, errorLine: errorLine,
                                                  column: failure.position - lineStart + 1, reason: failure.reason,
                                                  span: start..<blockEnd))
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
