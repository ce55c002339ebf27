import GoTemplate
import LineProtocol

/// Kapacitor's `models.Row` as Go's encoding/json writes it — `name` and `tags` left out when
/// empty, then `columns` (`time` first, the field keys sorted as Go sorts strings) and `values`
/// (RFC 3339 times, Go's number formats, `null` for a field a row lacks). The alert JSON's `data`
/// and what an `httpOut` serves are made of these rows.
enum KapacitorRowJSON {
    /// Appends the row of `rows` (one point, or a batch's points) under `head`'s name and tags.
    static func append(head: Point, rows: [Point], to out: inout String) {
        out += "{"
        var rowFirst = true
        if !head.measurement.isEmpty {
            out += "\"name\":"
            GoJSON.appendString(head.measurement, to: &out)
            rowFirst = false
        }
        if !head.tags.isEmpty {
            out += rowFirst ? "\"tags\":{" : ",\"tags\":{"
            rowFirst = false
            // Tags arrive sorted by key (bytewise), as Go's encoder sorts map keys.
            var lastKey: String?
            var first = true
            for t in head.tags where t.key != lastKey {
                if !first { out += "," }
                first = false
                GoJSON.appendString(t.key, to: &out)
                out += ":"
                GoJSON.appendString(t.value, to: &out)
                lastKey = t.key
            }
            out += "}"
        }
        let columns = AlertRecord.columns(of: rows)
        out += rowFirst ? "\"columns\":[\"time\"" : ",\"columns\":[\"time\""
        for k in columns {
            out += ","
            GoJSON.appendString(k, to: &out)
        }
        out += "],\"values\":["
        for (i, row) in rows.enumerated() {
            out += i == 0 ? "[\"" : ",[\""
            out += GoTime(unixNano: row.time).rfc3339Nano
            out += "\""
            let fields = AlertRecord.fields(of: row)
            for k in columns {
                out += ","
                switch fields.first(where: { $0.0 == k })?.1 {
                case .float(let d)?: out += GoJSON.float(d)
                case .integer(let i)?: out += String(i)
                case .unsigned(let u)?: out += String(u)
                case .string(let s)?: GoJSON.appendString(s, to: &out)
                case .boolean(let b)?: out += b ? "true" : "false"
                case nil: out += "null"
                }
            }
            out += "]"
        }
        out += "]}"
    }
}
