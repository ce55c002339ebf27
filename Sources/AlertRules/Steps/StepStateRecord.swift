import LineProtocol

/// One step's state for one group as the state file keeps it, so windows and running transforms
/// survive a restart: each step kind fills the fields it needs.
public struct StepStateRecord: Codable, Sendable, Equatable {
    /// A field value with its type (`f`, `i`, `u`, `s`, `b`).
    public struct Value: Codable, Sendable, Equatable {
        public var f: Double?
        public var i: Int64?
        public var u: UInt64?
        public var s: String?
        public var b: Bool?

        init(_ v: FieldValue) {
            switch v {
            case .float(let d): f = d
            case .integer(let x): i = x
            case .unsigned(let x): u = x
            case .string(let x): s = x
            case .boolean(let x): b = x
            }
        }

        var fieldValue: FieldValue? {
            if let f { return .float(f) }
            if let i { return .integer(i) }
            if let u { return .unsigned(u) }
            if let s { return .string(s) }
            if let b { return .boolean(b) }
            return nil
        }
    }

    /// A whole point (a selector's window keeps them).
    public struct SavedPoint: Codable, Sendable, Equatable {
        public var name: String
        public var tags: [[String]]
        public var fields: [String]
        public var values: [Value]
        public var time: Int64

        init(_ p: Point) {
            name = p.measurement
            tags = p.tags.map { [$0.key, $0.value] }
            fields = p.fields.map(\.key)
            values = p.fields.map { Value($0.value) }
            time = p.time
        }

        var point: Point? {
            guard fields.count == values.count, tags.allSatisfy({ $0.count == 2 }) else { return nil }
            var fs: [Field] = []
            for (k, v) in zip(fields, values) {
                guard let fv = v.fieldValue else { return nil }
                fs.append(Field(key: k, value: fv))
            }
            return Point(measurement: name, tags: tags.map { Tag(key: $0[0], value: $0[1]) }, fields: fs, time: time)
        }
    }

    public var times: [Int64]?
    public var values: [Value]?
    public var points: [SavedPoint]?
    public var nextEmit: Int64?
    public var name: String?
    public var previousTime: Int64?
    public var previousValue: Value?
    public var intSum: Int64?
    public var floatSum: Double?
    public var ring: [Double]?
    public var position: Int?
    public var count: Int64?
    public var start: Int64?
    /// Stateful-function slots: n, mean, m2, min, max, count per slot.
    public var functions: [[Double]]?

    public init() {}
}

extension LambdaState {
    var record: [[Double]] { slots.map { [$0.n, $0.mean, $0.m2, $0.min, $0.max, Double($0.count)] } }

    func restore(_ saved: [[Double]]?) {
        guard let saved, saved.count == slots.count else { return }
        for (i, v) in saved.enumerated() where v.count == 6 {
            slots[i] = Slot(n: v[0], mean: v[1], m2: v[2], min: v[3], max: v[4], count: Int64(v[5]))
        }
    }
}
