#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LineProtocol

/// The UDP sockets one thread reads, and that thread's sleep: `poll(2)` on the sockets and a
/// ``WakeSignal`` (through which other threads hand it work), so one wake-up serves a datagram,
/// a burst of them, or queued work. Reads go through one ``DatagramReceiver`` (receive slots
/// mapped once for all sockets). Not Sendable: made and used on its thread only (the engine's,
/// or a ``UDPReaderThread``).
public final class DatagramPoller {
    /// What a read hands over: one datagram's accepted points and the listener it came to.
    public typealias Deliver = ([Point], UDPListener) -> Void

    /// What wakes the thread besides its sockets.
    public let wake: WakeSignal
    private let receiver: DatagramReceiver
    private var readers: [UDPReader] = []
    /// `wake` first, then one entry per reader, in the same order.
    private var descriptors: [pollfd]
    /// Where the next ``read(budget:_:)`` starts, so that no socket is always read last.
    private var nextReader = 0

    /// Whether each datagram's points are given back to their reader's parse session once
    /// ``Deliver`` returned, for the next datagram's points to reuse their storage (see
    /// ``UDPReader``): true where `deliver` evaluates the points in place and keeps no copy of the
    /// array (the engine thread); false where it hands the array on (``UDPReaderThread``), whose
    /// batch would make every retired point look held.
    let recyclesPoints: Bool

    /// A poller woken through `wake`, reading `slots` datagrams per system call; see
    /// ``recyclesPoints``.
    public init(wake: WakeSignal, slots: Int, recyclesPoints: Bool = true) {
        self.wake = wake
        self.recyclesPoints = recyclesPoints
        receiver = DatagramReceiver(slots: slots)
        descriptors = [pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0)]
    }

    /// No socket is attached.
    public var isEmpty: Bool { readers.isEmpty }

    /// A socket was reported readable and has not been read empty since (the next turn should
    /// read again before sleeping).
    public var hasReadable: Bool { readers.contains { $0.readable } }

    /// Starts polling `listener`'s socket; what it already holds is read at the next turn.
    public func add(_ listener: UDPListener) {
        guard !readers.contains(where: { $0.listener === listener }), !listener.socket.isClosed else { return }
        let reader = UDPReader(listener, recyclesPoints: recyclesPoints)
        reader.readable = true
        readers.append(reader)
        descriptors.append(pollfd(fd: listener.socket.descriptor, events: Int16(POLLIN), revents: 0))
    }

    /// Stops polling `listener`'s socket: reads it until it is empty (at most `limit`), then
    /// closes it.
    public func remove(_ listener: UDPListener, drainFor limit: Duration, _ deliver: Deliver) {
        guard let i = readers.firstIndex(where: { $0.listener === listener }) else {
            listener.socket.close()
            return
        }
        let reader = readers.remove(at: i)
        descriptors.remove(at: i + 1)
        nextReader = 0
        drain(reader, deadline: ContinuousClock.now + limit, deliver)
        listener.socket.close()
    }

    /// Reads every socket until it is empty, at most `limit` in all (the engine's last turn).
    public func drainAll(for limit: Duration, _ deliver: Deliver) {
        let deadline = ContinuousClock.now + limit
        for r in readers { drain(r, deadline: deadline, deliver) }
    }

    private func drain(_ reader: UDPReader, deadline: ContinuousClock.Instant, _ deliver: Deliver) {
        repeat {
            reader.readable = true
            _ = reader.read(receiver, budget: receiver.slots * 4, deliver)
        } while reader.readable && ContinuousClock.now < deadline
    }

    /// Sleeps until a socket is readable, ``wake`` is signalled or `timeout` passes (nil: no
    /// limit; zero: only looks), marking the readable sockets and clearing the signal.
    public func wait(timeout: Duration?) {
        let ms = timeout.map { Self.milliseconds($0) } ?? -1
        let n = descriptors.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), ms) }
        guard n > 0 else { return }
        if descriptors[0].revents != 0 { wake.consume() }
        for i in readers.indices where descriptors[i + 1].revents != 0 { readers[i].readable = true }
    }

    /// How often a linger looks at the sockets' fill: 4 ms per 208 KiB (the default
    /// `net.core.rmem_default`) of the smallest receive buffer, at least 1 ms. A quarter of a
    /// default buffer per interval is ~13 MB/s of kernel memory (each datagram costs its buffer's
    /// true size: 832 bytes for a one-line datagram on loopback, 4,352 for one of 2 KB, so
    /// ~16,000 and ~3,000 datagrams a second); a rate that rises past that within one interval
    /// can fill the rest of the buffer before the check sees it.
    public var checkInterval: Duration {
        var smallest = Int.max
        for r in readers {
            guard let m = r.listener.socket.memory else { continue }
            smallest = min(smallest, m.limit)
        }
        guard smallest != Int.max else { return .milliseconds(4) }
        let scaled = Duration.microseconds(Int64(4_000) * Int64(smallest) / 212_992)
        return max(scaled, .milliseconds(1))
    }

    /// The queued kernel memory of the fullest socket, as a fraction of its receive buffer
    /// (`SO_MEMINFO`; 0 when none is attached or none could be read).
    public func fill() -> Double {
        var fullest = 0.0
        for r in readers {
            guard let m = r.listener.socket.memory, m.limit > 0 else { continue }
            fullest = max(fullest, Double(m.queued) / Double(m.limit))
        }
        return fullest
    }

    /// Sleeps until ``wake`` is signalled or `timeout` passes, leaving the sockets unread — the
    /// datagrams arriving meanwhile wait in their receive buffers, so the next read takes them
    /// with one wake-up — then marks the sockets that are readable. Every ``checkInterval`` it
    /// looks at the sockets' fill and ends early at `stopFill` (a rate rising during the linger).
    /// Returns whether the fill ended it.
    @discardableResult
    public func linger(timeout: Duration, stopFill: Double) -> Bool {
        let deadline = ContinuousClock.now + max(timeout, .zero)
        let interval = checkInterval
        var filled = false
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            let n = descriptors.withUnsafeMutableBufferPointer { poll($0.baseAddress, 1, Self.milliseconds(min(remaining, interval))) }
            if n > 0, descriptors[0].revents != 0 {
                wake.consume()
                break
            }
            if fill() >= stopFill {
                filled = true
                break
            }
        }
        wait(timeout: .zero)
        return filled
    }

    /// `d` in whole milliseconds for `poll(2)` (negative as 0), rounded up, so that a timer due
    /// in 0.3 ms is not polled for in a loop of 0 ms waits. The config watch's `poll` uses it too.
    public static func milliseconds(_ d: Duration) -> Int32 {
        let (s, atto) = max(d, .zero).components
        return Int32(clamping: s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// Reads at most about `budget` datagrams from the readable sockets, taking turns; returns
    /// how many it read.
    @discardableResult
    public func read(budget: Int, _ deliver: Deliver) -> Int {
        guard !readers.isEmpty else { return 0 }
        var total = 0
        var looked = 0
        var i = nextReader % readers.count
        while looked < readers.count && total < budget {
            if readers[i].readable { total += readers[i].read(receiver, budget: budget - total, deliver) }
            looked += 1
            i = (i + 1) % readers.count
        }
        nextReader = i
        return total
    }
}
