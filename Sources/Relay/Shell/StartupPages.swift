#if canImport(Glibc)
import Glibc
import RelayConfig

/// Start-up runs code that an idle relay never runs again (argument parsing, the TOML and YAML
/// readers, rule compilation, librdkafka and listener set-up), and the kernel maps file pages in
/// large chunks (fault-around) around every page that runs: most of the executable's code and
/// read-only data, and much of the libraries', stays resident although little of it is used again.
/// `release()` drops those mappings' pages; what runs again comes back as minor faults from the
/// page cache, which still holds the files.
enum StartupPages {
    /// `madvise(MADV_DONTNEED)` on the code and read-only data of the program and its libraries:
    /// every mapping of a file that is also mapped executable (an object the loader mapped, which
    /// stays mapped as long as the process runs), that cannot be written and has no private copy
    /// of a page (`Anonymous: 0 kB` in /proc/self/smaps). Dropping such pages loses nothing — the
    /// file is their only content. A mapping with anonymous pages (RELRO, relocated when the
    /// program was loaded, then made read-only) is left alone, as are writable ones, the kernel's
    /// ([vdso], [vvar]: no file path) and other files' (the relay's own files may be unmapped and
    /// their addresses reused while this runs). Returns the bytes of mappings advised.
    @discardableResult
    static func release() -> Int {
        // This process's smaps is about 100 mappings of 1.5 kB: the limit only stops a read without end.
        guard let bytes = FileDescriptorReading.readFile("/proc/self/smaps", limit: 16 << 20) else { return 0 }
        let smaps = String(decoding: bytes, as: UTF8.self)
        let lines = smaps.split(separator: "\n")
        var objects: Set<Substring> = []
        for line in lines {
            if let mapping = Mapping(header: line), mapping.executable { objects.insert(mapping.path) }
        }
        var candidate: (start: UInt, length: Int)?
        var released = 0
        for line in lines {
            if let mapping = Mapping(header: line) {
                candidate = mapping.droppable && objects.contains(mapping.path) ? (mapping.start, mapping.length) : nil
            } else if line.hasPrefix("Anonymous:"), let c = candidate {
                candidate = nil
                // "Anonymous:   0 kB": only a mapping without private copies.
                guard line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "0",
                      let start = UnsafeMutableRawPointer(bitPattern: c.start) else { continue }
                if madvise(start, c.length, MADV_DONTNEED) == 0 { released += c.length }
            }
        }
        return released
    }

    /// A mapping's header line in /proc/self/smaps: `start-end perms offset dev inode path`.
    private struct Mapping {
        var start: UInt
        var length: Int
        var path: Substring
        var executable: Bool
        /// A file's mapping that cannot be written.
        var droppable: Bool

        init?(header line: Substring) {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            // Field lines ("Rss:      12 kB") have no '-' range in their first field.
            guard fields.count >= 5, fields[1].utf8.count == 4, let dash = fields[0].firstIndex(of: "-"),
                  let lo = UInt(fields[0][..<dash], radix: 16), let hi = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  hi > lo else { return nil }
            let flags = Array(fields[1].utf8)
            let path = fields.count == 6 ? fields[5].drop(while: { $0 == " " }) : ""
            start = lo
            length = Int(hi - lo)
            self.path = path
            let file = path.hasPrefix("/") && !path.hasSuffix(" (deleted)")
            executable = file && flags[2] == UInt8(ascii: "x")
            droppable = file && flags[1] != UInt8(ascii: "w")
        }
    }
}
#else
/// Elsewhere there is nothing to release.
enum StartupPages {
    @discardableResult
    static func release() -> Int { 0 }
}
#endif
