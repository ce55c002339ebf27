/// The database and retention policy a batch of points was written to: a `[[udp]]`/`[[tcp]]`
/// section's `database` and `retention-policy`, or HTTP `/write?db=&rp=` — what Kapacitor's
/// `dbrp` and `from().database()` select on.
///
/// Carried once per batch, not per point: every point of a datagram, TCP read or request shares it.
public struct PointDestination: Sendable, Hashable, CustomStringConvertible {
    /// The database (empty when the source names none).
    public var database: String
    /// The retention policy (empty when neither the source nor `default-retention-policy` names one).
    public var retentionPolicy: String

    /// A destination; both empty by default.
    public init(database: String = "", retentionPolicy: String = "") {
        self.database = database
        self.retentionPolicy = retentionPolicy
    }

    /// `"db"."rp"`, as TICKscript's `dbrp` writes it.
    public var description: String { "\"\(database)\".\"\(retentionPolicy)\"" }
}
