import GoDuration
import KafkaDispatch
import TOMLKit

/// Turns a parsed TOML table into ``RelayConfiguration``, collecting every problem with its line.
struct ConfigDecoder {
    let file: String
    let locator: TOMLLocator
    private(set) var problems: [ConfigProblem] = []

    init(file: String, locator: TOMLLocator) {
        self.file = file
        self.locator = locator
    }

    static let topLevelKeys = ["kafka"]

    mutating func decode(_ root: TOMLTable) -> RelayConfiguration {
        var config = RelayConfiguration()
        for key in root.keys where !Self.topLevelKeys.contains(key) {
            report(line: locator.line(table: key) ?? locator.line(table: "", key: key),
                   "unknown section or key \"\(key)\" (known: \(Self.topLevelKeys.map { "[[\($0)]]" }.joined(separator: ", ")))")
        }
        if let value = root["kafka"] {
            if let array = value.array {
                for (i, element) in array.enumerated() {
                    guard let table = element.table else {
                        report(line: locator.line(table: "", key: "kafka"), "kafka must be written as [[kafka]] sections")
                        continue
                    }
                    config.kafka.append(decodeKafka(table, index: i))
                }
            } else {
                report(line: locator.line(table: "kafka"), "kafka must be written as [[kafka]] sections (an array of tables), not [kafka]")
            }
        }
        // A section whose options could not be read is not judged further: one mistake, one message.
        let unreadable = Set(problems.compactMap(\.kafkaSection))
        for (index, problem) in KafkaClusterConfig.validate(config.kafka) where !unreadable.contains(index) {
            reportKafka(index: index, id: config.kafka[index].id, key: problem.key, problem.reason)
        }
        return config
    }

    // MARK: [[kafka]]

    static let kafkaKeys = [
        "enabled", "id", "brokers", "timeout", "batch-size", "batch-timeout", "use-ssl", "ssl-ca", "ssl-cert",
        "ssl-key", "insecure-skip-verify", "sasl-mechanism", "sasl-username", "sasl-password", "compression",
        "acks", "idempotent", "message-timeout", "librdkafka",
    ]

    private mutating func decodeKafka(_ t: TOMLTable, index i: Int) -> KafkaClusterConfig {
        var c = KafkaClusterConfig()
        let id = t["id"]?.string ?? c.id
        for key in t.keys.sorted() where !Self.kafkaKeys.contains(key) {
            reportKafka(index: i, id: id, key: key, "unknown option (known: \(Self.kafkaKeys.joined(separator: ", ")))")
        }
        func string(_ key: String, _ target: inout String) {
            guard let v = t[key] else { return }
            if let s = v.string { target = s } else { reportKafka(index: i, id: id, key: key, "expected a string, got \(describe(v))") }
        }
        func bool(_ key: String, _ target: inout Bool) {
            guard let v = t[key] else { return }
            if v.type == .bool, let b = v.bool { target = b } else { reportKafka(index: i, id: id, key: key, "expected true or false, got \(describe(v))") }
        }
        func duration(_ key: String, _ target: inout GoDuration) {
            guard let v = t[key] else { return }
            guard let s = v.string else {
                reportKafka(index: i, id: id, key: key, "expected a duration string such as \"10s\" or \"500ms\", got \(describe(v))")
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
                reportKafka(index: i, id: id, key: "brokers", "expected an array of \"host:port\" strings, got \(describe(v))")
            }
        }
        duration("timeout", &c.timeout)
        if let v = t["batch-size"] {
            if v.type == .int, let n = v.int { c.batchSize = n } else { reportKafka(index: i, id: id, key: "batch-size", "expected an integer, got \(describe(v))") }
        }
        duration("batch-timeout", &c.batchTimeout)
        bool("use-ssl", &c.useSSL)
        string("ssl-ca", &c.sslCA)
        string("ssl-cert", &c.sslCert)
        string("ssl-key", &c.sslKey)
        bool("insecure-skip-verify", &c.insecureSkipVerify)
        string("sasl-mechanism", &c.saslMechanism)
        string("sasl-username", &c.saslUsername)
        string("sasl-password", &c.saslPassword)
        string("compression", &c.compression)
        if let v = t["acks"] {
            if let s = v.string { c.acks = s } else if v.type == .int, let n = v.int { c.acks = String(n) } else {
                reportKafka(index: i, id: id, key: "acks", "expected \"all\", 1 or 0, got \(describe(v))")
            }
        }
        bool("idempotent", &c.idempotent)
        duration("message-timeout", &c.messageTimeout)
        if let v = t["librdkafka"] {
            if let table = v.table {
                for key in table.keys {
                    guard let value = table[key] else { continue }
                    switch value.type {
                    case .string: c.librdkafka[key] = value.string
                    case .int: c.librdkafka[key] = value.int.map(String.init)
                    case .bool: c.librdkafka[key] = value.bool.map { $0 ? "true" : "false" }
                    case .double: c.librdkafka[key] = value.double.map { String($0) }
                    default:
                        reportKafka(index: i, id: id, key: "librdkafka.\(key)", "expected a string, number or boolean, got \(describe(value))")
                    }
                }
            } else {
                reportKafka(index: i, id: id, key: "librdkafka", "expected a table of librdkafka properties, got \(describe(v))")
            }
        }
        return c
    }

    private mutating func reportKafka(index: Int, id: String, key: String?, _ message: String) {
        let line = locator.line(table: "kafka", index: index, key: key)
        let subject = key.map { "\($0): " } ?? ""
        problems.append(ConfigProblem(file: file, line: line, message: "[[kafka]] #\(index + 1) (id \"\(id)\"): \(subject)\(message)"))
        problems[problems.count - 1].kafkaSection = index
    }

    private mutating func report(line: Int?, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, message: message))
    }

    private func describe(_ v: TOMLValueConvertible) -> String {
        switch v.type {
        case .string: return "string \"\(v.string ?? "")\""
        case .int: return "integer \(v.int ?? 0)"
        case .double: return "number \(v.double ?? 0)"
        case .bool: return "boolean \(v.bool ?? false)"
        case .array: return "an array"
        case .table: return "a table"
        default: return v.type.description
        }
    }
}
