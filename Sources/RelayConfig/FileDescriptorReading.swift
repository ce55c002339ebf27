#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an open file descriptor to its end (a config file, standard input) and writes text to
/// one: what Foundation's `FileHandle` did, without Foundation.
public enum FileDescriptorReading {
    /// Every byte up to end of file; nil when a read fails (the caller reports `errno`).
    public static func readAll(_ fd: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return out }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            out += chunk[..<n]
        }
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
