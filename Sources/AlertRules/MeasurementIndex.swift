import LineProtocol

/// Rules by measurement in an open-addressing table keyed by FNV-1a: a point whose measurement no
/// rule reads costs one hash and one probe, and no reference counting.
final class MeasurementIndex {
    struct Entry {
        /// The name's first eight bytes and length, as ``Point/measurementPrefix`` has them.
        var prefix: UInt64
        var length: Int
        var name: String
        /// Unretained (the engine keeps its runtimes for its life), in a buffer the index owns: a
        /// point's rules are read with no reference counting at all.
        var rules: UnsafeBufferPointer<Unmanaged<RuleEngine.RuleRuntime>>
    }
    /// Empty slots have no rules (a measurement in the table always has at least one).
    private let slots: UnsafeMutableBufferPointer<Entry>
    private let mask: Int

    init(_ byName: [String: [RuleEngine.RuleRuntime]]) {
        var size = 8
        while size < byName.count * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Entry(prefix: 0, length: 0, name: "", rules: UnsafeBufferPointer(start: nil, count: 0)))
        mask = size - 1
        for (name, rules) in byName {
            var name = name
            let (prefix, length) = name.withUTF8 { (Point.prefix($0), $0.count) }
            var i = Self.slot(prefix, length) & mask
            while !slots[i].rules.isEmpty { i = (i + 1) & mask }
            let buffer = UnsafeMutableBufferPointer<Unmanaged<RuleEngine.RuleRuntime>>.allocate(capacity: rules.count)
            _ = buffer.initialize(from: rules.map(Unmanaged.passUnretained))
            slots[i] = Entry(prefix: prefix, length: length, name: name, rules: UnsafeBufferPointer(buffer))
        }
    }

    deinit {
        for entry in slots where !entry.rules.isEmpty { entry.rules.deallocate() }
        slots.deinitialize()
        slots.deallocate()
    }

    @inline(__always)
    static func slot(_ prefix: UInt64, _ length: Int) -> Int {
        Int(truncatingIfNeeded: ((prefix ^ UInt64(truncatingIfNeeded: length)) &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    /// Calls `body` with the rules of the point's measurement, if any rule reads it. Measurements
    /// are told apart by their first eight bytes and length, held in the point itself; only a
    /// longer name that matches those is compared in the point's buffer.
    @inline(__always)
    func withRules(for p: UnsafePointer<Point>, _ body: (UnsafePointer<Entry>) -> Void) {
        guard let base = slots.baseAddress else { return }
        let prefix = p.pointee.measurementPrefix
        let length = p.pointee.measurementLength
        var i = Self.slot(prefix, length) & mask
        while true {
            let entry = UnsafePointer(base + i)
            if entry.pointee.rules.isEmpty { return }
            if entry.pointee.prefix == prefix && entry.pointee.length == length
                && (length <= 8 || p.pointee.withMeasurementUTF8({ entry.pointee.name.utf8.elementsEqual($0) })) {
                body(entry)
                return
            }
            i = (i + 1) & mask
        }
    }
}
