import GoTemplate
import LineProtocol

/// Kapacitor's default details, `{{ json . }}` through html/template, written directly: the JSON of
/// `detailsInfo` (encoding/json, HTML-safe escapes, trailing newline) escaped as HTML text.
enum DefaultDetails {
    static func render(point: Point, taskName: String, group: String, id: String, level: AlertLevel,
                       duration: Int64, message: String, hostname: String) -> String {
        var j = "{\"Name\":"
        j.reserveCapacity(512 + message.utf8.count)  // written once, not regrown
        GoJSON.appendString(point.measurement, to: &j)
        j += ",\"TaskName\":"
        GoJSON.appendString(taskName, to: &j)
        j += ",\"Group\":"
        GoJSON.appendString(group, to: &j)
        j += ",\"Tags\":{"
        for (i, t) in point.tags.enumerated() {
            if i > 0 { j += "," }
            GoJSON.appendString(t.key, to: &j)
            j += ":"
            GoJSON.appendString(t.value, to: &j)
        }
        j += "},\"ServerInfo\":{\"Hostname\":"
        GoJSON.appendString(hostname, to: &j)
        j += ",\"ClusterID\":\"\",\"ServerID\":\"\"},\"ID\":"
        GoJSON.appendString(id, to: &j)
        j += ",\"Fields\":{"
        for (i, (k, v)) in AlertRecord.sortedFields(of: point).enumerated() {
            if i > 0 { j += "," }
            GoJSON.appendString(k, to: &j)
            j += ":"
            switch v {
            case .float(let d): j += GoJSON.float(d)
            case .integer(let x): j += String(x)
            case .unsigned(let u): j += String(u)
            case .string(let s): GoJSON.appendString(s, to: &j)
            case .boolean(let b): j += b ? "true" : "false"
            }
        }
        j += "},\"Level\":\"\(level)\",\"Time\":\""
        j += GoTime(unixNano: point.time).rfc3339Nano
        j += "\",\"Duration\":"
        j += String(duration)
        j += ",\"Message\":"
        GoJSON.appendString(message, to: &j)
        j += "}\n"
        return KapacitorContext.htmlEscapedText(j)
    }
}
