import Foundation

/// A tmpfs of a few megabytes mounted for one test, to fill a disk for real (short writes,
/// `ENOSPC`) without filling the machine's. Needs root (CI runs as root); tests that use it are
/// disabled elsewhere with ``unavailableReason``.
public final class SmallTmpfs {
    /// Where it is mounted.
    public let path: String
    private var mounted = true

    /// Why a small tmpfs cannot be mounted here, or nil when it can.
    public static let unavailableReason: String? = {
        if getuid() != 0 { return "disk-full tests mount a small tmpfs, which needs root (CI runs as root); skipped" }
        do {
            let probe = try SmallTmpfs(bytes: 1 << 20)
            probe.unmount()
        } catch {
            return "disk-full tests cannot mount a tmpfs here (\(error)); skipped"
        }
        return nil
    }()

    /// Mounts a tmpfs of `bytes` on a fresh temporary directory.
    public init(bytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try CommandResult.run(Self.tool("mount"), ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw TestSupportError("mount -t tmpfs failed (\(result.status)): \(result.stderr)")
        }
    }

    /// Writes `name` until the disk refuses (ENOSPC), leaving `bytes` short of that free again
    /// (rounded to pages by tmpfs); returns the file's path.
    @discardableResult
    public func fill(_ name: String, leaving bytes: Int = 0) throws -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw TestSupportError("cannot create \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x55, count: 4096)
        var size = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            size += n
        }
        if bytes > 0 { ftruncate(fd, off_t(max(0, size - bytes))) }
        return file
    }

    /// Unmounts and removes the directory.
    public func unmount() {
        guard mounted else { return }
        mounted = false
        _ = try? CommandResult.run(Self.tool("umount"), ["-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { unmount() }

    private static func tool(_ name: String) -> String {
        ["/usr/bin/" + name, "/bin/" + name].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/bin/" + name
    }
}
