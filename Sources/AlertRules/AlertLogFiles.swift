#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a log handler could not write.
public struct AlertLogError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "log handler: \(path): \(reason)" }
}

/// Kapacitor's log handler: appends each alert record as one JSON line to a file (created with the
/// handler's mode, default 0600). One open descriptor per path; writes are whole lines.
public final class AlertLogFiles {
    private var descriptors: [String: Int32] = [:]

    public init() {}

    deinit { closeAll() }

    /// Appends `line` (which ends with a newline) to `path`.
    public func append(_ line: [UInt8], to path: String, mode: Int) throws(AlertLogError) {
        let fd: Int32
        if let open = descriptors[path] {
            fd = open
        } else {
            fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode_t(mode))
            guard fd >= 0 else { throw AlertLogError(path: path, reason: String(cString: strerror(errno))) }
            descriptors[path] = fd
        }
        var offset = 0
        while offset < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                descriptors[path] = nil
                throw AlertLogError(path: path, reason: reason)
            }
            offset += n
        }
    }

    /// Closes every file (a reload reopens them on the next event).
    public func closeAll() {
        for fd in descriptors.values { close(fd) }
        descriptors.removeAll()
    }
}
