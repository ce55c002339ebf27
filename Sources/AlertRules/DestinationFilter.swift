import LineProtocol

/// Which databases and retention policies a rule reads, as Kapacitor selects a task's points:
/// TICKscript's `dbrp "db"."rp"` (any of them), then `from().database()` and
/// `.retentionPolicy()` (YAML `database`, `retentionPolicy`). Empty: every point, as a task
/// without `dbrp`.
public struct DestinationFilter: Sendable, Equatable, CustomStringConvertible {
    /// `dbrp` pairs; a point must match one of them (none: no condition).
    public var dbrps: [PointDestination]
    /// `from().database()`: the point's database must be this one (empty: any, as Kapacitor's).
    public var database: String
    /// `from().retentionPolicy()`: the point's retention policy must be this one (empty: any).
    public var retentionPolicy: String

    /// A filter; by default one that takes every point.
    public init(dbrps: [PointDestination] = [], database: String = "", retentionPolicy: String = "") {
        self.dbrps = dbrps
        self.database = database
        self.retentionPolicy = retentionPolicy
    }

    /// True when it takes every point.
    public var isEmpty: Bool { dbrps.isEmpty && database.isEmpty && retentionPolicy.isEmpty }

    /// Whether points written to `destination` reach the rule.
    public func accepts(_ destination: PointDestination) -> Bool {
        if !dbrps.isEmpty && !dbrps.contains(destination) { return false }
        if !database.isEmpty && database != destination.database { return false }
        if !retentionPolicy.isEmpty && retentionPolicy != destination.retentionPolicy { return false }
        return true
    }

    /// `dbrp "db"."rp", database db, retentionPolicy rp`, for `check`.
    public var description: String {
        var parts = dbrps.map { "dbrp \($0)" }
        if !database.isEmpty { parts.append("database \(database)") }
        if !retentionPolicy.isEmpty { parts.append("retentionPolicy \(retentionPolicy)") }
        return parts.isEmpty ? "every database" : parts.joined(separator: ", ")
    }
}
