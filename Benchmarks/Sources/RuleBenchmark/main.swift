// Rule evaluation throughput: points x matching threshold rules per second, one core.
// usage: RuleBenchmark [rules...]   prints one line per rule count, then the idle and memory figures.
// Output line: "rules N evaluations/s E points/s P events E"
import AlertRules
import Foundation
import LineProtocol

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Resident set size; measured in a fresh process (`--memory`) so freed memory does not blur it.
func heapInUse() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = s.split(separator: " ")
    return (Int(parts[1]) ?? 0) * 4096
}

/// `count` threshold rules over 100 measurements (rule i reads m<i % 100>), grouped by host,
/// as a Kapacitor user writes them: warn above 80, crit above 90.
func rules(_ count: Int) throws -> [AlertRule] {
    var yaml = ""
    for i in 0..<count {
        yaml += """
            - id: rule-\(i)
              measurement: m\(i % 100)
              groupBy: [host]
              warn: '"value" > 80'
              crit: '"value" > 90'
              stateChangesOnly: true

            """
    }
    return try RuleLoader(clusters: []).rules(text: yaml, file: "bench")
}

/// A fast deterministic generator, so setup stays out of the profile.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// 100 measurements x 10 hosts; values mostly normal, a few above the thresholds.
func points(_ n: Int, measurements: Int = 100, alertShare: Double = 0.01) -> [Point] {
    var rng = SplitMix(state: 42)
    var out: [Point] = []
    out.reserveCapacity(n)
    for i in 0..<n {
        let v = Double.random(in: 0..<1, using: &rng) < alertShare ? Double.random(in: 80..<100, using: &rng) : Double.random(in: 0..<70, using: &rng)
        out.append(Point(measurement: "m\(i % measurements)", tags: [Tag(key: "host", value: "host-\(i / measurements % 10)"), Tag(key: "region", value: "eu")],
                         fields: [Field(key: "value", value: .float(v)), Field(key: "other", value: .integer(Int64(i)))],
                         time: Int64(i) * 1_000_000))
    }
    return out
}

/// Warms `engine` up on the first 100,000 points, then passes over `data` for at least a second:
/// evaluations (point x matching rule), points and events per second.
func measure(_ engine: RuleEngine, _ data: [Point]) -> (evaluations: Double, points: Double, events: Double) {
    var events = 0
    engine.process(Array(data.prefix(100_000))) { _ in }
    let before = engine.statistics.values.reduce(0) { $0 + $1.evaluations }
    var passes = 0
    let start = now()
    repeat {
        engine.process(data) { _ in events += 1 }
        passes += 1
    } while now() - start < 1.0
    let seconds = now() - start
    let evaluations = engine.statistics.values.reduce(0) { $0 + $1.evaluations } - before
    return (Double(evaluations) / seconds, Double(passes * data.count) / seconds, Double(events) / seconds)
}

// `RuleBenchmark --one RULES SHARE`: one configuration, printed as "evaluations/s points/s events/s"
// (the format of Tools/kapacitor-eval-reference, for Benchmarks/run.sh).
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "--one",
   let n = Int(CommandLine.arguments[2]), let share = Double(CommandLine.arguments[3]) {
    let r = measure(RuleEngine(rules: try rules(n)), points(1_000_000, alertShare: share))
    print(String(format: "%.0f %.0f %.0f", r.evaluations, r.points, r.events))
    exit(0)
}

// `RuleBenchmark --changelog RULES SHARE`: group mode's cost per point — the same rules and points
// as `--one`, 64 hosts (the consumer benchmark's), every 100,000 points (the relay's 100 ms flush at
// 1M points/s) the changes taken as the engine thread takes them, then encoded as the changelog
// writer's thread encodes them. Prints "plain_evals/s tracked_evals/s records_per_1M_points
// encode_ns_per_record": without and with `trackChanges()` (take included, encoding not).
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "--changelog",
   let n = Int(CommandLine.arguments[2]), let share = Double(CommandLine.arguments[3]) {
    let data = points(1_000_000, alertShare: share).enumerated().map { i, p -> Point in
        Point(measurement: p.measurement, tags: [Tag(key: "host", value: "host-\(i / 100 % 64)"), Tag(key: "region", value: "eu")],
              fields: Array(p.fields), time: p.time)
    }
    let owner = StateOwner(topic: "lp", partition: 0)
    func run(tracking: Bool) -> (evaluations: Double, records: Int, encodeSeconds: Double) {
        let engine = RuleEngine(rules: try! rules(n))
        if tracking { engine.trackChanges() }
        engine.select(owner: owner)
        engine.process(Array(data.prefix(100_000))) { _ in }
        _ = engine.takeChanges()
        var taken: [StateChanges] = []
        let before = engine.statistics.values.reduce(0) { $0 + $1.evaluations }
        var passes = 0
        let start = now()
        repeat {
            var i = 0
            while i < data.count {
                engine.process(Array(data[i..<min(i + 100_000, data.count)])) { _ in }
                if tracking { taken.append(engine.takeChanges()) }
                i += 100_000
            }
            passes += 1
        } while now() - start < 1.0
        let seconds = now() - start
        let evaluations = engine.statistics.values.reduce(0) { $0 + $1.evaluations } - before
        let encodeStart = now()
        let records = taken.reduce(0) { $0 + $1.records(for: owner).count }
        let encodeSeconds = now() - encodeStart
        return (Double(evaluations) / seconds, records / passes, encodeSeconds / Double(max(records, 1)))
    }
    let plain = run(tracking: false), tracked = run(tracking: true)
    print(String(format: "%.0f %.0f %d %.0f", plain.evaluations, tracked.evaluations, tracked.records, tracked.encodeSeconds * 1e9))
    exit(0)
}

