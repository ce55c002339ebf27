import GoDuration

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `[[kafka]]` section of the config file: Kapacitor's Kafka event handler options, with
/// the same names and defaults, plus SASL, compression, acks, idempotence and raw librdkafka
/// properties.
///
/// ```toml
/// [[kafka]]
///   enabled = true
///   id = "infra-monitoring"
///   brokers = ["10.0.0.1:9092", "10.0.0.2:9092"]
///   timeout = "10s"
///   batch-size = 100
///   batch-timeout = "1s"
/// ```
public struct KafkaClusterConfig: Sendable, Equatable {
    /// Kapacitor's `DefaultID`.
    public static let defaultID = "default"
    /// Used when `timeout` is 0 (Kapacitor's `DefaultTimeout`).
    public static let defaultTimeout = GoDuration.second.scaled(10)
    /// Used when `batch-size` is 0 (Kapacitor's `DefaultBatchSize`).
    public static let defaultBatchSize = 100
    /// Used when `batch-timeout` is 0 (Kapacitor's `DefaultBatchTimeout`).
    public static let defaultBatchTimeout = GoDuration.second
    /// How long a message may wait for the brokers before it is reported failed: long enough to
    /// ride out an outage of minutes (librdkafka's own default, 5m).
    public static let defaultMessageTimeout = GoDuration.minute.scaled(5)

    /// `enabled`: a disabled section is kept but gets no producer (Kapacitor default: false).
    public var enabled: Bool = false
    /// `id`: the name handlers use in `cluster:`; unique among enabled sections.
    public var id: String = KafkaClusterConfig.defaultID
    /// `brokers`: `host:port` addresses used to bootstrap.
    public var brokers: [String] = []
    /// `timeout`: network timeout; 0 means 10s.
    public var timeout: GoDuration = .zero
    /// `batch-size`: messages per batch; 0 means 100.
    public var batchSize: Int = 0
    /// `batch-timeout`: longest wait before an incomplete batch is sent; 0 means 1s.
    public var batchTimeout: GoDuration = .zero
    /// `use-ssl`: talk TLS to the brokers; the other `ssl-*` options need it.
    public var useSSL: Bool = false
    /// `ssl-ca`: PEM file of the certificate authority.
    public var sslCA: String = ""
    /// `ssl-cert`: PEM client certificate.
    public var sslCert: String = ""
    /// `ssl-key`: PEM private key of the client certificate.
    public var sslKey: String = ""
    /// `insecure-skip-verify`: TLS without chain or hostname verification.
    public var insecureSkipVerify: Bool = false
    /// `sasl-mechanism`: nil for none, or PLAIN, SCRAM-SHA-256, SCRAM-SHA-512.
    public var saslMechanism: KafkaSASLMechanism?
    /// `sasl-username`.
    public var saslUsername: String = ""
    /// `sasl-password`: never logged or printed.
    public var saslPassword: String = ""
    /// `compression`: none, gzip, snappy, lz4 or zstd.
    public var compression = KafkaCompression.none
    /// `acks`: "all" (default), "1" or "0" (also -1, 1, 0 as numbers).
    public var acks = KafkaAcks.all
    /// `idempotent`: librdkafka's idempotent producer: no duplicates, order kept across retries.
    public var idempotent: Bool = true
    /// `message-timeout`: how long a message may wait for delivery before it fails; 0 means 5m.
    public var messageTimeout: GoDuration = .zero
    /// `[kafka.librdkafka]`: raw librdkafka properties, applied last.
    public var librdkafka: [String: String] = [:]

    /// A configuration with Kapacitor's defaults.
    public init() {}

    /// `timeout` with Kapacitor's conditional default applied.
    public var effectiveTimeout: GoDuration { timeout == .zero ? Self.defaultTimeout : timeout }
    /// `batch-size` with Kapacitor's conditional default applied.
    public var effectiveBatchSize: Int { batchSize == 0 ? Self.defaultBatchSize : batchSize }
    /// `batch-timeout` with Kapacitor's conditional default applied.
    public var effectiveBatchTimeout: GoDuration { batchTimeout == .zero ? Self.defaultBatchTimeout : batchTimeout }
    /// `message-timeout` with its default applied.
    public var effectiveMessageTimeout: GoDuration { messageTimeout == .zero ? Self.defaultMessageTimeout : messageTimeout }
}

