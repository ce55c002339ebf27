import CRdKafka

/// Builds `rd_kafka_conf_t` objects from property lists; librdkafka is the judge of each property.
enum RdKafkaConfiguration {
    /// A property librdkafka refused, with its own reason.
    struct Rejection: Error, Equatable {
        var name: String
        var reason: String
    }

    /// A new `rd_kafka_conf_t` with every property set, or the first one librdkafka refuses.
    /// The caller owns the result (pass it to `rd_kafka_new` or destroy it).
    static func make(_ properties: [RdKafkaProperty]) -> Result<OpaquePointer, Rejection> {
        guard let conf = rd_kafka_conf_new() else {
            return .failure(Rejection(name: "", reason: "rd_kafka_conf_new failed"))
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for property in properties {
            let result = rd_kafka_conf_set(conf, property.name, property.value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                return .failure(Rejection(name: property.name, reason: reason))
            }
        }
        return .success(conf)
    }

    /// `rd_kafka_new` refused the configuration, with librdkafka's reason.
    struct ClientFailure: Error, Equatable {
        var reason: String
    }

    /// A new client of `type` on `conf`, which it takes over; on failure `conf` is destroyed and
    /// librdkafka's reason is returned.
    static func client(_ type: rd_kafka_type_t, conf: OpaquePointer) -> Result<OpaquePointer, ClientFailure> {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            return .failure(ClientFailure(reason: errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
        }
        return .success(rk)
    }

    /// The first property librdkafka refuses, or nil when all are accepted.
    static func firstRejection(of properties: [RdKafkaProperty]) -> Rejection? {
        switch make(properties) {
        case .success(let conf):
            rd_kafka_conf_destroy(conf)
            return nil
        case .failure(let rejection):
            return rejection
        }
    }

    /// The value librdkafka holds for `name` after applying `properties` (for tests and `check`).
    static func effectiveValue(of name: String, in properties: [RdKafkaProperty]) -> String? {
        guard case .success(let conf) = make(properties) else { return nil }
        defer { rd_kafka_conf_destroy(conf) }
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

extension KafkaClusterConfig {
    /// The value librdkafka will use for property `name` with this section, as librdkafka reports it.
    public func effectiveLibrdkafkaValue(_ name: String) -> String? {
        RdKafkaConfiguration.effectiveValue(of: name, in: librdkafkaProperties())
    }
}

/// The linked librdkafka's version string, e.g. `2.0.2`.
public var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }
