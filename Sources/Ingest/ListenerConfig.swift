import LineProtocol

/// A `[[udp]]` section: one UDP socket receiving line protocol (the main path).
public struct UDPListenerConfig: Sendable, Equatable {
    /// `enabled`: false keeps the section but starts no listener (absent: true, unlike Kapacitor's
    /// false, so a section written for earlier versions of the relay keeps working).
    public var enabled = true
    /// `bind-address`: `host:port`; loopback unless configured otherwise.
    public var bindAddress: BindAddress = "127.0.0.1:8089"
    /// `read-buffer`: SO_RCVBUF in bytes (0 keeps the system default); the kernel caps it at
    /// `net.core.rmem_max` and the listener logs what it granted.
    public var readBuffer = 0
    /// `precision`: unit of the timestamps.
    public var precision = Precision.nanoseconds
    /// `database` and `retention-policy`: what the points are tagged with (Kapacitor's options),
    /// for rules with `dbrp` / `database` / `retentionPolicy`.
    public var destination = PointDestination()

    /// The defaults.
    public init() {}
}

/// A `[[tcp]]` section: newline-delimited line protocol over TCP.
public struct TCPListenerConfig: Sendable, Equatable {
    /// `enabled`: false keeps the section but starts no listener (absent: true).
    public var enabled = true
    /// `bind-address`: `host:port`.
    public var bindAddress: BindAddress = "127.0.0.1:8094"
    /// `max-line-length`: longer lines are rejected (and counted) without closing the connection.
    public var maxLineLength = 1 << 20
    /// `precision`: unit of the timestamps.
    public var precision = Precision.nanoseconds
    /// `max-connections`: connections beyond it are closed at once (counted), as Telegraf's
    /// `max_connections`; the open-file limit may lower it (see ``StreamServer``).
    public var maxConnections = 1024
    /// `idle-timeout`: a connection that sends nothing for this long is closed (zero: never). Not
    /// while the relay itself paused reading it (backpressure).
    public var idleTimeout: Duration = .seconds(300)
    /// `database` and `retention-policy`: what the points are tagged with.
    public var destination = PointDestination()

    /// The defaults.
    public init() {}
}

/// The `[http]` section: InfluxDB-compatible `/write`, `/api/v2/write` and `/ping`.
public struct HTTPListenerConfig: Sendable, Equatable {
    /// `bind-address`: `host:port`.
    public var bindAddress: BindAddress = "127.0.0.1:8086"
    /// `max-body-size`: larger request bodies get 413 (after gzip decoding too).
    public var maxBodySize = 25 << 20
    /// `auth-token`: when set, writes need `Authorization: Token <t>` or `Bearer <t>`.
    public var authToken = ""
    /// `max-connections`: connections beyond it are closed at once (counted).
    public var maxConnections = 256
    /// `read-header-timeout`: a connection must send a whole request head within this time of
    /// connecting or of its previous answer, as Go's `http.Server.ReadHeaderTimeout` (zero: no limit).
    public var readHeaderTimeout: Duration = .seconds(10)
    /// `idle-timeout`: a keep-alive connection with no request for this long is closed (zero: never).
    public var idleTimeout: Duration = .seconds(120)
    /// The retention policy of a write without `rp` (the top-level `default-retention-policy`,
    /// as Kapacitor's; empty by default, as there).
    public var defaultRetentionPolicy = ""
    /// Whether `/write`, `/api/v2/write` and `/ping` are served (false: only the extra routes, as
    /// the admin listener).
    public var servesWrites = true

    /// The defaults.
    public init() {}
}

/// Why a listener could not start.
public enum ListenerError: Error, Sendable, CustomStringConvertible {
    /// The address is not `host:port`.
    case badAddress(String)
    /// Binding failed (address in use, permission, ...).
    case bindFailed(String, reason: String)

    public var description: String {
        switch self {
        case .badAddress(let a): return "bind-address \"\(a)\" is not host:port (for example \"127.0.0.1:8089\")"
        case .bindFailed(let a, let r): return "cannot listen on \(a): \(r)"
        }
    }
}
