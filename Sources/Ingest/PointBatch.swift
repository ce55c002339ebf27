import Dispatch
import KafkaDispatch
import LineProtocol

/// A batch of points from one datagram, TCP read, HTTP request or run of Kafka messages.
public struct PointBatch: Sendable {
    /// The accepted points, in arrival order.
    public var points: [Point]
    /// The listener they came from (e.g. `udp:127.0.0.1:8089`).
    public var source: String
    /// The database and retention policy every point of the batch was written to.
    public var destination: PointDestination
    /// When the batch was received (monotonic nanoseconds, `DispatchTime` uptime): the start of
    /// the end-to-end latency the relay reports.
    public var receivedAt: UInt64
    /// Told when the batch's points are evaluated and their alerts durably held (nil: the source
    /// does not need to know).
    public var acknowledgement: PointsAcknowledgement?
    /// The Kafka partition the points were read from (a `[[kafka-consumer]]`); nil for UDP, TCP
    /// and HTTP. In group mode the partition owns the alert groups its points feed.
    public var sourcePartition: TopicPartition?
    /// With `sourcePartition`: the offset after the batch's last message (what committing the
    /// batch commits). Group mode's changelog records it, so that the partition's next owner
    /// resumes exactly where the restored state ends.
    public var sourceEnd: Int64?
    /// Where the engine gives the points back once evaluated, to be freed on the thread that
    /// made them (a Kafka consumer's poll thread; see ``BatchReturn``); nil: freed where dropped.
    public var returnPath: BatchReturn<Point>?

    /// A batch of `points` from `source`, written to `destination`, received now.
    public init(points: [Point], source: String, destination: PointDestination = PointDestination(),
                receivedAt: UInt64 = DispatchTime.now().uptimeNanoseconds, acknowledgement: PointsAcknowledgement? = nil,
                sourcePartition: TopicPartition? = nil, sourceEnd: Int64? = nil, returnPath: BatchReturn<Point>? = nil) {
        self.points = points
        self.source = source
        self.destination = destination
        self.receivedAt = receivedAt
        self.acknowledgement = acknowledgement
        self.sourcePartition = sourcePartition
        self.sourceEnd = sourceEnd
        self.returnPath = returnPath
    }

    /// Gives the points back to their source (``returnPath``), which frees them on its own
    /// thread; without one, or when it is full, they stay here and are freed with the batch.
    /// The engine calls it after the last use of the points, holding the batch's only copy.
    public mutating func givePointsBack() {
        returnPath?.give(&points)
    }
}
