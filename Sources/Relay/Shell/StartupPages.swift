#if canImport(Glibc)
import Glibc

/// Start-up runs code that an idle relay never runs again (argument parsing, the TOML and YAML
/// readers, rule compilation, librdkafka and listener set-up), and the kernel maps the program's
/// code in large chunks around every page that runs: most of the executable's 17 MiB of code and
/// read-only data stays resident although little of it is used again. Once the relay serves, those
/// mappings are dropped; what runs again comes back as minor faults from the page cache, which
/// still holds the file.
enum StartupPages {
    /// `madvise(MADV_DONTNEED)` on every executable mapping of the program's own file; returns the
    /// bytes of mappings advised. Those pages are never written (code and read-only data of a
    /// private file mapping), so dropping them loses nothing: the file is their copy.
    @discardableResult
    static func release() -> Int {
        guard let exe = linkTarget("/proc/self/exe"), let maps = readFile("/proc/self/maps") else { return 0 }
        var released = 0
        for line in maps.split(separator: "\n") {
            // address perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1].contains("x" as Character), fields[5].trimmingPrefixSpaces() == exe else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let lo = UInt(range[0], radix: 16), let hi = UInt(range[1], radix: 16), hi > lo,
                  let start = UnsafeMutableRawPointer(bitPattern: lo) else { continue }
            if madvise(start, Int(hi - lo), MADV_DONTNEED) == 0 { released += Int(hi - lo) }
        }
        return released
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
            // /proc/self/maps of this process is far below this; stop rather than read without end.
            if bytes.count > 16 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension Substring {
    func trimmingPrefixSpaces() -> Substring { drop(while: { $0 == " " }) }
}
#else
/// Elsewhere there is nothing to release.
enum StartupPages {
    @discardableResult
    static func release() -> Int { 0 }
}
#endif
