#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        guard let top = try? JSONDecoder().decode(Report.self, from: Data(json)) else { return nil }
        queueMessages = top.int("msg_cnt")
        queueBytes = top.int("msg_size")
        queueMaxMessages = top.int("msg_max")
        queueMaxBytes = top.int("msg_size_max")
        var brokers: [Broker] = []
        for b in top.brokers where b.int("nodeid") >= 0 {
            brokers.append(Broker(name: b.strings["name"] ?? "", state: b.strings["state"] ?? "",
                                  rttAverage: Double(b.rtt.int("avg")) / 1e6, rttP99: Double(b.rtt.int("p99")) / 1e6,
                                  retries: b.uint("txretries"), requestTimeouts: b.uint("req_timeouts"),
                                  outbufMessages: b.int("outbuf_msg_cnt"), inFlightMessages: b.int("waitresp_msg_cnt"),
                                  connects: b.uint("connects"), disconnects: b.uint("disconnects")))
        }
        self.brokers = brokers.sorted { $0.name < $1.name }
    }

    /// One JSON object of the report, reduced to what the relay reads: its number and string
    /// members, its `brokers` object's members and its `rtt` object. A member of another type than
    /// expected reads as absent (0, ""), as a missing one does.
    private struct Report: Decodable {
        var numbers: [String: Double] = [:]
        var strings: [String: String] = [:]
        var brokers: [Report] = []
        var rttObject: [Report] = []
        var rtt: Report { rttObject.first ?? Report() }

        init() {}

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for key in c.allKeys {
                switch key.stringValue {
                case "brokers":
                    // Keyed by broker name; the order does not matter (they are sorted by name).
                    if let all = try? c.decode([String: Report].self, forKey: key) { brokers = Array(all.values) }
                case "rtt":
                    if let r = try? c.decode(Report.self, forKey: key) { rttObject = [r] }
                default:
                    if let n = try? c.decode(Double.self, forKey: key) {
                        numbers[key.stringValue] = n
                    } else if let t = try? c.decode(String.self, forKey: key) {
                        strings[key.stringValue] = t
                    }
                }
            }
        }

        /// The member as NSNumber's `intValue` read it: truncated toward zero, 0 when absent.
        func int(_ key: String) -> Int {
            guard let n = numbers[key], n.isFinite else { return 0 }
            return Int(exactly: n.rounded(.towardZero)) ?? 0
        }

        func uint(_ key: String) -> UInt64 {
            guard let n = numbers[key], n.isFinite, n >= 0 else { return 0 }
            return UInt64(exactly: n.rounded(.towardZero)) ?? 0
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }
}
