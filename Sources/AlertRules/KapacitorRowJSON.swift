import GoTemplate
import LineProtocol

/// Kapacitor's `models.Row` as Go's encoding/json writes it — `name` and `tags` left out when
/// empty, then `columns` (`time` first, the field keys sorted as Go sorts strings) and `values`
/// (RFC 3339 times, Go's number formats, `null` for a field a row lacks). The alert JSON's `data`
/// and what an `httpOut` serves are made of these rows.
enum KapacitorRowJSON {
    /// Appends the row of `rows` (one point, or a batch's points) under `head`'s name and tags.
    static func append(head: Point, rows: [Point], to out: inout String) {
        var w = GoJSONBytes(capacity: 256)
        append(head: head, rows: rows, to: &w)
        out += w.copiedString()
    }

    /// Appends the row of one point (every stream alert) under its own name and tags; `fields`
    /// are its fields as ``AlertRecord/sortedFields(of:)`` gives them, both columns and values.
    static func append(point: Point, sortedFields fields: [(String, FieldValue)], to w: inout GoJSONBytes) {
        let rowFirst = appendNameAndTags(point, to: &w)
        appendOneRow(time: point.time, sortedFields: fields, rowFirst: rowFirst, to: &w)
    }

    /// The columns and values of a row of one point: its sorted fields are both; closes the row.
    private static func appendOneRow(time: Int64, sortedFields fields: [(String, FieldValue)], rowFirst: Bool, to w: inout GoJSONBytes) {
        rowFirst ? w.raw("\"columns\":[\"time\"") : w.raw(",\"columns\":[\"time\"")
        for (k, _) in fields {
            w.raw(",")
            w.string(k)
        }
        w.raw("],\"values\":[[\"")
        w.rfc3339Nano(GoTime(unixNano: time))
        w.raw("\"")
        for (_, v) in fields {
            w.raw(",")
            appendValue(v, to: &w)
        }
        w.raw("]]}")
    }

    /// Opens the row and writes `head`'s name and tags, read in place; true when it wrote neither
    /// (the next key needs no comma).
    private static func appendNameAndTags(_ head: Point, to w: inout GoJSONBytes) -> Bool {
        w.raw("{")
        var rowFirst = true
        if head.measurementLength > 0 {
            w.raw("\"name\":")
            head.withMeasurementUTF8 { w.string(utf8: $0) }
            rowFirst = false
        }
        if head.tagCount > 0 {
            rowFirst ? w.raw("\"tags\":{") : w.raw(",\"tags\":{")
            rowFirst = false
            // Tags arrive sorted by key (bytewise), as Go's encoder sorts map keys; a repeated key
            // is written once (its first value).
            for i in 0..<head.tagCount {
                let repeated = i > 0 && head.withTagUTF8(i - 1, { last, _ in head.withTagUTF8(i) { key, _ in last.elementsEqual(key) } })
                if repeated { continue }
                if i > 0 { w.raw(",") }
                head.withTagUTF8(i) { key, value in
                    w.string(utf8: key)
                    w.raw(":")
                    w.string(utf8: value)
                }
            }
            w.raw("}")
        }
        return rowFirst
    }

    /// Appends the row of `rows` (one point, or a batch's points) under `head`'s name and tags.
    static func append(head: Point, rows: [Point], to w: inout GoJSONBytes) {
        let rowFirst = appendNameAndTags(head, to: &w)
        if rows.count == 1 {
            // One point: its fields, sorted once, are both columns and values.
            appendOneRow(time: rows[0].time, sortedFields: AlertRecord.sortedFields(of: rows[0]), rowFirst: rowFirst, to: &w)
            return
        }
        let columns = AlertRecord.columns(of: rows)
        rowFirst ? w.raw("\"columns\":[\"time\"") : w.raw(",\"columns\":[\"time\"")
        for k in columns {
            w.raw(",")
            w.string(k)
        }
        w.raw("],\"values\":[")
        for (i, row) in rows.enumerated() {
            i == 0 ? w.raw("[\"") : w.raw(",[\"")
            w.rfc3339Nano(GoTime(unixNano: row.time))
            w.raw("\"")
            let fields = AlertRecord.fields(of: row)
            for k in columns {
                w.raw(",")
                if let v = fields.first(where: { $0.0 == k })?.1 { appendValue(v, to: &w) } else { w.raw("null") }
            }
            w.raw("]")
        }
        w.raw("]}")
    }

    /// A field value as encoding/json writes it.
    static func appendValue(_ v: FieldValue, to w: inout GoJSONBytes) {
        switch v {
        case .float(let d): w.float(d)
        case .integer(let i): w.int(i)
        case .unsigned(let u): w.uint(u)
        case .string(let s): w.string(s)
        case .boolean(let b): w.bool(b)
        }
    }
}