/// One thing wrong with a `[[kafka]]` section: the option it is about and what to do.
public struct KafkaConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option name as written in the config file (`batch-size`), or nil for the section.
    public var key: String?
    /// What is wrong, in words a user can act on.
    public var reason: String

    /// A problem with `key` (nil for the section as a whole).
    public init(key: String?, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { key.map { "\($0): \(reason)" } ?? reason }
}

extension GoDuration {
    fileprivate func scaled(_ n: Int64) -> GoDuration { GoDuration(nanoseconds: nanoseconds * n) }
}

extension KafkaClusterConfig {
    /// `timeout` when not 0: librdkafka's `socket.timeout.ms` range, 10ms to 5m.
    public static let timeoutRange = GoDuration.millisecond.scaled(10)...GoDuration.minute.scaled(5)
    /// `batch-size` (0 means 100): librdkafka's `batch.num.messages` range.
    public static let batchSizeRange = 0...1_000_000
    /// `batch-timeout` (0 means 1s): librdkafka's `linger.ms` range, up to 15m.
    public static let batchTimeoutRange = GoDuration.zero...GoDuration.minute.scaled(15)
    /// `message-timeout` when not 0: 1ms (less would round to librdkafka's 0, "never time out") to
    /// 2^31-1 ms, the most `message.timeout.ms` holds (a longer one would wrap around).
    public static let messageTimeoutRange = GoDuration.millisecond...GoDuration.millisecond.scaled(Int64(Int32.max))

    static func outOfRange(_ d: GoDuration, _ range: ClosedRange<GoDuration>) -> String {
        "must be from \(range.lowerBound) to \(range.upperBound) (0 means the default), got \(d)"
    }

    /// Every problem with this section on its own (uniqueness of ids is checked by
    /// ``validate(_:)``). A disabled section is not checked, as in Kapacitor.
    public func problems() -> [KafkaConfigProblem] {
        guard enabled else { return [] }
        var out: [KafkaConfigProblem] = []
        if id.isEmpty { out.append(.init(key: "id", reason: "id must not be empty")) }
        if brokers.isEmpty {
            out.append(.init(key: "brokers", reason: "no brokers specified, must provide at least one broker URL"))
        }
        for broker in brokers where !Self.isHostPort(broker) {
            out.append(.init(key: "brokers", reason: "broker \"\(broker)\" is not host:port (for example \"kafka-1:9092\")"))
        }
        if timeout < .zero { out.append(.init(key: "timeout", reason: "must not be negative, got \(timeout)")) } else if timeout != .zero && !Self.timeoutRange.contains(timeout) {
            out.append(.init(key: "timeout", reason: Self.outOfRange(timeout, Self.timeoutRange)))
        }
        if batchSize < 0 { out.append(.init(key: "batch-size", reason: "must not be negative, got \(batchSize)")) } else if !Self.batchSizeRange.contains(batchSize) {
            out.append(.init(key: "batch-size", reason: "must be from 1 to \(Self.batchSizeRange.upperBound) (0 means \(Self.defaultBatchSize)), got \(batchSize)"))
        }
        if batchTimeout < .zero { out.append(.init(key: "batch-timeout", reason: "must not be negative, got \(batchTimeout)")) } else if !Self.batchTimeoutRange.contains(batchTimeout) {
            out.append(.init(key: "batch-timeout", reason: Self.outOfRange(batchTimeout, Self.batchTimeoutRange)))
        }
        if messageTimeout < .zero { out.append(.init(key: "message-timeout", reason: "must not be negative, got \(messageTimeout)")) } else if messageTimeout != .zero && !Self.messageTimeoutRange.contains(messageTimeout) {
            out.append(.init(key: "message-timeout", reason: Self.outOfRange(messageTimeout, Self.messageTimeoutRange)))
        } else if Self.batchTimeoutRange.contains(batchTimeout) && effectiveMessageTimeout <= effectiveBatchTimeout {
            out.append(.init(key: "message-timeout", reason: "must be longer than batch-timeout (\(effectiveBatchTimeout)), got \(effectiveMessageTimeout)"))
        }
        if useSSL {
            for (key, path) in [("ssl-ca", sslCA), ("ssl-cert", sslCert), ("ssl-key", sslKey)] where !path.isEmpty {
                if let problem = Self.fileProblem(path) { out.append(.init(key: key, reason: "\"\(path)\": \(problem)")) }
            }
            if sslCert.isEmpty != sslKey.isEmpty {
                out.append(.init(key: sslCert.isEmpty ? "ssl-cert" : "ssl-key",
                                 reason: "ssl-cert and ssl-key must be given together"))
            }
        } else if !sslCA.isEmpty || !sslCert.isEmpty || !sslKey.isEmpty || insecureSkipVerify {
            let key = !sslCA.isEmpty ? "ssl-ca" : !sslCert.isEmpty ? "ssl-cert" : !sslKey.isEmpty ? "ssl-key" : "insecure-skip-verify"
            out.append(.init(key: key, reason: "has no effect without use-ssl = true"))
        }
        if saslMechanism != nil {
            if saslUsername.isEmpty || saslPassword.isEmpty {
                out.append(.init(key: "sasl-mechanism", reason: "needs sasl-username and sasl-password"))
            }
        } else if !saslUsername.isEmpty || !saslPassword.isEmpty {
            out.append(.init(key: saslUsername.isEmpty ? "sasl-password" : "sasl-username",
                             reason: "needs sasl-mechanism (\(KafkaSASLMechanism.accepted))"))
        }
        if idempotent && acks != .all {
            out.append(.init(key: "acks", reason: "the idempotent producer needs acks = \"all\" (or set idempotent = false)"))
        }
        if out.isEmpty {
            // Let librdkafka itself judge every property, raw ones included.
            let properties = librdkafkaProperties()
            if let rejected = RdKafkaConfiguration.firstRejection(of: properties) {
                let isRaw = librdkafka[rejected.name] != nil
                var reason = rejected.reason
                // librdkafka quotes the value it refused; a secret's value must not reach the message.
                if let p = properties.last(where: { $0.name == rejected.name }), p.isSecret, !p.value.isEmpty {
                    reason = reason.replacing(p.value, with: "<redacted>")
                }
                out.append(.init(key: isRaw ? "librdkafka.\(rejected.name)" : nil,
                                 reason: "librdkafka rejects \(rejected.name): \(reason)"))
            }
        }
        return out
    }

