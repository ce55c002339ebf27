import AlertRules
import LineProtocol

/// The latest event of one alert ID of one rule, as the alerts API and the status page show it:
/// Kapacitor's `alert.EventState` plus what the relay's per-rule view adds (group, the point's
/// tags and fields).
public struct AlertBoardEntry: Sendable {
    public var rule: String
    public var id: String
    /// The group (`host=a`, or `nil`).
    public var group: String
    public var level: AlertLevel
    public var message: String
    public var details: String
    /// Point time of the latest event, ns since the epoch.
    public var time: Int64
    /// ns from the first trigger after OK to the latest event.
    public var duration: Int64
    /// The point of the latest event (its tags and fields: the last value).
    public var point: Point
    /// Order of recording, to tell a newer entry for the same ID from the one an eviction saw.
    var sequence: UInt64

    /// When the alert left OK (point time, ns).
    public var since: Int64 { time &- duration }
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
