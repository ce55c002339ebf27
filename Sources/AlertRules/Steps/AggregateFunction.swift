import LineProtocol

/// An InfluxQL aggregate or selector over a window, as Kapacitor's InfluxQL node computes it with
/// InfluxDB's reducers: output types (`count` an integer, `mean`, `median` and `stddev` floats, the
/// others the field's type), which field types each accepts, which emit on an empty window
/// (`count` and `sum`), and which are selectors that keep the chosen point's fields and tags.
public enum AggregateFunction: Sendable, Equatable {
    case count, sum, mean, median, mode, spread, stddev, min, max, first, last
    /// The point at the percentile (0-100), nearest rank, no interpolation.
    case percentile(Double)
    /// A batch: each distinct value once (at its first point).
    case distinct
    /// A batch: the `n` highest (lowest) values, ties to the earlier point, in time order; with
    /// `fieldsAndTags`, at most one point per combination of their values.
    case top(Int, fieldsAndTags: [String])
    case bottom(Int, fieldsAndTags: [String])

    /// Kapacitor's method name, the default output field name.
    public var name: String {
        switch self {
        case .count: return "count"
        case .sum: return "sum"
        case .mean: return "mean"
        case .median: return "median"
        case .mode: return "mode"
        case .spread: return "spread"
        case .stddev: return "stddev"
        case .min: return "min"
        case .max: return "max"
        case .first: return "first"
        case .last: return "last"
        case .percentile: return "percentile"
        case .distinct: return "distinct"
        case .top: return "top"
        case .bottom: return "bottom"
        }
    }

    /// Every function, by YAML/TICKscript name (percentile with its argument given separately).
    public static let byName: [String: AggregateFunction] = [
        "count": .count, "sum": .sum, "mean": .mean, "median": .median, "mode": .mode, "spread": .spread,
        "stddev": .stddev, "min": .min, "max": .max, "first": .first, "last": .last, "percentile": .percentile(0),
        "distinct": .distinct, "top": .top(1, fieldsAndTags: []), "bottom": .bottom(1, fieldsAndTags: []),
    ]

    /// Batch functions emit several points (a batch the alert judges as a whole).
    public var isBatch: Bool {
        switch self {
        case .distinct, .top, .bottom: return true
        default: return false
        }
    }

    /// Whether the window must keep whole points (selectors emit one; top and bottom keep tags).
    var keepsPoints: Bool { isSelector || self.isTopOrBottom }

    var isTopOrBottom: Bool {
        switch self {
        case .top, .bottom: return true
        default: return false
        }
    }

    /// Selectors emit the chosen point itself (its fields and tags), the others one new field.
    public var isSelector: Bool {
        switch self {
        case .min, .max, .first, .last, .percentile: return true
        default: return false
        }
    }

    /// Kapacitor's `IsEmptyOK`: an empty window still gives a value.
    var emitsOnEmptyWindow: Bool { self == .count || self == .sum }

    /// Whether the function reads fields of this type (Kapacitor registers reducers per type).
    func accepts(_ v: FieldValue) -> Bool {
        switch (self, v) {
        case (.count, _), (.distinct, _): return true
        case (.first, .string), (.first, .boolean), (.last, .string), (.last, .boolean): return true
        case (_, .float), (_, .integer): return true
        default: return false
        }
    }

    /// One value read from a point of the window.
    struct Sample {
        var value: FieldValue
        var time: Int64
        /// Index of the point in the window (selectors return it).
        var index: Int
    }

    /// What the function gives for `samples` (all of one type, in window order): a value, or for
    /// selectors the index of the chosen sample's point; nil when it gives nothing.
    func reduce(_ samples: [Sample]) -> (value: FieldValue, selected: Int?)? {
        switch self {
        case .count:
            return (.integer(Int64(samples.count)), nil)
        case .sum:
            guard let first = samples.first else { return (.float(0), nil) }
            if case .integer = first.value {
                return (.integer(samples.reduce(Int64(0)) { $0 &+ Self.int($1.value) }), nil)
            }
            return (.float(samples.reduce(0.0) { $0 + Self.float($1.value) }), nil)
        case .mean:
            guard !samples.isEmpty else { return nil }
            // InfluxDB sums in order (integers as integers), then divides once.
            if case .integer = samples[0].value {
                return (.float(Double(samples.reduce(Int64(0)) { $0 &+ Self.int($1.value) }) / Double(samples.count)), nil)
            }
            return (.float(samples.reduce(0.0) { $0 + Self.float($1.value) } / Double(samples.count)), nil)
        case .median:
            guard !samples.isEmpty else { return nil }
            let sorted = Self.sortedByValue(samples)
            if sorted.count % 2 == 0 {
                let lo = sorted[sorted.count / 2 - 1].value, hi = sorted[sorted.count / 2].value
                if case .integer(let l) = lo, case .integer(let h) = hi { return (.float(Double(l) + Double(h &- l) / 2), nil) }
                let l = Self.float(lo), h = Self.float(hi)
                return (.float(l + (h - l) / 2), nil)
            }
            return (.float(Self.float(sorted[sorted.count / 2].value)), nil)
        case .mode:
            guard !samples.isEmpty else { return nil }
            if samples.count == 1 { return (samples[0].value, nil) }
            let sorted = Self.sortedByValue(samples)
            // InfluxDB's walk: the most frequent value; a tie goes to the run that started earliest in time.
            var mostFreq = 0, currFreq = 0
            var currMode = sorted[0].value, mostMode = sorted[0].value
            var mostTime = sorted[0].time, currTime = sorted[0].time
            for s in sorted {
                if s.value != currMode {
                    currFreq = 1
                    currMode = s.value
                    currTime = s.time
                    continue
                }
                currFreq += 1
                if mostFreq > currFreq || (mostFreq == currFreq && currTime > mostTime) { continue }
                mostFreq = currFreq
                mostMode = s.value
                mostTime = s.time
            }
            return (mostMode, nil)
        case .spread:
            guard let first = samples.first else { return nil }
            if case .integer = first.value {
                let values = samples.map { Self.int($0.value) }
                return (.integer(values.max()! &- values.min()!), nil)
            }
            var lo = Double.infinity, hi = -Double.infinity
            for s in samples {
                let v = Self.float(s.value)
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
            }
            return (.float(hi - lo), nil)
        case .stddev:
            guard !samples.isEmpty else { return nil }
            if samples.count < 2 { return (.float(.nan), nil) }
            var mean = 0.0, count = 0
            for s in samples {
                let v = Self.float(s.value)
                if v.isNaN { continue }
                count += 1
                mean += (v - mean) / Double(count)
            }
            var variance = 0.0
            for s in samples {
                let v = Self.float(s.value)
                if v.isNaN { continue }
                variance += (v - mean) * (v - mean)
            }
            return (.float((variance / Double(count - 1)).squareRoot()), nil)
        case .min, .max, .first, .last:
            guard var best = samples.first else { return nil }
            for s in samples.dropFirst() where Self.replaces(self, s, best) { best = s }
            return (best.value, best.index)
        case .distinct, .top, .bottom:
            return nil
        case .percentile(let p):
            let n = samples.count
            let i = Int((Double(n) * p / 100.0 + 0.5).rounded(.down)) - 1
            guard i >= 0, i < n else { return nil }
            let s = Self.sortedByValue(samples)[i]
            return (s.value, s.index)
        }
    }

