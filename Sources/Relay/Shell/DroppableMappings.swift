/// The address ranges of a `/proc/self/smaps` text that ``StartupPages`` may drop: every mapping
/// of a file that is also mapped executable (an object the loader mapped), that cannot be written
/// and has no private copy of a page (`Anonymous: 0 kB`). Mappings with anonymous pages (RELRO),
/// writable ones, the kernel's (no file path) and deleted files' are left out.
///
/// Read as bytes in one pass: the text is ~25 lines per mapping and a few hundred mappings, and
/// it is read while the relay serves traffic (String splitting cost ~30 ms of CPU per read).
struct DroppableMappings {
    /// A mapping's range, as `madvise` takes it.
    struct Range: Equatable {
        var start: UInt
        var length: Int
    }

    /// The ranges to drop, in the text's order.
    static func ranges(inSmaps text: UnsafeBufferPointer<UInt8>) -> [Range] {
        var mappings: [Mapping] = []
        var lineStart = 0
        while lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count && text[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = UnsafeBufferPointer(rebasing: text[lineStart..<lineEnd])
            if let mapping = Mapping(header: line, offset: lineStart) {
                mappings.append(mapping)
            } else if !mappings.isEmpty, mappings[mappings.count - 1].anonymousZero == nil, Self.isAnonymous(line) {
                mappings[mappings.count - 1].anonymousZero = Self.valueIsZero(line)
            }
            lineStart = lineEnd + 1
        }
        func path(_ m: Mapping) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: text[m.path]) }
        var objects: [UnsafeBufferPointer<UInt8>] = []
        for m in mappings where m.executable && !objects.contains(where: { $0.elementsEqual(path(m)) }) { objects.append(path(m)) }
        return mappings.compactMap { m in
            guard m.droppable, m.anonymousZero == true, objects.contains(where: { $0.elementsEqual(path(m)) }) else { return nil }
            return Range(start: m.start, length: m.length)
        }
    }

    /// `Anonymous:` starts the line.
    private static func isAnonymous(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.starts(with: "Anonymous:".utf8)
    }

    /// The line's first number after its name is 0 ("Anonymous:      0 kB").
    private static func valueIsZero(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = "Anonymous:".utf8.count
        while i < line.count && line[i] == UInt8(ascii: " ") { i += 1 }
        return i < line.count && line[i] == UInt8(ascii: "0") && (i + 1 == line.count || line[i + 1] == UInt8(ascii: " "))
    }

    /// A header line: `start-end perms offset dev inode [path]`, fields separated by spaces.
    private struct Mapping {
        var start: UInt
        var length: Int
        /// Where the path is in the whole text (empty for anonymous and the kernel's mappings).
        var path: Swift.Range<Int>
        var executable: Bool
        /// A file's mapping that cannot be written.
        var droppable: Bool
        /// Whether its `Anonymous:` line says 0; nil until that line is read.
        var anonymousZero: Bool?

        init?(header line: UnsafeBufferPointer<UInt8>, offset: Int) {
            var i = 0
            guard let lo = Self.hex(line, &i), i < line.count, line[i] == UInt8(ascii: "-") else { return nil }
            i += 1
            guard let hi = Self.hex(line, &i), hi > lo, i < line.count, line[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            // Field lines ("Rss:   12 kB") fail above: their first field is no hex range.
            guard i + 4 < line.count, line[i + 4] == UInt8(ascii: " ") else { return nil }
            let writable = line[i + 1] == UInt8(ascii: "w"), runs = line[i + 2] == UInt8(ascii: "x")
            i += 4
            for _ in 0..<3 {  // offset, device, inode
                while i < line.count && line[i] == UInt8(ascii: " ") { i += 1 }
                guard i < line.count else { return nil }
                while i < line.count && line[i] != UInt8(ascii: " ") { i += 1 }
            }
            while i < line.count && line[i] == UInt8(ascii: " ") { i += 1 }
            let path = UnsafeBufferPointer(rebasing: line[i...])
            let file = path.first == UInt8(ascii: "/") && !path.reversed().starts(with: " (deleted)".utf8.reversed())
            start = lo
            length = Int(hi - lo)
            self.path = (offset + i)..<(offset + line.count)
            executable = file && runs
            droppable = file && !writable
            anonymousZero = nil
        }

        /// Reads lowercase hex digits at `i` (at least one, at most 16).
        private static func hex(_ line: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt? {
            var value: UInt = 0, digits = 0
            while i < line.count, digits < 17 {
                let c = line[i]
                let d: UInt
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt(c - UInt8(ascii: "a") + 10)
                default: return digits > 0 && digits <= 16 ? value : nil
                }
                value = value << 4 | d
                digits += 1
                i += 1
            }
            return digits > 0 && digits <= 16 ? value : nil
        }
    }
}
