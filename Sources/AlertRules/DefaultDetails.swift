import GoTemplate
import LineProtocol

/// Kapacitor's default details, `{{ json . }}` through html/template, written directly: the JSON of
/// `detailsInfo` (encoding/json, HTML-safe escapes, trailing newline) escaped as HTML text.
enum DefaultDetails {
    static func render(point: Point, taskName: String, group: String, id: String, level: AlertLevel,
                       duration: Int64, message: String, hostname: String) -> String {
        // One buffer, sized once for the usual event, then one escaping pass into the string.
        var j = GoJSONBytes(capacity: 512 + message.utf8.count)
        j.raw("{\"Name\":")
        j.string(point.measurement)
        j.raw(",\"TaskName\":")
        j.string(taskName)
        j.raw(",\"Group\":")
        j.string(group)
        j.raw(",\"Tags\":{")
        for (i, t) in point.tags.enumerated() {
            if i > 0 { j.raw(",") }
            j.string(t.key)
            j.raw(":")
            j.string(t.value)
        }
        j.raw("},\"ServerInfo\":{\"Hostname\":")
        j.string(hostname)
        j.raw(",\"ClusterID\":\"\",\"ServerID\":\"\"},\"ID\":")
        j.string(id)
        j.raw(",\"Fields\":{")
        for (i, (k, v)) in AlertRecord.sortedFields(of: point).enumerated() {
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
        return GoJSONBytes.htmlEscapedText(j.bytes)
    }
}
