import Dispatch
import Synchronization

/// Counts the calls that use a librdkafka handle right now, so that the handle is freed only
/// after the last of them left: ``enter()`` before a call (false once closed), ``leave()`` after,
/// and ``close()`` once, which returns when no call is inside any more.
///
/// Why `close` can free the handle after it returns: every access is sequentially consistent, so
/// a call that saw `closed == false` had raised `users` before `close` stored `closed`, and `close`
/// then reads `users >= 1` and waits; the count can only reach 0 once every such call left (later
/// callers raise and lower it around a `closed == true` they see, with no call inside), and the
/// call that brings it to 0 after `closed` signals `usersGone`.
final class HandleGuard: Sendable {
    private let users = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let usersGone = DispatchSemaphore(value: 0)

    /// Enters a call that uses the handle; false once closed (then do not call ``leave()``).
    func enter() -> Bool {
        users.add(1, ordering: .sequentiallyConsistent)
        if closed.load(ordering: .sequentiallyConsistent) {
            leave()
            return false
        }
        return true
    }

    /// Leaves a call ``enter()`` let in.
    func leave() {
        if users.subtract(1, ordering: .sequentiallyConsistent).newValue == 0, closed.load(ordering: .sequentiallyConsistent) {
            usersGone.signal()
        }
    }

    /// Refuses new calls and waits for those inside; false if it was already closed.
    func close() -> Bool {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return false }
        if users.load(ordering: .sequentiallyConsistent) > 0 { usersGone.wait() }
        return true
    }

    /// Runs `body` if the handle is open; nil once closed.
    func using<T>(_ body: () -> T) -> T? {
        guard enter() else { return nil }
        defer { leave() }
        return body()
    }
}
