import LineProtocol

/// What a reading thread keeps per UDP listener: the listener (socket, counters, precision and
/// destination), its parser (whose rejected-line log limit is per listener), a parse session
/// (scratch buffers kept, and the storage of a datagram's points reused by the next datagram's
/// when nothing kept them, if it ``recycles``) and one points array reused for every datagram.
/// Not Sendable: made and used on the reading thread only.
final class UDPReader {
    let listener: UDPListener
    /// `poll` reported the socket readable and it has not been read empty since.
    var readable = false
    private var parser: BatchParser
    private let session: LineProtocolSession
    /// Whether the points are given back to `session` after `deliver` (see
    /// ``DatagramPoller/recyclesPoints``).
    private let recycles: Bool
    private var points: [Point] = []
    private var noErrors: [RejectedLine] = []

    init(_ listener: UDPListener, recyclesPoints: Bool) {
        self.listener = listener
        recycles = recyclesPoints
        parser = BatchParser(precision: listener.precision, statistics: listener.statistics, logger: listener.logger)
        session = LineProtocolSession(parser.parser)
    }

    /// Reads up to about `budget` datagrams (whole recvmmsg calls) and calls `deliver` with each
    /// datagram's accepted points (bad lines are counted and logged by the parser; a datagram
    /// with none is not delivered). Clears ``readable`` once a read finds the socket empty.
    /// Returns the datagrams read.
    func read(_ receiver: DatagramReceiver, budget: Int, _ deliver: ([Point], UDPListener) -> Void) -> Int {
        let statistics = listener.statistics
        let fd = listener.socket.descriptor
        var total = 0
        while total < budget {
            let n = receiver.receive(from: fd) { datagram in
                statistics.datagrams.add(1, ordering: .relaxed)
                statistics.bytes.add(UInt64(datagram.count), ordering: .relaxed)
                // The last datagram's points were evaluated and dropped by the engine: their storage
                // is taken over by this datagram's points where nothing else kept them.
                if recycles { session.recycle(&points) } else { points.removeAll(keepingCapacity: true) }
                _ = parser.parse(datagram, now: unixNanosecondsNow(), into: &points, errors: &noErrors, session: session)
                if !points.isEmpty { deliver(points, listener) }
            }
            total += n
            if n < receiver.slots {
                readable = false
                break
            }
        }
        return total
    }
}
