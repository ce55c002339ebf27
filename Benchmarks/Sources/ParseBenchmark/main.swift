// Line-protocol parsing: alertrelay's LineProtocolParser doing a full decode (measurement, tags,
// typed fields, time) of every line of FILE. Prints "lines/s MB/s" (median of RUNS) for run.sh,
// which puts it next to InfluxDB's models.ParsePoints on the same file.
//
// usage: ParseBenchmark FILE [RUNS]
import Foundation
import LineProtocol

let args = CommandLine.arguments
guard args.count >= 2, let data = FileManager.default.contents(atPath: args[1]) else {
    print("usage: ParseBenchmark FILE [RUNS]")
    exit(64)
}
let runs = args.count > 2 ? Int(args[2]) ?? 5 : 5
let bytes = Array(data)
// A loop, not `reduce`: a closure in top-level code is main-actor isolated and Swift 6 checks the
// executor on each call — 243M calls, about 9 s, that once misled a whole-process profile.
var lines = 0
for byte in bytes where byte == UInt8(ascii: "\n") { lines += 1 }
/// Outside the main actor: a closure defined in top-level code would check its executor per call.
nonisolated func measure(_ bytes: [UInt8], lines: Int, runs: Int) -> [Double] {
let parser = LineProtocolParser()
var rates: [Double] = []
for _ in 0..<runs {
    var points = 0
    var errors = 0
    var sink = 0
    let start = ContinuousClock.now
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
    let d = ContinuousClock.now - start
    let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    precondition(errors == 0 && points == lines, "corpus must be all valid: \(points) points, \(errors) errors")
    rates.append(Double(lines) / seconds)
    if sink == 42 { print("") }
}
return rates
}
var rates = measure(bytes, lines: lines, runs: runs)
rates.sort()
let median = rates[rates.count / 2]
print(String(format: "%.0f %.1f", median, median * Double(bytes.count) / Double(lines) / 1e6))