// `RuleBenchmark --events HOSTS`: the engine thread's cost of an alert event — the sidecar
// benchmark's rule (grouped by host, critical on every point, a Kafka handler with the default
// body) over the load generator's points (`cpu,host=serverH,cpu=cpuC usage_idle=..,usage_user=..`),
// HOSTS hosts: every point raises an event, which is made (ID, message, default details) and
// routed (previous level, the alert JSON). Prints "events/s ns_per_event body_bytes_per_event",
// per second of the thread's CPU time (at least 2 s of it).
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--events", let hosts = Int(CommandLine.arguments[2]), hosts > 0 {
    let yaml = "id: load\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"usage_idle\" >= 0'\nkafka: {cluster: bench, topic: side}\n"
    let set = try RuleLoader(clusters: ["bench"]).rules(text: yaml, file: "bench")
    let engine = RuleEngine(rules: set, hostname: "bench-host")
    let router = AlertRouter(rules: set, handlers: [])
    var rng = SplitMix(state: 11)
    let data = (0..<20_000).map { (i: Int) -> Point in
        let idle: Double = Double(Int.random(in: 0..<100, using: &rng)) + Double(i % 10) / 10
        let user: Double = Double(i % 50) + 0.5
        let tags = [Tag(key: "cpu", value: "cpu\(i % 8)"), Tag(key: "host", value: "server\(i % hosts)")]
        let fields = [Field(key: "usage_idle", value: .float(idle)), Field(key: "usage_user", value: .float(user))]
        return Point(measurement: "cpu", tags: tags, fields: fields, time: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000)
    }
    var bytes = 0, events = 0
    /// The thread's CPU time: on a shared machine the wall clock counts other processes' turns.
    func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    func run(_ points: ArraySlice<Point>) {
        // One point per call, as the sidecar evaluates a datagram of one point.
        for p in points {
            engine.process([p]) { event in
                events += 1
                for d in router.route(event) { if case .kafka(_, _, _, let body, _) = d.output { bytes += body.count } }
            }
        }
    }
    run(data[...])
    (bytes, events) = (0, 0)
    let start = cpu()
    repeat { run(data[...]) } while cpu() - start < 2.0
    let seconds = cpu() - start
    print(String(format: "%.0f %.0f %d", Double(events) / seconds, seconds * 1e9 / Double(events), bytes / max(events, 1)))
    exit(0)
}

/// Memory per active group: one rule, many hosts.
func memoryPerGroup() throws {
    let groups = 200_000
    let engine = RuleEngine(rules: try rules(1))
    let batch = (0..<groups).map { i in
        Point(measurement: "m0", tags: [Tag(key: "host", value: String(format: "host-%08d", i))], fields: [Field(key: "value", value: .float(1))], time: 0)
    }
    let before = heapInUse()
    engine.process(batch) { _ in }
    let after = heapInUse()
    let tagBytes = "host=host-00000000".utf8.count
    print(String(format: "memory per group %.0f bytes (group key %d bytes of tags) over %d groups", Double(after - before) / Double(groups), tagBytes, groups))
}

// `RuleBenchmark --groups G`: one rule grouped by host over G hosts: "G evals/s bytes_per_group".
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--groups", let g = Int(CommandLine.arguments[2]) {
    let engine = RuleEngine(rules: try rules(1))
    let count = max(g, 100_000)
    let data = (0..<count).map { i in
        Point(measurement: "m0", tags: [Tag(key: "host", value: "host-\(i % g)")], fields: [Field(key: "value", value: .float(Double(i % 70)))],
              time: Int64(i))
    }
    let before = heapInUse()
    engine.process(data) { _ in }  // creates every group
    let perGroup = Double(heapInUse() - before) / Double(g)
    let start = now()
    var passes = 0
    repeat {
        engine.process(data) { _ in }
        passes += 1
    } while now() - start < 1.0
    print(String(format: "%d %.0f %.0f", g, Double(passes * data.count) / (now() - start), perGroup))
    exit(0)
}

