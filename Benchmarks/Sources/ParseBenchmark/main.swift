// Line-protocol parsing: alertrelay's LineProtocolParser doing a full decode (measurement, tags,
// typed fields, time) of every line of FILE. Prints "lines/s MB/s" (median of RUNS) for run.sh,
// which puts it next to InfluxDB's models.ParsePoints on the same file.
//
// With CHUNK, the file is parsed as the UDP reader parses datagrams: CHUNK lines per buffer, the
// points appended to one reused array and dropped before the next buffer — `oneoff` with the
// plain parser (fresh scratch buffers per buffer, each point's storage freed), `session` with a
// LineProtocolSession (scratch kept, the dropped points' storage reused by the next buffer's).
//
// usage: ParseBenchmark FILE [RUNS [CHUNK oneoff|session]]
import Foundation
import LineProtocol

let args = CommandLine.arguments
guard args.count >= 2, let data = FileManager.default.contents(atPath: args[1]) else {
    print("usage: ParseBenchmark FILE [RUNS [CHUNK oneoff|session]]")
    exit(64)
}
let runs = args.count > 2 ? Int(args[2]) ?? 5 : 5
let chunk = args.count > 3 ? Int(args[3]) ?? 0 : 0
let useSession = args.count > 4 && args[4] == "session"
let bytes = Array(data)
// A loop, not `reduce`: a closure in top-level code is main-actor isolated and Swift 6 checks the
// executor on each call — 243M calls, about 9 s, that once misled a whole-process profile.
var lines = 0
for byte in bytes where byte == UInt8(ascii: "\n") { lines += 1 }
/// Lines per second of each of `runs` timed runs of `parseAll`, which parses the whole corpus and
/// returns the points and rejected lines it saw and a sum over the points (kept, so the optimizer
/// cannot drop the parse). Outside the main actor: a closure defined in top-level code would check
/// its executor per call.
nonisolated func timedRuns(_ runs: Int, lines: Int, _ parseAll: () -> (points: Int, errors: Int, sink: Int)) -> [Double] {
    var rates: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let (points, errors, sink) = parseAll()
        let d = ContinuousClock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        precondition(errors == 0 && points == lines, "corpus must be all valid: \(points) points, \(errors) errors")
        rates.append(Double(lines) / seconds)
        if sink == 42 { print("") }
    }
    return rates
}

/// Lines per second parsing `bytes` in one buffer.
nonisolated func measure(_ bytes: [UInt8], lines: Int, runs: Int) -> [Double] {
    let parser = LineProtocolParser()
    return timedRuns(runs, lines: lines) {
        var points = 0
        var errors = 0
        var sink = 0
        bytes.withUnsafeBytes { raw in
            parser.parse(raw, defaultTime: 0) { record in
                switch record {
                case .point(let p, _):
                    points += 1
                    // The point is decoded in full when parsed (names unescaped, numbers typed);
                    // its counts and time are read without making the tag and field views.
                    sink &+= p.fieldCount &+ p.tagCount &+ Int(truncatingIfNeeded: p.time)
                case .error:
                    errors += 1
                }
            }
        }
        return (points, errors, sink)
    }
}

/// The buffers of CHUNK lines each (byte ranges of `bytes`).
nonisolated func chunks(_ bytes: [UInt8], every n: Int) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var start = 0
    var seen = 0
    for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
        seen += 1
        if seen == n {
            out.append(start..<(i + 1))
            start = i + 1
            seen = 0
        }
    }
    if start < bytes.count { out.append(start..<bytes.count) }
    return out
}

/// Lines per second parsing `bytes` buffer by buffer, as the UDP reader does.
nonisolated func measureChunked(_ bytes: [UInt8], lines: Int, runs: Int, chunk: Int, session useSession: Bool) -> [Double] {
    let parser = LineProtocolParser()
    let ranges = chunks(bytes, every: chunk)
    return timedRuns(runs, lines: lines) {
        let session = LineProtocolSession(parser)
        var points: [Point] = []
        var count = 0
        var errors = 0
        var sink = 0
        bytes.withUnsafeBytes { all in
            for r in ranges {
                let raw = UnsafeRawBufferPointer(rebasing: all[r])
                if useSession {
                    session.recycle(&points)
                    session.parse(raw, defaultTime: 0, into: &points) { _ in errors += 1 }
                } else {
                    points.removeAll(keepingCapacity: true)
                    parser.parse(raw, defaultTime: 0, into: &points) { _ in errors += 1 }
                }
                count += points.count
                for p in points { sink &+= p.fieldCount &+ p.tagCount &+ Int(truncatingIfNeeded: p.time) }
            }
        }
        return (count, errors, sink)
    }
}

var rates = chunk > 0
    ? measureChunked(bytes, lines: lines, runs: runs, chunk: chunk, session: useSession)
    : measure(bytes, lines: lines, runs: runs)
rates.sort()
let median = rates[rates.count / 2]
print(String(format: "%.0f %.1f", median, median * Double(bytes.count) / Double(lines) / 1e6))
