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
    /// The point that raised it (tags and fields as received); for a batch, the group's tags and
    /// the highest point's fields.
    public var point: Point
    /// A batch's points (top, bottom, distinct): the alert's data holds them all.
    public var batch: [Point]?
    /// The rule's output properties (`idField`, `levelTag`, …).
    public var output = AlertOutputProperties()

    /// What the alert node emits downstream for this event (what an `httpOut` after it would
    /// serve): the point, or each point of the batch, with the output properties applied. The
    /// alert data (``AlertRecord``) keeps the points as they reached the alert, as Kapacitor's.
    public var emitted: [Point] {
        (batch ?? [point]).map { output.apply(to: $0, id: id, level: level, message: message, duration: duration) }
    }
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
        fields(of: point, into: &out, sorted: false)
        return out
    }

    /// Field keys sorted as Go sorts strings (bytewise).
    static func sortedFields(of point: Point) -> [(String, FieldValue)] {
        var out: [(String, FieldValue)] = []
        out.reserveCapacity(point.fields.count)
        fields(of: point, into: &out, sorted: true)
        return out
    }

    /// Fills `out` (emptied first, its capacity kept) with ``fields(of:)``, sorted as Go sorts
    /// strings when `sorted`.
    static func fields(of point: Point, into out: inout [(String, FieldValue)], sorted: Bool) {
        out.removeAll(keepingCapacity: true)
        var inOrder = true
        for f in point.fields {
            if let i = out.firstIndex(where: { $0.0 == f.key }) {
                out[i].1 = f.value
                continue
            }
            if let last = out.last, LambdaBinary.goOrder(last.0, f.key) >= 0 { inOrder = false }
            out.append((f.key, f.value))
        }
        // Points usually arrive with their fields in order (Telegraf sorts them): no sort then.
        if sorted && !inOrder { out.sort { LambdaBinary.goOrder($0.0, $1.0) < 0 } }
    }

    /// `json.NewEncoder(w).Encode(alert.Data)`: the text, trailing newline included.
    public func json() -> String { String(decoding: jsonBytes(), as: UTF8.self) }

    /// `json.NewEncoder(w).Encode(alert.Data)`: the bytes, trailing newline included.
    public func jsonBytes() -> [UInt8] {
        let e = event
        // Room for the escaped details (their quotes grow fivefold as \u0026#34;) and the rest, so
        // the buffer is not regrown as it is written.
        var buffer = EventRenderBuffer(capacity: 384 + e.message.utf8.count + 2 * e.details.utf8.count)
        write(to: &buffer)
        return buffer.writer.bytes
    }

    /// ``jsonBytes()`` written in `buffer` (the router's, reused for every event), returned as a copy.
    func jsonBytes(using buffer: inout EventRenderBuffer) -> [UInt8] {
        write(to: &buffer)
        return buffer.writer.bytes
    }

    /// Writes the alert JSON over what `buffer` holds.
    private func write(to buffer: inout EventRenderBuffer) {
        let e = event
        buffer.writer.reset()
        if e.batch == nil { buffer.sortFields(of: e.point) }
        writeJSON(sortedFields: buffer.fields, to: &buffer.writer)
    }

    /// The alert JSON; `fields` are the point's sorted fields (unused for a batch).
    private func writeJSON(sortedFields fields: [(String, FieldValue)], to out: inout GoJSONBytes) {
        let e = event
        out.raw("{\"id\":")
        out.string(e.id)
        out.raw(",\"message\":")
        out.string(e.message)
        out.raw(",\"details\":")
        out.string(e.details)
        out.raw(",\"time\":\"")
        out.rfc3339Nano(GoTime(unixNano: e.time))
        out.raw("\",\"duration\":")
        out.int(e.duration)
        out.raw(",\"level\":\"")
        out.raw(e.level.description)
        out.raw("\",\"data\":{\"series\":[")
        if let batch = e.batch {
            KapacitorRowJSON.append(head: e.point, rows: batch, to: &out)
        } else {
            KapacitorRowJSON.append(point: e.point, sortedFields: fields, to: &out)
        }
        out.raw("]},\"previousLevel\":\"")
        out.raw(previousLevel.description)
        out.raw("\",\"recoverable\":")
        out.bool(e.recoverable)
        out.raw("}\n")
    }

    /// The union of the rows' field keys, sorted as Go sorts strings (Kapacitor's batch columns).
    static func columns(of rows: [Point]) -> [String] {
        if rows.count == 1 { return sortedFields(of: rows[0]).map(\.0) }
        var keys: [String] = []
        for r in rows { for f in r.fields where !keys.contains(f.key) { keys.append(f.key) } }
        return keys.sorted { LambdaBinary.goOrder($0, $1) < 0 }
    }

    /// The record as a Kafka handler template sees it: `alert.Data` with `ID, Message, Details,
    /// Time, Duration, Level, Data, PreviousLevel, Recoverable`.
    public func templateValue() -> TemplateValue {
        let e = event
        let rows = e.batch ?? [e.point]
        let names = Self.columns(of: rows)
        let columns: [TemplateValue] = [.string("time")] + names.map { .string($0) }
        let values: [TemplateValue] = rows.map { row in
            let fields = Self.fields(of: row)
            return .list([.time(GoTime(unixNano: row.time))] + names.map { k in
                fields.first(where: { $0.0 == k }).map { Self.templateValue($0.1) } ?? .nilInterface(typeName: "interface {}")
            })
        }
        var tags: [String: String] = [:]
        for t in e.point.tags { tags[t.key] = t.value }
        let row = TemplateObject(typeName: "*models.Row", orderedFields: [
            ("Name", .string(e.point.measurement)),
            ("Tags", .stringMap(tags)),
            ("Columns", .list(columns)),
            ("Values", .list(values)),
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
