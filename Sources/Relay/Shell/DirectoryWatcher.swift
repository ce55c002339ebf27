#if canImport(Glibc)
import Glibc
#endif
import Ingest

/// One directory to watch and which of its entries matter.
struct WatchedDirectory: Sendable {
    /// The directory (symlinks followed: the watch is on what it points to now).
    var path: String
    /// Whether a change to the entry named so should cause a reload.
    var matters: @Sendable (String) -> Bool
}

/// Watches directories with inotify and reports bursts of changes, debounced.
///
/// Directories, not files: a Kubernetes ConfigMap volume changes by writing a new timestamped
/// directory and renaming the `..data` symlink over the old one, which no watch on a file (or on
/// the directory a symlink pointed to) sees. A watch whose directory is removed or replaced is
/// dropped by the kernel; every burst ends with all watches made again from `directories`, so
/// they follow the symlinks to where they point now.
///
/// One thread runs ``run(directories:debounce:changed:)`` and owns the watch table; the kernel
/// file descriptors are fixed at init, and other threads only write one byte to the wake pipe
/// (``refresh()``, ``stop()``), so everything shared is immutable.
final class DirectoryWatcher: Sendable {
    private let inotify: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Why the watcher could not start.
    struct StartError: Error, CustomStringConvertible {
        var call: String
        var errno: Int32
        var description: String { "\(call): \(String(cString: strerror(errno)))" }
    }

    /// The watches made at init, which ``run(directories:debounce:changed:)`` starts from.
    private let firstWatches: [Int32: WatchedDirectory]

    /// Watches `directories` from now on: a change made after init returns is reported by
    /// ``run(directories:debounce:changed:)``, even one made before that runs.
    init(directories: [WatchedDirectory]) throws(StartError) {
        inotify = inotify_init1(Int32(IN_CLOEXEC))
        guard inotify >= 0 else { throw StartError(call: "inotify_init1", errno: errno) }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            let e = errno
            close(inotify)
            throw StartError(call: "pipe", errno: e)
        }
        // Not inherited by children (Glibc's module does not offer pipe2 with O_CLOEXEC).
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        firstWatches = Self.watch(directories, with: inotify, replacing: [:])
    }

    deinit {
        close(inotify)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Makes the watches again (the set of directories changed, e.g. after a reload).
    func refresh() { poke(UInt8(ascii: "r")) }

    /// Ends ``run(directories:debounce:changed:)``.
    func stop() { poke(UInt8(ascii: "q")) }

    private func poke(_ byte: UInt8) {
        var b = byte
        _ = write(wakeWrite, &b, 1)
    }

    /// Blocks in poll(2) until ``stop()``: after a change that matters, waits until `debounce` has
    /// passed with no further change (at most ten times `debounce` in all, so a directory that
    /// never settles still reloads), calls `changed`, and makes the watches again.
    func run(directories: @Sendable () -> [WatchedDirectory], debounce: Duration, changed: @Sendable () -> Void) {
        var watches = firstWatches
        func rewatch() { watches = Self.watch(directories(), with: inotify, replacing: watches) }
        let debounceMs = Int32(clamping: debounce.components.seconds * 1000 + debounce.components.attoseconds / 1_000_000_000_000_000)
        var pendingSince: ContinuousClock.Instant?
        var lastChange = ContinuousClock.now
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            var timeout: Int32 = -1
            if let since = pendingSince {
                let now = ContinuousClock.now
                let quietLeft = DatagramPoller.milliseconds(lastChange + debounce - now)
                let capLeft = DatagramPoller.milliseconds(since + debounce * 10 - now)
                timeout = max(0, min(quietLeft, capLeft, debounceMs * 10))
            }
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 2, timeout)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if n == 0 {
                // Quiet for `debounce` (or the cap passed): one reload for the burst.
                pendingSince = nil
                changed()
                rewatch()
                continue
            }
            if fds[1].revents != 0 {
                var b: UInt8 = 0
                if read(wakeRead, &b, 1) == 1 {
                    if b == UInt8(ascii: "q") { return }
                    rewatch()
                }
            }
            if fds[0].revents != 0 {
                let count = read(inotify, buffer, 64 * 1024)
                guard count > 0 else { continue }
                var offset = 0
                var matters = false
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    var name = ""
                    if event.len > 0 {
                        let chars = buffer.advanced(by: nameStart).assumingMemoryBound(to: CChar.self)
                        name = String(cString: chars)
                    }
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        matters = true  // events were lost: assume one mattered
                    } else if event.mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                        matters = matters || watches[event.wd] != nil  // a watched directory went away
                    } else if let d = watches[event.wd], d.matters(name) {
                        matters = true
                    }
                    offset = nameStart + Int(event.len)
                }
                if matters {
                    lastChange = .now
                    if pendingSince == nil { pendingSince = lastChange }
                }
            }
        }
    }

    /// Adds a watch for each of `directories` and removes those of `previous` no longer among
    /// them; returns the new table. Adding a watch for a directory already watched returns its
    /// descriptor again, so the watches that stay are never dropped (no window where a change
    /// goes unseen).
    private static func watch(_ directories: [WatchedDirectory], with inotify: Int32,
                              replacing previous: [Int32: WatchedDirectory]) -> [Int32: WatchedDirectory] {
        var next: [Int32: WatchedDirectory] = [:]
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        for d in directories {
            let wd = inotify_add_watch(inotify, d.path, mask)
            // A directory that does not exist (yet) is not watched; its parent's watch sees it appear.
            guard wd >= 0 else { continue }
            if let same = next[wd] {
                let a = same.matters, b = d.matters
                next[wd] = WatchedDirectory(path: d.path, matters: { a($0) || b($0) })
            } else {
                next[wd] = d
            }
        }
        for wd in previous.keys where next[wd] == nil { inotify_rm_watch(inotify, wd) }
        return next
    }
}
