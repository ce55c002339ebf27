#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an open file descriptor to its end (a config file, standard input) and writes text to
/// one: what Foundation's `FileHandle` did, without Foundation.
public enum FileDescriptorReading {
    /// Every byte up to end of file, or the first `limit` bytes of a longer one; nil when a read
    /// fails (the caller reports `errno`).
    public static func readAll(_ fd: Int32, limit: Int = .max) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, limit - out.count)) }
            if n == 0 { return out }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            out += chunk[..<n]
        }
        return out
    }

    /// The file at `path` as ``readAll(_:limit:)`` reads it (for /proc files, whose size `stat`
    /// does not tell); nil when it cannot be opened or read.
    public static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd, limit: limit)
    }

    /// Writes all of `text` to `fd` (standard output or error), retrying short and interrupted
    /// writes; stops at any other error (there is nowhere left to report it).
    public static func writeAll(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { buffer in
            var rest = UnsafeRawBufferPointer(buffer)
            while !rest.isEmpty {
                let n = write(fd, rest.baseAddress, rest.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
    }
}
