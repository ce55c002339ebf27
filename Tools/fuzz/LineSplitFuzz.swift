// libFuzzer target for the TCP listener's line splitting (LineStreamSplitter): a stream cut into
// pieces at places the input chooses. However it is cut, the splitter must take the same steps
// (one record per step; a too-long line's skips may come in other pieces), consume every byte exactly once, make progress on every step and hand on
// no record longer than the limit; batched, it must hand on and skip the same bytes. With no limit
// in reach, the records parsed slice by slice must be those of the whole stream parsed at once.
// Built by Tools/fuzz/run.sh tcpsplit (swiftc -sanitize=fuzzer,address).
//
// Input: byte 0 picks the limit (below 128: none in reach; else 0...127 bytes), byte 1 seeds the
// cuts, the rest is the stream.

/// One step taken, with the bytes it covered.
struct Taken: Equatable {
    var records: Bool
    var range: Range<Int>
    var lineLength: Int?
}

/// A small seeded generator for the cuts.
struct Cuts {
    var state: UInt64
    mutating func next() -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        // Mostly short pieces, sometimes long ones.
        return z % 8 == 0 ? Int((z >> 8) % 512) + 1 : Int((z >> 8) % 9) + 1
    }
}

/// Feeds `stream` to a splitter in pieces of `cut()` bytes, then ends it; returns every step.
func split(_ stream: UnsafeRawBufferPointer, limit: Int, oneRecord: Bool, cut: () -> Int) -> [Taken] {
    var splitter = LineStreamSplitter(maxRecordLength: limit, oneRecordPerStep: oneRecord)
    let n = stream.count
    var taken: [Taken] = []
    var front = 0
    var available = 0
    var atEnd = false
    var calls = 0
    while true {
        if !atEnd {
            available = min(n, available + cut())
        }
        while true {
            calls += 1
            precondition(calls <= 4 * n + 64, "no progress: \(taken.suffix(5))")
            let step = splitter.next(UnsafeRawBufferPointer(rebasing: stream[front..<available]), atEnd: atEnd)
            switch step {
            case .needMore:
                break
            case .records(let count):
                precondition(count > 0 && front + count <= available, "records(\(count)) at \(front) of \(available)")
                taken.append(Taken(records: true, range: front..<(front + count), lineLength: nil))
                front += count
                continue
            case .skip(let count, let lineLength):
                precondition(count >= 0 && front + count <= available && (count > 0 || lineLength != nil),
                             "skip(\(count), \(String(describing: lineLength))) at \(front) of \(available)")
                taken.append(Taken(records: false, range: front..<(front + count), lineLength: lineLength))
                front += count
                continue
            }
            break
        }
        if atEnd { break }
        if available == n { atEnd = true }
    }
    precondition(front == n, "ended at \(front) of \(n)")
    return taken
}

/// The steps as a listener sees them: each run of skips that ends a too-long line as one.
func merged(_ taken: [Taken]) -> [Taken] {
    var out: [Taken] = []
    var skipStart: Int?
    for t in taken {
        if t.records {
            out.append(t)
            continue
        }
        let start = skipStart ?? t.range.lowerBound
        skipStart = start
        if t.lineLength != nil {
            out.append(Taken(records: false, range: start..<t.range.upperBound, lineLength: t.lineLength))
            skipStart = nil
        }
    }
    return out
}

/// Which bytes were handed on (true) or skipped, and the lengths of the too-long lines.
func outcome(_ taken: [Taken], _ n: Int) -> ([Bool], [Int]) {
    var handed = [Bool](repeating: false, count: n)
    var tooLong: [Int] = []
    var skippedRun = 0
    for t in taken {
        for i in t.range { handed[i] = t.records }
        if !t.records {
            skippedRun += t.range.count
            if let length = t.lineLength {
                precondition(length == skippedRun, "too-long line of \(length) bytes, \(skippedRun) skipped")
                tooLong.append(length)
                skippedRun = 0
            }
        }
    }
    precondition(skippedRun == 0, "a skip without its line's end")
    return (handed, tooLong)
}

/// The records of each handed-on slice, numbered and placed as in the whole stream.
func records(_ stream: UnsafeRawBufferPointer, _ taken: [Taken]) -> [LineProtocolRecord] {
    var out: [LineProtocolRecord] = []
    var line = 1
    for t in taken where t.records {
        let slice = UnsafeRawBufferPointer(rebasing: stream[t.range])
        LineProtocolParser().parse(slice, defaultTime: 1, firstLine: line) { record in
            if case .error(var e) = record {
                e.span = (e.span.lowerBound + t.range.lowerBound)..<(e.span.upperBound + t.range.lowerBound)
                out.append(.error(e))
            } else {
                out.append(record)
            }
        }
        line += slice.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func lineSplitFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let stream = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let n = stream.count
    let limit = data[0] < 128 ? n + 1 : Int(data[0]) - 128
    var cuts = Cuts(state: UInt64(data[1]))
    let whole = split(stream, limit: limit, oneRecord: true) { n + 1 }
    let bytes = split(stream, limit: limit, oneRecord: true) { 1 }
    let pieces = split(stream, limit: limit, oneRecord: true) { cuts.next() }
    // Skips may come in other pieces (a listener only sees where a too-long line ends).
    precondition(merged(whole) == merged(bytes) && merged(whole) == merged(pieces),
                 "the steps depend on the cuts:\n\(whole)\n\(bytes)\n\(pieces)")
    for t in whole where t.records {
        precondition(t.range.count <= limit + 1, "a record of \(t.range.count) bytes, limit \(limit)")
    }
    let batched = split(stream, limit: limit, oneRecord: false) { cuts.next() }
    let expected = outcome(whole, n)
    let got = outcome(batched, n)
    precondition(expected == got, "batched steps hand on other bytes:\n\(whole)\n\(batched)")
    if limit > n {
        precondition(expected.0.allSatisfy { $0 }, "bytes skipped with no limit in reach")
        var all: [LineProtocolRecord] = []
        LineProtocolParser().parse(stream, defaultTime: 1) { all.append($0) }
        let sliced = records(stream, batched)
        precondition(sliced == all, "slices parse otherwise than the whole stream:\n\(sliced)\n\(all)")
        precondition(records(stream, whole) == all, "records parse otherwise than the whole stream")
    }
    return 0
}