// `RuleBenchmark --scale-rules R`: R threshold rules over 100 measurements: "R evals/s rss_bytes".
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--scale-rules", let n = Int(CommandLine.arguments[2]) {
    let engine = RuleEngine(rules: try rules(n))
    let data = points(200_000, alertShare: 0)
    engine.process(data) { _ in }
    let before = engine.statistics.values.reduce(0) { $0 + $1.evaluations }
    let start = now()
    repeat { engine.process(data) { _ in } } while now() - start < 1.0
    let evaluations = engine.statistics.values.reduce(0) { $0 + $1.evaluations } - before
    print(String(format: "%d %.0f %d", n, Double(evaluations) / (now() - start), heapInUse()))
    exit(0)
}

if CommandLine.arguments.contains("--memory") {
    try memoryPerGroup()
    exit(0)
}

// `RuleBenchmark --window G`: window(10s, every 10s) + mean over G groups (one rule, grouped by
// host), each group a point per second: "G points/s bytes_per_buffered_point".
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--window", let g = Int(CommandLine.arguments[2]) {
    let yaml = "id: w\nmeasurement: m0\ngroupBy: [host]\nwindow: {period: 10s, every: 10s}\nmean: value\ncrit: '\"mean\" > 90'\n"
    let rule = try RuleLoader(clusters: []).rules(text: yaml, file: "bench")
    var rng = SplitMix(state: 7)
    let hosts = (0..<g).map { Tag(key: "host", value: "host-\($0)") }
    func second(_ t: Int) -> [Point] {
        (0..<g).map { i in
            Point(measurement: "m0", tags: [hosts[i]], fields: [Field(key: "value", value: .float(Double.random(in: 0..<80, using: &rng)))],
                  time: Int64(t) * 1_000_000_000 + Int64(i))
        }
    }
    // Memory: groups made by the first second's points, then 8 more points per group in the same window.
    let memoryEngine = RuleEngine(rules: rule)
    memoryEngine.process(second(0)) { _ in }
    let more = (1...8).map { second($0) }
    let before = heapInUse()
    for batch in more { memoryEngine.process(batch) { _ in } }
    let perPoint = Double(heapInUse() - before) / Double(8 * g)
    // Throughput: 200 s of points (every group's window emits 20 times), after a warm-up pass.
    let data = (0..<max(40, 2_000_000 / g)).map { second($0) }
    let engine = RuleEngine(rules: rule)
    for batch in data.prefix(20) { engine.process(batch) { _ in } }
    var events = 0
    let start = now()
    for batch in data.dropFirst(20) { engine.process(batch) { _ in events += 1 } }
    let points = Double(data.dropFirst(20).count * g) / (now() - start)
    print(String(format: "%d %.0f %.1f", g, points, perPoint))
    exit(0)
}

let counts = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let onlyAlerting = CommandLine.arguments.contains("--alerting-only")
let quiet = points(1_000_000, alertShare: 0)
let alerting = points(1_000_000, alertShare: 0.01)
for (count, data, label) in (counts.isEmpty ? [1, 100, 1000] : counts.filter { $0 > 0 }).flatMap({ onlyAlerting ? [($0, alerting, "1% alerting")] : [($0, quiet, "no alerts"), ($0, alerting, "1% alerting")] }) {
    let engine = RuleEngine(rules: try rules(count))
    // One rule reads one measurement: give it only points of that measurement.
    let data = count == 1 ? data.map { p -> Point in var q = p; q.measurement = "m0"; return q } : data
    let r = measure(engine, data)
    print(String(format: "rules %d (%@) evaluations/s %.0f points/s %.0f events/s %.0f", count, label, r.evaluations, r.points, r.events))
}

if onlyAlerting { exit(0) }

// Points whose measurement no rule reads: the cost of looking and leaving.
do {
    let engine = RuleEngine(rules: try rules(1000))
    let other = points(1_000_000, measurements: 1).map { p -> Point in var q = p; q.measurement = "unrelated"; return q }
    var passes = 0
    let start = now()
    repeat {
        engine.process(other) { _ in }
        passes += 1
    } while now() - start < 1.0
    print(String(format: "unmatched points/s %.0f", Double(passes * other.count) / (now() - start)))
}

