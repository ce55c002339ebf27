import Prometheus

/// The counters and gauges `/metrics` brings up to date at each scrape, kept by series once made.
///
/// Why: a scrape sets ~16 series per rule (1,600 at 100 rules) and 3 per consumer partition. Made
/// anew each time through the registry, each one joined its name, validated name, labels and help
/// text, took the registry's lock and hashed its labels there, and its last total was keyed by a
/// string joined from the labels: most of a scrape's ~8 ms of CPU. Looked up here by name and
/// labels, a series costs a hash and an atomic store; the registry still renders them, unchanged.
///
/// Owned by ``RelayMetrics``, which holds it in a lock (scrapes may overlap).
struct MetricHandles: Sendable {
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

    /// A counter and the total it was last brought to.
    struct Total: Sendable {
        let counter: Counter
        var last: UInt64
    }

    var totals: [Series: Total] = [:]
    var gauges: [Series: Gauge] = [:]
}
