#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex, with a condition variable to wait until it changes: for
/// queues where one thread sleeps until others hand it work (the engine's point queue, the spool's
/// room). pthread primitives rather than `Synchronization.Mutex`, for the reason ``Locked`` gives
/// (ThreadSanitizer sees them).
///
/// `@unchecked Sendable` is safe because `value` is only reached through ``withLock(_:)`` and
/// ``wait(timeout:until:_:)``, both of which hold `mutex` for the whole access (the condition wait
/// releases and re-acquires it atomically, as POSIX guarantees), and `Value` is `Sendable`, so
/// what leaves the lock may cross threads.
public final class ConditionLocked<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    /// A lock and condition around `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)  // timeouts immune to wall-clock steps
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    @inline(__always)
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Waits while `blocked` holds (at most `timeout`; nil: no limit), then runs `body`, all
    /// holding the lock; `body` learns whether the wait ended by timing out.
    public func wait<Result>(timeout: Duration?, until blocked: (Value) -> Bool, _ body: (inout Value, _ timedOut: Bool) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var timedOut = false
        if let timeout {
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let (s, atto) = max(timeout, .zero).components
            let nanos = Int(deadline.tv_nsec) + Int(atto / 1_000_000_000)
            deadline.tv_sec += Int(clamping: s) + nanos / 1_000_000_000
            deadline.tv_nsec = nanos % 1_000_000_000
            while blocked(value) {
                if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT {
                    timedOut = blocked(value)
                    break
                }
            }
        } else {
            while blocked(value) { pthread_cond_wait(condition, mutex) }
        }
        return body(&value, timedOut)
    }

    /// Wakes one waiter.
    public func signal() { pthread_cond_signal(condition) }
    /// Wakes every waiter.
    public func broadcast() { pthread_cond_broadcast(condition) }
}