    /// The samples a batch function keeps, in output order (InfluxQL's distinct, top, bottom).
    /// `key`: a sample's fieldsAndTags values, for top and bottom's one point per combination.
    func select(_ samples: [Sample], key: (Sample) -> String) -> [Sample] {
        switch self {
        case .distinct:
            var seen: [FieldValue] = []
            var kept: [Sample] = []
            for s in samples where !seen.contains(s.value) {
                seen.append(s.value)
                kept.append(s)
            }
            // InfluxDB emits them by time, then value.
            return kept.sorted { a, b in a.time != b.time ? a.time < b.time : (Self.less(a.value, b.value) || Self.lessOther(a.value, b.value)) }
        case .top(let n, let tags), .bottom(let n, let tags):
            let highest: Bool = { if case .top = self { return true }; return false }()
            func better(_ p: Sample, _ than: Sample) -> Bool {
                if p.value != than.value { return highest ? Self.less(than.value, p.value) : Self.less(p.value, than.value) }
                return p.time < than.time
            }
            var candidates = samples
            if !tags.isEmpty {
                var best: [String: Sample] = [:]
                for s in samples {
                    let k = key(s)
                    if let cur = best[k] { if better(s, cur) { best[k] = s } } else { best[k] = s }
                }
                candidates = Array(best.values)
            }
            candidates.sort { better($0, $1) || (!better($1, $0) && $0.index < $1.index) }
            return Array(candidates.prefix(n)).sorted { $0.time != $1.time ? $0.time < $1.time : $0.index < $1.index }
        default:
            return []
        }
    }

    /// Order of non-numeric values for distinct's output (strings by bytes, false before true).
    static func lessOther(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        case (.boolean(let x), .boolean(let y)): return !x && y
        default: return false
        }
    }

    /// InfluxDB's reduce functions: does `curr` replace `prev`?
    static func replaces(_ f: AggregateFunction, _ curr: Sample, _ prev: Sample) -> Bool {
        switch f {
        case .min:
            return less(curr.value, prev.value) || (curr.value == prev.value && curr.time < prev.time)
        case .max:
            return less(prev.value, curr.value) || (curr.value == prev.value && curr.time < prev.time)
        case .first:
            return curr.time < prev.time || (curr.time == prev.time && greater(curr.value, prev.value))
        case .last:
            return curr.time > prev.time || (curr.time == prev.time && greater(curr.value, prev.value))
        default:
            return false
        }
    }

    /// InfluxDB's tie-break on equal times: the greater value (`true` > `false`, strings by bytes).
    static func greater(_ a: FieldValue, _ b: FieldValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x > y
        case (.float(let x), .float(let y)): return x > y
        case (.string(let x), .string(let y)): return Array(y.utf8).lexicographicallyPrecedes(Array(x.utf8))
        case (.boolean(let x), .boolean(let y)): return x && !y
        default: return false
        }
    }

    /// By value, keeping window order among equal values (Go sorts windows this small by insertion).
    static func sortedByValue(_ samples: [Sample]) -> [Sample] {
        var indexed = samples
        indexed.sort { a, b in less(a.value, b.value) || (!less(b.value, a.value) && a.index < b.index) }
        return indexed
    }

    /// `a < b` for two values of one numeric type (integers compared as integers).
    static func less(_ a: FieldValue, _ b: FieldValue) -> Bool {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y }
        return float(a) < float(b)
    }

    static func float(_ v: FieldValue) -> Double {
        switch v {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        case .unsigned(let u): return Double(u)
        default: return .nan
        }
    }

    static func int(_ v: FieldValue) -> Int64 {
        if case .integer(let i) = v { return i }
        return 0
    }
}
