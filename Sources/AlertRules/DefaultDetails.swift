import GoTemplate
import LineProtocol

/// Kapacitor's default details, `{{ json . }}` through html/template, written directly: the JSON of
/// `detailsInfo` (encoding/json, HTML-safe escapes, trailing newline) escaped as HTML text.
enum DefaultDetails {
    /// The details of one event, written in `buffer` (the engine's, reused: the JSON is written over
    /// what the last event left, and only the escaped text is a new `String`).
    static func render(point: Point, taskName: String, group: String, id: String, level: AlertLevel,
                       duration: Int64, message: String, hostname: String, buffer: inout EventRenderBuffer) -> String {
        buffer.sortFields(of: point)
        buffer.writer.reset()
        write(point: point, taskName: taskName, group: group, id: id, level: level, duration: duration, message: message,
              hostname: hostname, fields: buffer.fields, to: &buffer.writer)
        return buffer.writer.withBytes { GoJSONBytes.htmlEscapedText($0) }
    }

    /// The details of one event, with buffers of their own.
    static func render(point: Point, taskName: String, group: String, id: String, level: AlertLevel,
                       duration: Int64, message: String, hostname: String) -> String {
        var buffer = EventRenderBuffer(capacity: 512 + message.utf8.count)
        return render(point: point, taskName: taskName, group: group, id: id, level: level, duration: duration, message: message,
                      hostname: hostname, buffer: &buffer)
    }

    /// `detailsInfo`'s JSON; the point's names are read in place (no `String` per tag).
    private static func write(point: Point, taskName: String, group: String, id: String, level: AlertLevel, duration: Int64,
                              message: String, hostname: String, fields: [(String, FieldValue)], to j: inout GoJSONBytes) {
        j.raw("{\"Name\":")
        point.withMeasurementUTF8 { j.string(utf8: $0) }
        j.raw(",\"TaskName\":")
        j.string(taskName)
        j.raw(",\"Group\":")
        j.string(group)
        j.raw(",\"Tags\":{")
        for i in 0..<point.tagCount {
            if i > 0 { j.raw(",") }
            point.withTagUTF8(i) { key, value in
                j.string(utf8: key)
                j.raw(":")
                j.string(utf8: value)
            }
        }
        j.raw("},\"ServerInfo\":{\"Hostname\":")
        j.string(hostname)
        j.raw(",\"ClusterID\":\"\",\"ServerID\":\"\"},\"ID\":")
        j.string(id)
        j.raw(",\"Fields\":{")
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { j.raw(",") }
            j.string(k)
            j.raw(":")
            KapacitorRowJSON.appendValue(v, to: &j)
        }
        j.raw("},\"Level\":\"")
        j.raw(level.description)
        j.raw("\",\"Time\":\"")
        j.rfc3339Nano(GoTime(unixNano: point.time))
        j.raw("\",\"Duration\":")
        j.int(duration)
        j.raw(",\"Message\":")
        j.string(message)
        j.raw("}\n")
    }
}
