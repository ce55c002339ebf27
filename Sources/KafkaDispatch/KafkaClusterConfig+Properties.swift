import GoDuration

/// One librdkafka configuration property, as passed to `rd_kafka_conf_set`.
public struct RdKafkaProperty: Sendable, Equatable, CustomStringConvertible {
    /// Property name, e.g. `bootstrap.servers`.
    public var name: String
    /// Property value as text.
    public var value: String

    /// A property `name = value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether the value must never be printed (passwords, keys).
    public var isSecret: Bool { name.contains("password") || name.hasSuffix(".pem") || name == "sasl.oauthbearer.config" }

    public var description: String { "\(name)=\(isSecret ? "<redacted>" : value)" }
}

extension KafkaClusterConfig {
    /// The librdkafka properties this section stands for, in the order they are applied
    /// (raw `[kafka.librdkafka]` properties last, so they win).
    public func librdkafkaProperties() -> [RdKafkaProperty] {
        var p: [RdKafkaProperty] = [
            .init("bootstrap.servers", brokers.joined(separator: ",")),
            .init("client.id", id),
            .init("socket.timeout.ms", String(max(10, effectiveTimeout.milliseconds))),
            .init("batch.num.messages", String(effectiveBatchSize)),
            .init("linger.ms", Self.milliseconds(effectiveBatchTimeout)),
        ]
        p += securityProperties()
        p.append(.init("compression.codec", compression.rawValue))
        p.append(.init("acks", acks.librdkafkaValue))
        p.append(.init("enable.idempotence", idempotent ? "true" : "false"))
        p.append(.init("message.timeout.ms", String(effectiveMessageTimeout.milliseconds)))
        for name in librdkafka.keys.sorted() {
            if let value = librdkafka[name] { p.append(.init(name, value)) }
        }
        return p
    }

    /// What a consumer of this cluster shares with its producer: the brokers, the client id, the
    /// network timeout, TLS and SASL — none of the producer's batching, acks or raw properties
    /// (librdkafka warns about every producer property set on a consumer).
    public func connectionProperties() -> [RdKafkaProperty] {
        [
            .init("bootstrap.servers", brokers.joined(separator: ",")),
            .init("client.id", id),
            .init("socket.timeout.ms", String(max(10, effectiveTimeout.milliseconds))),
        ] + securityProperties()
    }

    /// `security.protocol` and the TLS and SASL settings it needs.
    private func securityProperties() -> [RdKafkaProperty] {
        var p: [RdKafkaProperty] = [.init("security.protocol", securityProtocol)]
        if useSSL {
            if !sslCA.isEmpty { p.append(.init("ssl.ca.location", sslCA)) }
            if !sslCert.isEmpty { p.append(.init("ssl.certificate.location", sslCert)) }
            if !sslKey.isEmpty { p.append(.init("ssl.key.location", sslKey)) }
            if insecureSkipVerify {
                p.append(.init("enable.ssl.certificate.verification", "false"))
                p.append(.init("ssl.endpoint.identification.algorithm", "none"))
            }
        }
        if let saslMechanism {
            p.append(.init("sasl.mechanisms", saslMechanism.rawValue))
            p.append(.init("sasl.username", saslUsername))
            p.append(.init("sasl.password", saslPassword))
        }
        return p
    }

    /// `plaintext`, `ssl`, `sasl_plaintext` or `sasl_ssl`.
    public var securityProtocol: String {
        switch (useSSL, saslMechanism == nil) {
        case (false, true): return "plaintext"
        case (true, true): return "ssl"
        case (false, false): return "sasl_plaintext"
        case (true, false): return "sasl_ssl"
        }
    }

    /// Milliseconds with a fraction where needed (librdkafka's `linger.ms` is a float).
    static func milliseconds(_ d: GoDuration) -> String {
        let whole = d.nanoseconds / 1_000_000
        let rest = d.nanoseconds % 1_000_000
        if rest == 0 { return String(whole) }
        var frac = String(rest)
        frac = String(repeating: "0", count: 6 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(whole).\(frac)"
    }
}
