#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDatagram

/// An eventfd that a thread sleeping in `poll(2)` beside its sockets (the engine thread) is woken
/// through: other threads ``signal()`` it when they hand that thread work, the sleeper polls
/// ``descriptor`` and ``consume()``s what was signalled. Writes add up in the kernel counter, so
/// a signal sent before the sleeper reaches `poll` is not lost.
public final class WakeSignal: Sendable {
    /// The eventfd, polled for POLLIN.
    public let descriptor: Int32

    /// A new eventfd. Creating one fails only when the process has no descriptor or memory left
    /// at start-up, which nothing the relay does could go on without (as a failed
    /// `pthread_create` in ``DetachedThread`` traps).
    public init() {
        let fd = alertrelay_eventfd()
        precondition(fd >= 0, "eventfd failed: \(String(cString: strerror(errno))); raise the open-file limit (ulimit -n)")
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Wakes the thread polling ``descriptor`` (any thread).
    public func signal() {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    /// Clears what was signalled (the polling thread, after `poll` reported it readable).
    public func consume() {
        var count: UInt64 = 0
        _ = read(descriptor, &count, 8)
    }
}
