#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDatagram

/// The receive slots of one reading thread: `slots` areas of 64 KiB (the largest UDP payload, so
/// no datagram is truncated), mapped once and reused for every read of every socket the thread
/// reads. The mapping is anonymous memory, so a page becomes resident only when a datagram is
/// written into it: the resident cost is the largest datagrams seen per slot (one 4 KiB page per
/// slot for a sidecar's 1-2 KB datagrams), not `slots` × 64 KiB, and nothing is allocated per read.
///
/// Not Sendable: one thread owns it (the engine thread, or a listener's own reader thread).
final class DatagramReceiver {
    /// One slot: the largest UDP payload over IPv4 is 65,507 bytes, over IPv6 65,527.
    static let slotSize = 65_536

    /// Datagrams one ``receive(from:_:)`` reads at most (one recvmmsg call).
    let slots: Int
    private let base: UnsafeMutablePointer<UInt8>
    private var lengths: [UInt32]
    private var truncated: [Int32]

    /// A receiver of `slots` datagrams per call (at most 64).
    init(slots: Int) {
        self.slots = min(max(1, slots), Int(ALERTRELAY_MAX_DATAGRAMS_PER_CALL))
        // A failed mapping of ~1 MiB at start-up means the process is out of address space or
        // memory: nothing the relay could go on without.
        guard let mapped = alertrelay_map_anonymous(self.slots * Self.slotSize) else {
            preconditionFailure("mmap of \(self.slots * Self.slotSize) bytes for UDP receive slots failed: \(String(cString: strerror(errno)))")
        }
        base = mapped.assumingMemoryBound(to: UInt8.self)
        lengths = Array(repeating: 0, count: self.slots)
        truncated = Array(repeating: 0, count: self.slots)
    }

    deinit { alertrelay_unmap(base, slots * Self.slotSize) }

    /// Reads what `fd` holds, up to ``slots`` datagrams, without blocking, and calls `body` with
    /// each in arrival order (a slot's bytes are valid only during the call). Returns how many
    /// were read: 0 when none was waiting (EAGAIN) or the read failed (a pending socket error,
    /// which the failed call clears).
    func receive(from fd: Int32, _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        let n = lengths.withUnsafeMutableBufferPointer { l in
            truncated.withUnsafeMutableBufferPointer { t in
                alertrelay_recv_datagrams(fd, base, Self.slotSize, UInt32(slots), l.baseAddress, t.baseAddress)
            }
        }
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) {
            body(UnsafeRawBufferPointer(start: base + i * Self.slotSize, count: Int(lengths[i])))
        }
        return Int(n)
    }
}
