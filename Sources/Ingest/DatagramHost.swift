/// Where a UDP listener's socket is read: the thread of the sink it feeds when that sink reads
/// sockets itself (the relay's engine thread, so a datagram costs one wake-up and no hand-off),
/// else a reader thread of the listener's own (``UDPReaderThread``). The host owns the socket
/// from ``attach(_:)`` until it closed it in ``detach(_:drainFor:done:)``.
public protocol DatagramHost: Sendable {
    /// Starts reading `listener`'s socket on the host's thread (datagrams that arrive first wait
    /// in the kernel buffer).
    func attach(_ listener: UDPListener)
    /// Stops reading `listener`: its host thread reads what the socket holds until it is empty
    /// (at most `drainFor`, so a sender that never pauses does not hold it), closes the socket,
    /// then calls `done`. A host whose thread has ended closes the socket and calls `done` at once.
    func detach(_ listener: UDPListener, drainFor: Duration, done: @escaping @Sendable () -> Void)
}
