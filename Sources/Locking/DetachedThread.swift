#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a named, detached POSIX thread: for the loops that block in C or on a condition (the
/// rule engine, librdkafka's report poll, flushes) and must not hold one of Swift concurrency's
/// cooperative threads. pthreads rather than Foundation's `Thread`, which is not in
/// FoundationEssentials and links the whole Foundation (with ICU) into the binary.
public enum DetachedThread {
    /// Runs `body` on a new thread called `name` (Linux keeps the first 15 bytes, what `top -H`
    /// and `/proc/PID/task/*/comm` show). The thread ends when `body` returns.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if os(Linux)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, &attributes, { raw in
            // The box was retained for this thread: take it back exactly once.
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.setName()
            start.body()
            return nil
        }, box)
        // pthread_create fails only when the process is out of threads or memory: nothing the
        // relay could go on without (Foundation's Thread traps the same way).
        precondition(result == 0, "pthread_create failed for thread \(name): \(String(cString: strerror(result)))")
    }

    /// What the new thread runs, handed over through pthread_create's opaque argument.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        func setName() {
            #if os(Linux)
            // What pthread_setname_np does (Glibc's module does not export it): the kernel keeps
            // the first 15 bytes of the name written to the thread's comm file.
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            guard fd >= 0 else { return }
            var bytes = Array(name.utf8.prefix(15))
            _ = write(fd, &bytes, bytes.count)
            close(fd)
            #else
            _ = pthread_setname_np(name)
            #endif
        }
    }
}
