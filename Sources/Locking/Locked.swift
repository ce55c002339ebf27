#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: `withLock` gives exclusive access.
///
/// Used instead of `Synchronization.Mutex` because on Linux that one locks with futexes inside the
/// uninstrumented Swift runtime, so ThreadSanitizer cannot see its happens-before edges and reports
/// every access it guards as a race (checked with a two-thread counter). pthread mutexes are
/// intercepted by TSan, so `Tools/sanitizers/run.sh thread` checks what this lock protects.
///
/// `@unchecked Sendable` is safe because `value` is only reached inside ``withLock(_:)``, which
/// holds `mutex` for the whole access, and `Value` is `Sendable`, so what leaves the lock may
/// cross threads.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
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
}
