/// The state file's JSON, written by hand: the shape `JSONEncoder` gives ``AlertStateSnapshot``
/// (keys sorted, absent optionals left out, infinities and NaN as the strings `+Inf`, `-Inf` and
/// `NaN`), read back by `JSONDecoder`. Foundation's encoder builds a boxed tree of every value
/// first; at a million groups that cost ~40 s of CPU per save, this writes bytes directly.
struct AlertStateJSON {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// The whole snapshot; `groups`, when given, replaces each rule's `groups` (the engine's
    /// copied lists, written without building a dictionary first).
    static func encode(_ s: AlertStateSnapshot, groups: [String: [(String, AlertStateSnapshot.Group)]]? = nil) -> [UInt8] {
        let total = groups.map { $0.values.reduce(0) { $0 + $1.count } } ?? s.rules.values.reduce(0) { $0 + $1.groups.count }
        var w = AlertStateJSON(capacity: 256 + total * 160)
        w.raw("{\"rules\":{")
        for (i, id) in s.rules.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            w.string(id)
            w.raw(":")
            let rule = s.rules[id]!
            var list: [(String, AlertStateSnapshot.Group)]
            if let copied = groups?[id] { list = copied } else { list = rule.groups.map { ($0.key, $0.value) } }
            list.sort { $0.0 < $1.0 }
            w.rule(rule, list)
        }
        w.raw("},\"takenAt\":")
        w.int(s.takenAt)
        w.raw(",\"topics\":{")
        for (i, topic) in s.topics.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            w.string(topic)
            w.raw(":{")
            let ids = s.topics[topic]!
            for (j, id) in ids.keys.sorted().enumerated() {
                if j > 0 { w.raw(",") }
                w.string(id)
                w.raw(":")
                w.int(Int64(ids[id]!))
            }
            w.raw("}")
        }
        w.raw("},\"version\":")
        w.int(Int64(s.version))
        w.raw("}")
        return w.bytes
    }

    private mutating func rule(_ r: AlertStateSnapshot.Rule, _ groups: [(String, AlertStateSnapshot.Group)]) {
        raw("{\"functionSlots\":")
        int(Int64(r.functionSlots))
        raw(",\"groupBy\":")
        string(r.groupBy)
        raw(",\"groups\":{")
        for (i, (key, g)) in groups.enumerated() {
            if i > 0 { raw(",") }
            string(key)
            raw(":")
            group(g)
        }
        raw("},\"history\":")
        int(Int64(r.history))
        if let steps = r.steps {
            raw(",\"steps\":")
            array(steps) { $0.string($1) }
        }
        raw("}")
    }

    private mutating func group(_ g: AlertStateSnapshot.Group) {
        raw("{\"changed\":")
        bool(g.changed)
        if let d = g.deadman {
            raw(",\"deadman\":")
            array(d) { $0.int($1) }
        }
        if let e = g.event {
            raw(",\"event\":{\"details\":")
            string(e.details)
            raw(",\"duration\":")
            int(e.duration)
            raw(",\"id\":")
            string(e.id)
            raw(",\"level\":")
            int(Int64(e.level))
            raw(",\"message\":")
            string(e.message)
            raw(",\"point\":")
            savedPoint(e.point)
            raw(",\"time\":")
            int(e.time)
            raw("}")
        }
        raw(",\"expired\":")
        bool(g.expired)
        raw(",\"firstTriggered\":")
        int(g.firstTriggered)
        raw(",\"flapping\":")
        bool(g.flapping)
        if let f = g.functions {
            raw(",\"functions\":")
            array(f) { w, slot in w.array(slot) { $0.double($1) } }
        }
        if let tags = g.groupTags {
            raw(",\"groupTags\":")
            array(tags) { w, pair in w.array(pair) { $0.string($1) } }
        }
        raw(",\"index\":")
        int(Int64(g.index))
        if let l = g.lastSeen {
            raw(",\"lastSeen\":")
            int(l)
        }
        raw(",\"lastTriggered\":")
        int(g.lastTriggered)
        raw(",\"levels\":")
        array(g.levels) { $0.int(Int64($1)) }
        if let steps = g.steps {
            raw(",\"steps\":")
            array(steps) { $0.step($1) }
        }
        raw("}")
    }

    private mutating func step(_ r: StepStateRecord) {
        var first = true
        if let v = r.count { key("count", &first); int(v) }
        if let v = r.floatSum { key("floatSum", &first); double(v) }
        if let v = r.functions { key("functions", &first); array(v) { w, slot in w.array(slot) { $0.double($1) } } }
        if let v = r.intSum { key("intSum", &first); int(v) }
        if let v = r.name { key("name", &first); string(v) }
        if let v = r.nextEmit { key("nextEmit", &first); int(v) }
        if let v = r.points { key("points", &first); array(v) { $0.savedPoint($1) } }
        if let v = r.position { key("position", &first); int(Int64(v)) }
        if let v = r.previousTime { key("previousTime", &first); int(v) }
        if let v = r.previousValue { key("previousValue", &first); value(v) }
        if let v = r.ring { key("ring", &first); array(v) { $0.double($1) } }
        if let v = r.start { key("start", &first); int(v) }
        if let v = r.times { key("times", &first); array(v) { $0.int($1) } }
        if let v = r.values { key("values", &first); array(v) { $0.value($1) } }
        if first { raw("{}") } else { raw("}") }
    }

    private mutating func savedPoint(_ p: StepStateRecord.SavedPoint) {
        raw("{\"fields\":")
        array(p.fields) { $0.string($1) }
        raw(",\"name\":")
        string(p.name)
        raw(",\"tags\":")
        array(p.tags) { w, pair in w.array(pair) { $0.string($1) } }
        raw(",\"time\":")
        int(p.time)
        raw(",\"values\":")
        array(p.values) { $0.value($1) }
        raw("}")
    }

    private mutating func value(_ v: StepStateRecord.Value) {
        var first = true
        if let b = v.b { key("b", &first); bool(b) }
        if let f = v.f { key("f", &first); double(f) }
        if let i = v.i { key("i", &first); int(i) }
        if let s = v.s { key("s", &first); string(s) }
        if let u = v.u { key("u", &first); bytes.append(contentsOf: String(u).utf8) }
        if first { raw("{}") } else { raw("}") }
    }

    // MARK: Scalars

    /// `{"k":` for an object's first key, `,"k":` for the others.
    private mutating func key(_ k: StaticString, _ first: inout Bool) {
        if first { raw("{\"") } else { raw(",\"") }
        first = false
        raw(k)
        raw("\":")
    }

    private mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func raw(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    private mutating func array<T>(_ items: [T], _ element: (inout AlertStateJSON, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (i, x) in items.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, x)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func bool(_ b: Bool) {
        if b { raw("true") } else { raw("false") }
    }

    private mutating func int(_ v: Int64) {
        if v >= 0 && v < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(v))
        } else {
            bytes.append(contentsOf: String(v).utf8)
        }
    }

    /// A finite double in Swift's shortest round-trip form (valid JSON: `1.0`, `1e-07`); the
    /// others as the decoder's strings.
    private mutating func double(_ d: Double) {
        if d.isNaN {
            raw("\"\(AlertStateSnapshot.nonFinite.nan)\"")
        } else if d.isInfinite {
            raw(d > 0 ? "\"\(AlertStateSnapshot.nonFinite.positiveInfinity)\"" : "\"\(AlertStateSnapshot.nonFinite.negativeInfinity)\"")
        } else {
            bytes.append(contentsOf: d.description.utf8)
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\uXXXX`.
    private mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hex[Int(b >> 4)])
                bytes.append(Self.hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
