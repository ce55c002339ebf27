/// The counters and gauges `/metrics` brings up to date at each scrape (every rule's, listener's,
/// topic's and partition's series), kept and rendered in Prometheus' text format by the relay.
///
/// Why not the Prometheus registry: it copies a metric's whole family to add one series to it, so
/// making 1,000 rules' series cost ~350 ms of CPU on the first scrape and 3,000 rules' ~2 s
/// (quadratic), again for every reload that brings new rules. Here a new series is one insertion,
/// a known one a hash and a store, and a scrape writes each line from its prerendered prefix. The
/// registry keeps what it does well: the latency histograms and the few `process_*` series.
///
/// Owned by ``RelayMetrics``, which holds it in a lock (scrapes may overlap).
struct ScrapeSeries: Sendable {
    /// A series: its metric's name (without the `alertrelay_` namespace or unit) and labels.
    struct Series: Hashable, Sendable {
        var name: String
        var labels: [(String, String)]

        init(_ name: String, _ labels: [(String, String)]) {
            self.name = name
            self.labels = labels
        }

        static func == (a: Series, b: Series) -> Bool {
            guard a.name == b.name, a.labels.count == b.labels.count else { return false }
            for (x, y) in zip(a.labels, b.labels) where x.0 != y.0 || x.1 != y.1 { return false }
            return true
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(name)
            for (k, v) in labels {
                hasher.combine(k)
                hasher.combine(v)
            }
        }
    }

    /// A metric: its exposed name, help, type and series in the order they were made.
    private struct Family: Sendable {
        let exposedName: String
        let help: String
        let isCounter: Bool
        var members: [Series] = []
        /// Members removed since the list was last compacted.
        var removed = 0
    }

    /// A series' line prefix (`alertrelay_x_total{rule="r"} `) and value.
    private struct Value: Sendable {
        let prefix: [UInt8]
        /// Counters: the source's total last seen, and the value exposed.
        var last: UInt64 = 0
        var count: UInt64 = 0
        var gauge: Double = 0
    }

    private var families: [String: Family] = [:]
    private var values: [Series: Value] = [:]

    /// Brings counter `name{labels}` to the source's `total` (`alertrelay_<name>_<unit>`): it moves
    /// by the difference, and a smaller total (a reload reset the source) counts from zero again.
    /// `unit` and `help` are read only when the series is made.
    mutating func total(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)], _ total: UInt64) {
        let series = Series(name, labels)
        let i = values.index(forKey: series) ?? make(series, unit: unit, help: help, counter: true)
        let last = values.values[i].last
        values.values[i].count &+= total >= last ? total - last : total
        values.values[i].last = total
    }

    /// Sets gauge `name{labels}` (`alertrelay_<name>`) to `value`.
    mutating func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
        let series = Series(name, labels)
        let i = values.index(forKey: series) ?? make(series, unit: "", help: help, counter: false)
        values.values[i].gauge = value
    }

    /// Drops gauge `name{labels}` from the exposition; a later ``gauge(_:_:_:_:)`` makes it again.
    mutating func removeGauge(_ name: String, _ labels: [(String, String)]) {
        guard values.removeValue(forKey: Series(name, labels)) != nil, let family = families[name] else { return }
        // In place: a family copied out of the dictionary would copy its list for every change.
        if family.removed + 1 > 16 && (family.removed + 1) * 2 > family.members.count {
            let live = values
            families[name]!.members.removeAll { live[$0] == nil }
            families[name]!.removed = 0
        } else {
            families[name]!.removed += 1
        }
    }

    /// The text exposition of every series, metrics in name order, each with its `# HELP` and
    /// `# TYPE` lines, series in the order they were made.
    func render(into buffer: inout [UInt8]) {
        for family in families.values.sorted(by: { $0.exposedName < $1.exposedName }) {
            let members = family.members.compactMap { values[$0] }
            guard !members.isEmpty else { continue }
            buffer.append(contentsOf: "# HELP ".utf8)
            buffer.append(contentsOf: family.exposedName.utf8)
            buffer.append(UInt8(ascii: " "))
            for byte in family.help.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): buffer.append(contentsOf: #"\n"#.utf8)
                default: buffer.append(byte)
                }
            }
            buffer.append(contentsOf: "\n# TYPE ".utf8)
            buffer.append(contentsOf: family.exposedName.utf8)
            buffer.append(contentsOf: (family.isCounter ? " counter\n" : " gauge\n").utf8)
            for v in members {
                buffer.append(contentsOf: v.prefix)
                buffer.append(contentsOf: (family.isCounter ? "\(v.count)" : "\(v.gauge)").utf8)
                buffer.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// Makes `series` (its line prefix, its place in its family) and returns where its value is.
    private mutating func make(_ series: Series, unit: String, help: String, counter: Bool) -> Dictionary<Series, Value>.Index {
        let exposedName = families[series.name]?.exposedName ?? (unit.isEmpty ? "alertrelay_\(series.name)" : "alertrelay_\(series.name)_\(unit)")
        var prefix = Array(exposedName.utf8)
        if !series.labels.isEmpty {
            prefix.append(UInt8(ascii: "{"))
            for (i, (key, value)) in series.labels.enumerated() {
                if i > 0 { prefix.append(UInt8(ascii: ",")) }
                prefix.append(contentsOf: key.utf8)
                prefix.append(contentsOf: #"=""#.utf8)
                for byte in value.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): prefix.append(contentsOf: #"\\"#.utf8)
                    case UInt8(ascii: "\""): prefix.append(contentsOf: #"\""#.utf8)
                    case UInt8(ascii: "\n"): prefix.append(contentsOf: #"\n"#.utf8)
                    default: prefix.append(byte)
                    }
                }
                prefix.append(UInt8(ascii: "\""))
            }
            prefix.append(UInt8(ascii: "}"))
        }
        prefix.append(UInt8(ascii: " "))
        values[series] = Value(prefix: prefix)
        // A series removed and made again may still be listed (lists are compacted lazily).
        let listed = families[series.name].map { $0.removed > 0 && $0.members.contains(series) } ?? false
        if !listed {
            families[series.name, default: Family(exposedName: exposedName, help: help, isCounter: counter)].members.append(series)
        }
        return values.index(forKey: series)!
    }
}
