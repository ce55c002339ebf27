import AlertRules
import LineProtocol

/// The latest event of one alert ID of one rule, as the alerts API and the status page show it:
/// Kapacitor's `alert.EventState` plus what the relay's per-rule view adds (group, the point's
/// tags and fields).
public struct AlertBoardEntry: Sendable {
    public var rule: String
    /// The group (`host=a`, or `nil`).
    public var group: String
    /// The latest event: its alert ID, level, message, details, point time, duration and point.
    public var event: LastAlertEvent
    /// Order of recording, to tell a newer entry for the same ID from the one an eviction saw.
    var sequence: UInt64

    /// When the alert left OK (point time, ns).
    public var since: Int64 { event.time &- event.duration }
}

/// One event in the board's ring of recent events.
public struct AlertBoardEvent: Sendable {
    public var rule: String
    public var id: String
    public var level: AlertLevel
    /// The ID's level before this event on this rule (OK if none).
    public var previousLevel: AlertLevel
    public var message: String
    /// Point time, ns.
    public var time: Int64
}

/// Where an entry lives: the rule and the alert ID.
struct AlertBoardKey: Hashable, Sendable {
    var rule: String
    var id: String
}
