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
        let ranges = bytes.withUnsafeBufferPointer { DroppableMappings.ranges(inSmaps: $0) }
        var released = 0
        for r in ranges {
            guard let start = UnsafeMutableRawPointer(bitPattern: r.start) else { continue }
            if madvise(start, r.length, MADV_DONTNEED) == 0 { released += r.length }
        }
        return released
    }
}
#else
/// Elsewhere there is nothing to release.
enum StartupPages {
    @discardableResult
    static func release() -> Int { 0 }
}
#endif
