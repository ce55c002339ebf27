import CDatagram
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import Synchronization

/// A bound, non-blocking UDP socket, read by whichever thread its listener is attached to (the
/// engine thread, see ``DatagramHost``). It is closed exactly once, by that thread once it stopped
/// reading (or by the listener when no reader ever will), so no thread polls a descriptor number
/// the process may already have given to another file. Other threads may ask for its kernel
/// memory (``memory``): the descriptor's closing and those questions hold one lock, so none of
/// them reaches a number already given to another file.
public final class UDPSocket: Sendable {
    /// The descriptor (valid until ``close()``).
    public let descriptor: Int32
    /// The bound address, with the real port when bound to port 0.
    public let localAddress: SocketAddress
    /// SO_RCVBUF as the kernel granted it (what `getsockopt` reports).
    public let grantedReadBuffer: Int
    /// Whether ``close()`` ran; held while the descriptor is closed or asked about off its thread.
    private let closed = Mutex<Bool>(false)

    /// Binds `address` (resolving a host name once), asking for `readBuffer` bytes of SO_RCVBUF
    /// when it is above 0. No SO_REUSEADDR/SO_REUSEPORT: a second process cannot share the port.
    /// - Throws: ``ListenerError/bindFailed(_:reason:)`` with the system's reason.
    public init(binding address: BindAddress, readBuffer: Int) throws(ListenerError) {
        let resolved: SocketAddress
        do {
            resolved = try SocketAddress.makeAddressResolvingHost(address.bindHost, port: address.port)
        } catch {
            throw .bindFailed("\(address)", reason: "\(error)")
        }
        let family: Int32 = resolved.protocol == .inet6 ? AF_INET6 : AF_INET
        #if os(Linux)
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw .bindFailed("\(address)", reason: "socket: \(Self.reason(errno))") }
        if readBuffer > 0 {
            var size = Int32(clamping: readBuffer)
            // A refused size is not fatal: the granted size is logged and compared below.
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = resolved.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
        guard bound == 0 else {
            let e = errno
            Glibc.close(fd)
            throw .bindFailed("\(address)", reason: "bind: \(Self.reason(e))")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        var local = resolved
        if named == 0 {
            if family == AF_INET6 {
                local = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee) } }
            } else {
                local = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee) } }
            }
        }
        var granted: Int32 = 0
        var grantedLength = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &grantedLength)
        descriptor = fd
        localAddress = local
        grantedReadBuffer = Int(granted)
    }

    /// Closes the descriptor; later calls do nothing.
    public func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            Glibc.close(descriptor)
        }
    }

    /// Whether ``close()`` ran.
    public var isClosed: Bool { closed.withLock { $0 } }

    /// What the kernel holds for this socket now (`SO_MEMINFO`): the true size of the queued
    /// datagrams' buffers, the receive buffer they are measured against, and the datagrams it
    /// dropped because they did not fit (the `drops` column of /proc/net/udp, for this socket
    /// alone). nil once closed or where the kernel does not say. Any thread may ask: the lock
    /// ``close()`` takes keeps the descriptor this socket's while it does.
    public var memory: (queued: Int, limit: Int, drops: UInt64)? {
        closed.withLock { closed in
            guard !closed else { return nil }
            var queued: UInt32 = 0, limit: UInt32 = 0, drops: UInt32 = 0
            guard alertrelay_socket_memory(descriptor, &queued, &limit, &drops) == 0 else { return nil }
            return (Int(queued), Int(limit), UInt64(drops))
        }
    }

    deinit { close() }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
