import GoDuration
import KafkaDispatch
import NameSuggestion
import TOML

/// `[[kafka]]` sections: Kapacitor's Kafka handler options, plus raw librdkafka properties.
extension ConfigDecoder {
    static let kafkaKeys = [
        "enabled", "id", "brokers", "timeout", "batch-size", "batch-timeout", "use-ssl", "ssl-ca", "ssl-cert",
        "ssl-key", "insecure-skip-verify", "sasl-mechanism", "sasl-username", "sasl-password", "compression",
        "acks", "idempotent", "message-timeout", "librdkafka",
    ]

    mutating func decodeKafka(_ t: TOMLTable, index i: Int) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        let id = t["id"]?.string ?? c.id
        for key in t.keys.sorted() where !Self.kafkaKeys.contains(key) {
            let hint = NameSuggestion.closest(to: key, in: Self.kafkaKeys).map { "did you mean \"\($0)\"? " } ?? ""
            reportKafka(index: i, id: id, key: key, "unknown option (\(hint)known: \(Self.kafkaKeys.joined(separator: ", ")))")
        }
        func string(_ key: String, _ target: inout String) {
            guard let v = t[key] else { return }
            if let s = v.string { target = s } else { reportKafka(index: i, id: id, key: key, "expected a string, got \(describe(v, key: key))") }
        }
        func bool(_ key: String, _ target: inout Bool) {
            guard let v = t[key] else { return }
            if v.type == .bool, let b = v.bool { target = b } else { reportKafka(index: i, id: id, key: key, "expected true or false, got \(describe(v, key: key))") }
        }
        func duration(_ key: String, _ target: inout GoDuration) {
            guard let v = t[key] else { return }
            guard let s = v.string else {
                reportKafka(index: i, id: id, key: key, "expected a duration string such as \"10s\" or \"500ms\", got \(describe(v, key: key))")
                return
            }
            if s.isEmpty { return }  // Kapacitor's toml.Duration ignores an empty string.
            do { target = try GoDuration(parsing: s) } catch { reportKafka(index: i, id: id, key: key, error.description) }
        }
        bool("enabled", &c.enabled)
        string("id", &c.id)
        if let v = t["brokers"] {
            if let array = v.array, array.allSatisfy({ $0.type == .string }) {
                c.brokers = array.compactMap { $0.string }
            } else {
                reportKafka(index: i, id: id, key: "brokers", "expected an array of \"host:port\" strings, got \(describe(v, key: "brokers"))")
            }
        }
        duration("timeout", &c.timeout)
        if let v = t["batch-size"] {
            if v.type == .int, let n = v.int { c.batchSize = n } else { reportKafka(index: i, id: id, key: "batch-size", "expected an integer, got \(describe(v, key: "batch-size"))") }
        }
        duration("batch-timeout", &c.batchTimeout)
        bool("use-ssl", &c.useSSL)
        string("ssl-ca", &c.sslCA)
        string("ssl-cert", &c.sslCert)
        string("ssl-key", &c.sslKey)
        bool("insecure-skip-verify", &c.insecureSkipVerify)
        if let v = t["sasl-mechanism"] {
            if let s = v.string {
                if s.isEmpty { c.saslMechanism = nil } else if let m = KafkaSASLMechanism(rawValue: s) { c.saslMechanism = m } else {
                    reportKafka(index: i, id: id, key: "sasl-mechanism", "\"\(s)\" is not one of \(KafkaSASLMechanism.accepted)")
                }
            } else { reportKafka(index: i, id: id, key: "sasl-mechanism", "expected a string, got \(describe(v, key: "sasl-mechanism"))") }
        }
        string("sasl-username", &c.saslUsername)
        string("sasl-password", &c.saslPassword)
        if let v = t["compression"] {
            if let s = v.string {
                if let codec = KafkaCompression(rawValue: s) { c.compression = codec } else {
                    reportKafka(index: i, id: id, key: "compression", "\"\(s)\" is not one of \(KafkaCompression.accepted)")
                }
            } else { reportKafka(index: i, id: id, key: "compression", "expected a string, got \(describe(v, key: "compression"))") }
        }
        if let v = t["acks"] {
            let text = v.string ?? (v.type == .int ? v.int.map(String.init) : nil)
            if let text, let acks = KafkaAcks(option: text) { c.acks = acks } else {
                reportKafka(index: i, id: id, key: "acks", "expected \(KafkaAcks.accepted), got \(describe(v, key: "acks"))")
            }
        }
        bool("idempotent", &c.idempotent)
        duration("message-timeout", &c.messageTimeout)
        if let v = t["librdkafka"] {
            let (properties, problems) = rawLibrdkafka(v)
            c.librdkafka = properties
            for p in problems { reportKafka(index: i, id: id, key: p.key, p.message) }
        }
        return c
    }

    /// A `[….librdkafka]` table of raw properties (strings, numbers and booleans, as text), with
    /// a problem for each value of another type (or for a value that is not a table).
    func rawLibrdkafka(_ v: TOMLValue) -> (properties: [String: String], problems: [(key: String, message: String)]) {
        guard let table = v.table else {
            return ([:], [("librdkafka", "expected a table of librdkafka properties, got \(describe(v, key: "librdkafka"))")])
        }
        var properties: [String: String] = [:]
        var problems: [(key: String, message: String)] = []
        for key in table.keys {
            guard let value = table[key] else { continue }
            switch value.type {
            case .string: properties[key] = value.string
            case .int: properties[key] = value.int.map(String.init)
            case .bool: properties[key] = value.bool.map { $0 ? "true" : "false" }
            case .double: properties[key] = value.double.map { String($0) }
            default:
                problems.append(("librdkafka.\(key)", "expected a string, number or boolean, got \(describe(value, key: key))"))
            }
        }
        return (properties, problems)
    }

    mutating func reportKafka(index: Int, id: String, key: String?, _ message: String) {
        let place = locator.position(table: "kafka", index: index, key: key)
        let subject = key.map { "\($0): " } ?? ""
        var problem = ConfigProblem(file: file, line: place?.line, column: place?.column,
                                    message: "[[kafka]] #\(index + 1) (id \"\(id)\"): \(subject)\(message)")
        problem.kafkaSection = index
        report(problem)
    }
}
