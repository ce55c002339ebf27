import GoDuration

/// Kapacitor's `deadman(threshold, interval)`: every `interval` (on the engine's clock: wall time in
/// `run`, point time in `test`), for every group the rule has seen, the points that reached the
/// alert since the last tick per interval; CRITICAL when that rate is at most `threshold`, OK
/// when points flow again. Kapacitor builds it as `stats(interval).align() |
/// derivative('emitted').unit(interval).nonNegative() | alert().crit(lambda: "emitted" <= threshold)`;
/// the alert sees a point named `stats` with the group's tags and the field `emitted`.
public struct DeadmanSpec: Sendable, Equatable {
    /// Points per interval at or below which the group is dead.
    public var threshold: Double
    /// Nanoseconds between checks.
    public var interval: Int64
    /// The name of the node the deadman watches, as Kapacitor numbers nodes (`from1`, `mean3`).
    public var nodeName: String

    public init(threshold: Double, interval: Int64, nodeName: String) {
        self.threshold = threshold
        self.interval = interval
        self.nodeName = nodeName
    }

    /// Kapacitor's `[deadman] id` default, with the node's name.
    public var defaultIDTemplate: String { "{{ .Group }}:\(nodeName) for task '{{ .TaskName }}'" }

    /// Kapacitor's `[deadman] message` default, with the interval as Go prints it.
    public var defaultMessageTemplate: String {
        "{{ .ID }} is {{ if eq .Level \"OK\" }}alive{{ else }}dead{{ end }}: {{ index .Fields \"emitted\" | printf \"%0.3f\" }} points/\(GoDuration(nanoseconds: interval))."
    }
}
