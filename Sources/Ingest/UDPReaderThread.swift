import Locking
import LineProtocol

/// The ``DatagramHost`` of a UDP listener whose sink does not read sockets itself (any plain
/// ``PointSink``, such as the listeners' tests' counting sink): a thread of the listener's own
/// that sleeps in `poll` on the socket and offers each datagram's points as a batch. A full sink
/// refuses the batch, and its points are dropped and counted (`pointsDropped`).
final class UDPReaderThread: DatagramHost {
    private struct Stop: Sendable {
        var limit: Duration
        var done: @Sendable () -> Void
    }

    /// Datagrams read between two looks at a stop request.
    static let budget = 64

    private let sink: PointSink
    private let wake = WakeSignal()
    /// The thread's state: not started, running, or asked to stop; `ended` once it returned.
    private let state = Locked<(started: Bool, stop: Stop?, ended: Bool)>((false, nil, false))

    init(sink: PointSink) { self.sink = sink }

    func attach(_ listener: UDPListener) {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        let sink = self.sink, wake = self.wake, state = self.state
        DetachedThread.start("udp-reader") {
            let poller = DatagramPoller(wake: wake, slots: 8, recyclesPoints: false)
            poller.add(listener)
            let offer: DatagramPoller.Deliver = { points, from in
                if !sink.offer(PointBatch(points: points, source: from.statistics.name, destination: from.destination)) {
                    from.statistics.dropped.add(UInt64(points.count), ordering: .relaxed)
                }
            }
            while true {
                poller.wait(timeout: poller.hasReadable ? .zero : nil)
                if let stop = state.withLock({ $0.stop }) {
                    poller.remove(listener, drainFor: stop.limit, offer)
                    state.withLock { $0.ended = true }
                    stop.done()
                    return
                }
                poller.read(budget: Self.budget, offer)
            }
        }
    }

    func detach(_ listener: UDPListener, drainFor limit: Duration, done: @escaping @Sendable () -> Void) {
        let running = state.withLock { s -> Bool in
            guard s.started, !s.ended, s.stop == nil else { return false }
            s.stop = Stop(limit: limit, done: done)
            return true
        }
        if running {
            wake.signal()
        } else {
            listener.socket.close()
            done()
        }
    }
}
