import GoDuration
import GoTemplate
import LineProtocol

/// One alert event: what Kapacitor's alert node hands to its topics (`alert.Event`).
public struct AlertEvent: Sendable {
    /// The rule (task) that raised it.
    public var ruleID: String
    /// The alert ID (`alertId` template).
    public var id: String
    public var message: String
    public var details: String
    /// Nanoseconds since the epoch: the point's time.
    public var time: Int64
    /// Nanoseconds from the first trigger of this alert to this one.
    public var duration: Int64
    public var level: AlertLevel
    /// `!noRecoveries`.
    public var recoverable: Bool
    /// The measurement.
    public var name: String
    /// The group (`host=a,cpu=cpu0`, or `nil`).
    public var group: String
    public var category: String
    /// The point that raised it (tags and fields as received).
    public var point: Point
}

/// The alert record Kapacitor's Kafka and log handlers write (`alert.Data`), and its JSON.
public struct AlertRecord: Sendable {
    public var event: AlertEvent
    /// The level of the previous event with this ID on the topic (OK if none).
    public var previousLevel: AlertLevel

    public init(event: AlertEvent, previousLevel: AlertLevel) {
        self.event = event
        self.previousLevel = previousLevel
    }

    /// The point's fields as Kapacitor's map holds them: one value per key, the last one written.
    static func fields(of point: Point) -> [(String, FieldValue)] {
        var out: [(String, FieldValue)] = []
        out.reserveCapacity(point.fields.count)
        for f in point.fields {
            if let i = out.firstIndex(where: { $0.0 == f.key }) { out[i].1 = f.value } else { out.append((f.key, f.value)) }
        }
        return out
    }

    /// Field keys sorted as Go sorts strings (bytewise).
    static func sortedFields(of point: Point) -> [(String, FieldValue)] {
        fields(of: point).sorted { LambdaBinary.goOrder($0.0, $1.0) < 0 }
    }

    /// `json.NewEncoder(w).Encode(alert.Data)`: the bytes, trailing newline included.
    public func json() -> String {
        let e = event
        var out = "{\"id\":"
        GoJSON.appendString(e.id, to: &out)
        out += ",\"message\":"
        GoJSON.appendString(e.message, to: &out)
        out += ",\"details\":"
        GoJSON.appendString(e.details, to: &out)
        out += ",\"time\":\""
        out += GoTime(unixNano: e.time).rfc3339Nano
        out += "\",\"duration\":"
        out += String(e.duration)
        out += ",\"level\":\"\(e.level)\",\"data\":{\"series\":[{"
        var rowFirst = true
        if !e.point.measurement.isEmpty {
            out += "\"name\":"
            GoJSON.appendString(e.point.measurement, to: &out)
            rowFirst = false
        }
        if !e.point.tags.isEmpty {
            out += rowFirst ? "\"tags\":{" : ",\"tags\":{"
            rowFirst = false
            // Tags arrive sorted by key (bytewise), as Go's encoder sorts map keys.
            var lastKey: String?
            var first = true
            for t in e.point.tags where t.key != lastKey {
                if !first { out += "," }
                first = false
                GoJSON.appendString(t.key, to: &out)
                out += ":"
                GoJSON.appendString(t.value, to: &out)
                lastKey = t.key
            }
            out += "}"
        }
        let fields = Self.sortedFields(of: e.point)
        out += rowFirst ? "\"columns\":[\"time\"" : ",\"columns\":[\"time\""
        for (k, _) in fields {
            out += ","
            GoJSON.appendString(k, to: &out)
        }
        out += "],\"values\":[[\""
        out += GoTime(unixNano: e.point.time).rfc3339Nano
        out += "\""
        for (_, v) in fields {
            out += ","
            switch v {
            case .float(let d): out += GoJSON.float(d)
            case .integer(let i): out += String(i)
            case .unsigned(let u): out += String(u)
            case .string(let s): GoJSON.appendString(s, to: &out)
            case .boolean(let b): out += b ? "true" : "false"
            }
        }
        out += "]]}]},\"previousLevel\":\"\(previousLevel)\",\"recoverable\":\(e.recoverable)}\n"
        return out
    }

    /// The record as a Kafka handler template sees it: `alert.Data` with `ID, Message, Details,
    /// Time, Duration, Level, Data, PreviousLevel, Recoverable`.
    public func templateValue() -> TemplateValue {
        let e = event
        let fields = Self.sortedFields(of: e.point)
        var columns: [TemplateValue] = [.string("time")]
        var values: [TemplateValue] = [.time(GoTime(unixNano: e.point.time))]
        for (k, v) in fields {
            columns.append(.string(k))
            values.append(Self.templateValue(v))
        }
        var tags: [String: String] = [:]
        for t in e.point.tags { tags[t.key] = t.value }
        let row = TemplateObject(typeName: "*models.Row", orderedFields: [
            ("Name", .string(e.point.measurement)),
            ("Tags", .stringMap(tags)),
            ("Columns", .list(columns)),
            ("Values", .list([.list(values)])),
        ])
        let result = TemplateObject(typeName: "models.Result", orderedFields: [
            ("Series", .list([.object(row)])), ("Err", .nilInterface(typeName: "error")),
        ])
        return .object(TemplateObject(typeName: "alert.Data", orderedFields: [
            ("ID", .string(e.id)), ("Message", .string(e.message)), ("Details", .string(e.details)),
            ("Time", .time(GoTime(unixNano: e.time))), ("Duration", .duration(GoDuration(nanoseconds: e.duration))),
            ("Level", .stringer(typeName: "alert.Level", text: e.level.description)),
            ("Data", .object(result)),
            ("PreviousLevel", .stringer(typeName: "alert.Level", text: previousLevel.description)),
            ("Recoverable", .bool(e.recoverable)),
        ]))
    }

    static func templateValue(_ v: FieldValue) -> TemplateValue {
        switch v {
        case .float(let d): return .float64(d)
        case .integer(let i): return .int64(i)
        case .unsigned(let u): return .uint64(u)
        case .string(let s): return .string(s)
        case .boolean(let b): return .bool(b)
        }
    }
}