    /// Problems of every section, plus duplicate ids among enabled sections, in file order.
    /// - Returns: pairs of section index and problem.
    public static func validate(_ clusters: [KafkaClusterConfig]) -> [(index: Int, problem: KafkaConfigProblem)] {
        var out: [(Int, KafkaConfigProblem)] = []
        var seen: [String: Int] = [:]
        for (i, c) in clusters.enumerated() {
            out += c.problems().map { (i, $0) }
            guard c.enabled, !c.id.isEmpty else { continue }
            if let first = seen[c.id] {
                out.append((i, .init(key: "id", reason: "duplicate id \"\(c.id)\" (also [[kafka]] #\(first + 1)): each cluster needs its own id")))
            } else {
                seen[c.id] = i
            }
        }
        return out
    }

    /// `host:port`, or `:port` for every interface.
    public static func isHostPortOrWildcard(_ s: String) -> Bool {
        s.hasPrefix(":") ? Int(s.dropFirst()).map { (0...65535).contains($0) } ?? false : isHostPort(s) || isBracketedIPv6(s)
    }

    static func isBracketedIPv6(_ s: String) -> Bool {
        guard s.hasPrefix("["), let close = s.firstIndex(of: "]") else { return false }
        let rest = s[s.index(after: close)...]
        guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { return false }
        return (0...65535).contains(p)
    }

    static func isHostPort(_ s: String) -> Bool {
        guard let colon = s.lastIndex(of: ":") else { return false }
        let host = s[..<colon]
        let port = s[s.index(after: colon)...]
        guard !host.isEmpty, let p = Int(port), (1...65535).contains(p) else { return false }
        return !host.contains(where: { $0 == " " || $0 == "," || $0 == "/" })
    }

    static func fileProblem(_ path: String) -> String? {
        var st = stat()
        if stat(path, &st) != 0 { return "file does not exist" }
        if (st.st_mode & S_IFMT) == S_IFDIR { return "is a directory, not a file" }
        if access(path, R_OK) != 0 { return "file is not readable" }
        return nil
    }
}
