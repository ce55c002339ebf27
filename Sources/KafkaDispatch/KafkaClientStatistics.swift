import Foundation

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
        guard let top = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else { return nil }
        func int(_ o: [String: Any], _ key: String) -> Int { (o[key] as? NSNumber)?.intValue ?? 0 }
        func uint(_ o: [String: Any], _ key: String) -> UInt64 { (o[key] as? NSNumber)?.uint64Value ?? 0 }
        queueMessages = int(top, "msg_cnt")
        queueBytes = int(top, "msg_size")
        queueMaxMessages = int(top, "msg_max")
        queueMaxBytes = int(top, "msg_size_max")
        var brokers: [Broker] = []
        for case let b as [String: Any] in ((top["brokers"] as? [String: Any]) ?? [:]).values where int(b, "nodeid") >= 0 {
            let rtt = b["rtt"] as? [String: Any] ?? [:]
            brokers.append(Broker(name: b["name"] as? String ?? "", state: b["state"] as? String ?? "",
                                  rttAverage: Double(int(rtt, "avg")) / 1e6, rttP99: Double(int(rtt, "p99")) / 1e6,
                                  retries: uint(b, "txretries"), requestTimeouts: uint(b, "req_timeouts"),
                                  outbufMessages: int(b, "outbuf_msg_cnt"), inFlightMessages: int(b, "waitresp_msg_cnt"),
                                  connects: uint(b, "connects"), disconnects: uint(b, "disconnects")))
        }
        self.brokers = brokers.sorted { $0.name < $1.name }
    }
}
