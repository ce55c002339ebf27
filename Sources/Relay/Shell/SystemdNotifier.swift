#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) without libsystemd: one datagram per state change to the unix socket systemd
/// names in `$NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace), for `Type=notify`
/// units. Nil when the variable is unset (not started by systemd, or not as a notify service).
///
/// Messages are `KEY=value` lines: `READY=1` once the listeners are bound, `RELOADING=1` with
/// `MONOTONIC_USEC=` when a reload starts and `READY=1` when it ends (with `STATUS=` and `ERRNO=`
/// saying whether it was applied or refused), `STOPPING=1`, and `WATCHDOG=1`. Sending never
/// blocks the caller for long (a datagram to a local socket) and a failure is ignored, as
/// sd_notify's callers do: systemd going away must not stop the relay.
final class SystemdNotifier: Sendable {
    private let socket: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t
    /// `$WATCHDOG_USEC` when it applies to this process: systemd expects `WATCHDOG=1` this often.
    let watchdogInterval: Duration?

    /// The notifier `environment` asks for, if any.
    static func fromEnvironment(_ environment: [String: String]) -> SystemdNotifier? {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        var watchdog: Duration?
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdog = .microseconds(usec)
        }
        return SystemdNotifier(path: path, watchdog: watchdog)
    }

    private init?(path: String, watchdog: Duration?) {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        socket = fd
        address = addr
        // An abstract name is exactly its bytes; a path also counts its terminating NUL.
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        watchdogInterval = watchdog
    }

    deinit { close(socket) }

    /// Sends `fields` as one message (`KEY=value` per line).
    func send(_ fields: [(String, String)]) {
        let text = fields.map { "\($0.0)=\($0.1.replacingNewlines())" }.joined(separator: "\n")
        var addr = address
        let length = addressLength
        _ = Array(text.utf8).withUnsafeBytes { body in
            withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, body.baseAddress, body.count, Int32(MSG_NOSIGNAL), $0, length) }
            }
        }
    }

    /// Listeners bound, serving.
    func ready(status: String) { send([("READY", "1"), ("STATUS", status)]) }

    /// A reload starts (systemd shows the unit "reloading" until the next `READY=1`).
    func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        send([("RELOADING", "1"), ("MONOTONIC_USEC", String(usec)), ("STATUS", "reloading")])
    }

    /// A reload ended: serving again, with the new files or (refused) the previous ones.
    func reloaded(_ outcome: ReloadOutcome) {
        switch outcome {
        case .applied(let rules, let handlers):
            send([("READY", "1"), ("STATUS", "reloaded: \(rules) rules, \(handlers) handlers"), ("ERRNO", "0")])
        case .refused(let why):
            // EINVAL: the files (or what they ask for) were refused; the running generation is kept.
            send([("READY", "1"), ("STATUS", why), ("ERRNO", String(EINVAL))])
        }
    }

    /// Shutting down.
    func stopping() { send([("STOPPING", "1"), ("STATUS", "stopping")]) }

    /// The watchdog keep-alive.
    func watchdog() { send([("WATCHDOG", "1")]) }
}

private extension String {
    /// A value on one line (a newline would start another field).
    func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}
