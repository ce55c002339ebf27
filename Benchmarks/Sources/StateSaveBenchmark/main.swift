// How long saving the alert state holds the rule engine, at N groups (default 1,000,000).
// usage: StateSaveBenchmark [groups] [state-file]
// Before (one go on the engine thread): snapshot + encode + write. Now: the engine takes the
// snapshot a slice at a time (AlertStateSnapshotCursor, 5 ms budget) and a writer thread encodes
// and writes it; the figure is the longest the engine is held at once.
import AlertRules
import Foundation
import LineProtocol

let groups = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let path = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : NSTemporaryDirectory() + "statesave-\(getpid()).json"
defer { unlink(path) }

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

let rules = try RuleLoader(clusters: []).rules(text: """
    - id: cpu
      measurement: cpu
      groupBy: [host]
      warn: '"value" > 80'
      crit: '"value" > 90'
    """, file: "bench")
let engine = RuleEngine(rules: rules, hostname: "bench", limits: .unlimited)
var batch: [Point] = []
for i in 0..<groups {
    batch.append(Point(measurement: "cpu", tags: [Tag(key: "host", value: "host-\(i)")], fields: [Field(key: "value", value: .float(Double(i % 100)))],
                       time: Int64(i)))
    if batch.count == 10_000 {
        engine.process(batch) { _ in }
        batch.removeAll(keepingCapacity: true)
    }
}
engine.process(batch) { _ in }
let clock = ContinuousClock()
print("state save at \(groups) groups (one rule grouped by host)")

// Before: one snapshot and the write, all on the engine thread.
var t0 = clock.now
let whole = engine.snapshot()
let snapshotTime = clock.now - t0
t0 = clock.now
try whole.write(to: path)
let writeTime = clock.now - t0
let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
print(String(format: "before: engine held %.2f s per save (snapshot %.2f s, encode+fsync %.2f s, %d MB)",
             seconds(snapshotTime + writeTime), seconds(snapshotTime), seconds(writeTime), bytes >> 20))

// Now: slices on the engine thread, the write elsewhere.
t0 = clock.now
var cursor = engine.beginSnapshot()
let begin = clock.now - t0
var longest = begin
var slices = 0
var sliced = Duration.zero
while true {
    let s0 = clock.now
    let done = cursor.step(budget: .milliseconds(5))
    let d = clock.now - s0
    sliced += d
    slices += 1
    longest = max(longest, d)
    if done { break }
}
t0 = clock.now
let copied = cursor.finish()
let finish = clock.now - t0
longest = max(longest, finish)
t0 = clock.now
try copied.write(to: path)
let offThread = clock.now - t0
// The writer as it was: Foundation's JSONEncoder over the assembled snapshot (the reference).
t0 = clock.now
let foundationBytes = try foundationEncoded(copied.assemble())
let foundationTime = clock.now - t0
print(String(format: "now:    engine held at most %.1f ms at once (begin %.1f ms, longest of %d slices of 5 ms budget, finish %.1f ms; %.2f s in all); writer thread %.2f s",
             seconds(longest) * 1000, seconds(begin) * 1000, slices, seconds(finish) * 1000, seconds(sliced), seconds(offThread)))
print(String(format: "writer: hand-written JSON %.2f s (encode + fsync, %d MB)   Foundation JSONEncoder %.2f s (encode only, %d MB)   ratio %.1fx",
             seconds(offThread), ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) >> 20,
             seconds(foundationTime), foundationBytes.count >> 20, seconds(foundationTime) / max(seconds(offThread), 1e-9)))

func foundationEncoded(_ s: AlertStateSnapshot) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
    return try encoder.encode(s)
}
