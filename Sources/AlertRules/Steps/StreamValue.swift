import LineProtocol

/// Helpers the stream steps share: reading a field as a number, and making the point a step emits.
enum StreamValue {
    /// An integer or float field as a Double (Kapacitor's `numToFloat`); nil otherwise.
    static func number(_ v: FieldValue?) -> Double? {
        switch v {
        case .float(let d)?: return d
        case .integer(let i)?: return Double(i)
        default: return nil
        }
    }

    /// "missing" or the value's type, for messages.
    static func describe(_ v: FieldValue?) -> String {
        v.map { "of type \($0.typeName)" } ?? "missing"
    }

    /// `point` with `field` set (replacing a field of that name), as Kapacitor copies the fields
    /// and sets one.
    static func adding(_ field: Field, to point: Point) -> Point {
        var fields = Array(point.fields)
        if let i = fields.firstIndex(where: { $0.key == field.key }) { fields[i] = field } else { fields.append(field) }
        return Point(measurement: point.measurement, tags: Array(point.tags), fields: fields, time: point.time)
    }

    /// An InfluxQL stream transformation's output: one field, the group's tags, the point's time.
    static func transformed(_ point: Point, groupTags: [Tag], field: Field, time: Int64? = nil) -> Point {
        Point(measurement: point.measurement, tags: groupTags, fields: [field], time: time ?? point.time)
    }
}

/// A point's tag, under a name that says so in files that also deal with YAML tags.
typealias PointTag = Tag
