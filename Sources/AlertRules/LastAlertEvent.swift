import LineProtocol

/// The latest event of one alert ID, as the state beside the engine keeps it: the alerts API's
/// board holds one per rule and alert ID (any level), and in group mode a group's last non-OK
/// event (``init(_:)``) rides in its changelog record, so that the topics' last level per alert ID
/// (``AlertRouter``'s `previousLevel`) and the firing list follow the group to the partition's
/// next owner (``RuleEngine/lastEvents(of:)``). A recovery clears the group-mode one: an OK alert
/// holds no topic level and is not firing.
public struct LastAlertEvent: Sendable, Equatable {
    /// The alert ID.
    public var id: String
    public var level: AlertLevel
    public var message: String
    public var details: String
    /// Point time of the event, ns.
    public var time: Int64
    /// ns from the first trigger after OK to the event.
    public var duration: Int64
    /// The point that raised it (its tags and fields: the last value).
    public var point: Point

    public init(id: String, level: AlertLevel, message: String, details: String, time: Int64, duration: Int64, point: Point) {
        self.id = id
        self.level = level
        self.message = message
        self.details = details
        self.time = time
        self.duration = duration
        self.point = point
    }

    /// What `event` leaves behind: itself when it fires, nothing when it recovers.
    init?(_ event: AlertEvent) {
        guard event.level != .ok else { return nil }
        self.init(id: event.id, level: event.level, message: event.message, details: event.details, time: event.time,
                  duration: event.duration, point: event.point)
    }

    /// As a changelog record holds it.
    var record: AlertStateSnapshot.Event {
        AlertStateSnapshot.Event(id: id, level: level.rawValue, message: message, details: details, time: time, duration: duration,
                                 point: StepStateRecord.SavedPoint(point))
    }

    /// From a changelog record; nil when it is not one this relay can read.
    init?(record r: AlertStateSnapshot.Event) {
        guard let level = AlertLevel(rawValue: r.level), level != .ok, let point = r.point.point else { return nil }
        self.init(id: r.id, level: level, message: r.message, details: r.details, time: r.time, duration: r.duration, point: point)
    }
}
