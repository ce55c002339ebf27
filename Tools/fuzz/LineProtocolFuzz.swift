// libFuzzer target for the line-protocol parser: any bytes, any precision. The parser must never
// crash or trap, must report every record exactly once in line order, and must give each accepted
// point a measurement and at least one field. Built by Tools/fuzz/run.sh (swiftc -sanitize=fuzzer,address).

@_cdecl("LLVMFuzzerTestOneInput")
public func lineProtocolFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let precision = Precision.allCases[size % Precision.allCases.count]
    var lastLine = 0
    var lines = 1
    for b in bytes where b == UInt8(ascii: "\n") { lines += 1 }
    // The fast line split (newline first, checked when doubtful) must agree with the exact scan.
    var exact = LineProtocolParser(precision: precision)
    exact.fastPaths = false
    var exactRecords: [LineProtocolRecord] = []
    exact.parse(bytes, defaultTime: 1_700_000_000_000_000_000) { exactRecords.append($0) }
    var fastRecords: [LineProtocolRecord] = []
    LineProtocolParser(precision: precision).parse(bytes, defaultTime: 1_700_000_000_000_000_000) { fastRecords.append($0) }
    precondition("\(fastRecords)" == "\(exactRecords)", "fast and exact line splitting disagree:\n\(fastRecords)\n\(exactRecords)")
    for record in fastRecords {
        let line: Int
        switch record {
        case .point(let p, let l):
            line = l
            precondition(!p.measurement.isEmpty || p.fields.count > 0, "accepted point without content")
            precondition(!p.fields.isEmpty, "accepted point without fields")
        case .error(let e):
            line = e.line
            precondition(e.column >= 1 && e.errorLine >= e.line, "bad error position \(e)")
        }
        precondition(line > lastLine && line <= lines, "records out of order: \(line) after \(lastLine) of \(lines)")
        lastLine = line
    }
    var splitter = LineStreamSplitter(maxRecordLength: size)
    _ = splitter.next(bytes, atEnd: false)
    return 0
}
