/// The numbers the relay exports from librdkafka's statistics (`statistics.interval.ms`; the JSON
/// of librdkafka's STATISTICS.md), as of the last report.
public struct KafkaClientStatistics: Sendable, Equatable {
    /// One broker's figures (bootstrap entries, id -1, are left out: they repeat a real broker).
    public struct Broker: Sendable, Equatable {
        /// `host:port/id`.
        public var name: String
        /// `UP`, `DOWN`, `CONNECT`, ...
        public var state: String
        /// Round-trip time over the last statistics window, seconds (0 when no request was made).
        public var rttAverage: Double
        public var rttP99: Double
        /// Request retries since the client started.
        public var retries: UInt64
        /// Requests that timed out since the client started.
        public var requestTimeouts: UInt64
        /// Messages waiting to be sent to the broker, and sent but not yet answered.
        public var outbufMessages: Int
        public var inFlightMessages: Int
        /// Connection attempts and disconnects since the client started.
        public var connects: UInt64
        public var disconnects: UInt64
    }

    /// Messages and bytes in the producer's queues now.
    public var queueMessages: Int
    public var queueBytes: Int
    /// The queue's limits (`queue.buffering.max.messages`, `.kbytes`).
    public var queueMaxMessages: Int
    public var queueMaxBytes: Int
    public var brokers: [Broker]

    /// Parses one statistics report; nil when it is not the JSON librdkafka writes.
    public init?(json: [UInt8]) {
        guard let top = KafkaStatisticsReader.read(json) else { return nil }
        queueMessages = top.int("msg_cnt")
        queueBytes = top.int("msg_size")
        queueMaxMessages = top.int("msg_max")
        queueMaxBytes = top.int("msg_size_max")
        var brokers: [Broker] = []
        // Keyed by broker name; the order does not matter (they are sorted by name).
        for b in (top.objects["brokers"]?.objects ?? [:]).values where b.int("nodeid") >= 0 {
            let rtt = b.objects["rtt"] ?? KafkaStatisticsReader.Object()
            brokers.append(Broker(name: b.strings["name"] ?? "", state: b.strings["state"] ?? "",
                                  rttAverage: Double(rtt.int("avg")) / 1e6, rttP99: Double(rtt.int("p99")) / 1e6,
                                  retries: b.uint("txretries"), requestTimeouts: b.uint("req_timeouts"),
                                  outbufMessages: b.int("outbuf_msg_cnt"), inFlightMessages: b.int("waitresp_msg_cnt"),
                                  connects: b.uint("connects"), disconnects: b.uint("disconnects")))
        }
        self.brokers = brokers.sorted { $0.name < $1.name }
    }
}
