import Ingest

/// The `[admin]` section: where `/health`, `/ready` and `/metrics` are served.
///
/// Without a `bind-address` they are served by the `[http]` listener, as Kapacitor serves its API
/// and writes on one `[http] bind-address` (then `[http] auth-token` guards `/metrics`), or — when
/// there is no `[http]` — on ``defaultAddress``, so a relay fed only by UDP still has probes and
/// metrics. With a `bind-address` they are served there only, guarded by `[admin] auth-token`.
public struct AdminConfig: Sendable, Equatable {
    /// Where the admin endpoints go when neither `[admin] bind-address` nor `[http]` is set.
    public static let defaultAddress: BindAddress = "127.0.0.1:9095"

    /// `enabled`: false serves no admin endpoints at all.
    public var enabled = true
    /// `bind-address`: the admin endpoints' own address (nil: see the type's description).
    public var bindAddress: BindAddress?
    /// `auth-token`: when set, `/metrics` on the admin address needs `Authorization: Token <t>`
    /// (or `Bearer <t>`); `/health` and `/ready` stay open for probes.
    public var authToken = ""

    /// The defaults.
    public init() {}
}
