import Locking
import NIOCore
import Synchronization

/// The accepted connections of one stream listener, at most `limit` of them, and how many parsed
/// batches they still hold (TCP's graceful stop waits for those).
final class OpenConnections: Sendable {
    /// Connections beyond this many are refused.
    let limit: Int
    private let channels = Locked<[ObjectIdentifier: Channel]>([:])
    private let statistics: ListenerStatistics
    /// Batches parsed but not yet taken by the pipeline, over all connections.
    let pendingBatches = Atomic<Int>(0)

    init(limit: Int, statistics: ListenerStatistics) {
        self.limit = limit
        self.statistics = statistics
    }

    /// Keeps `channel` until it closes; false (counted) when `limit` connections are open.
    func admit(_ channel: Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = channels.withLock { c -> Bool in
            guard c.count < limit else { return false }
            c[id] = channel
            return true
        }
        guard admitted else {
            statistics.refusedConnections.add(1, ordering: .relaxed)
            return false
        }
        statistics.openConnections.add(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { [self] _ in
            if channels.withLock({ $0.removeValue(forKey: id) }) != nil { statistics.openConnections.subtract(1, ordering: .relaxed) }
        }
        return true
    }

    var count: Int { channels.withLock { $0.count } }
    var all: [Channel] { channels.withLock { Array($0.values) } }
}

/// A connection refused because `max-connections` were open (the accepted socket is closed).
struct ConnectionLimitReached: Error {}
