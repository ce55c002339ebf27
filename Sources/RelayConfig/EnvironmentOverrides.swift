import TOML

/// Container-friendly overrides, as Kapacitor's `KAPACITOR_…` variables work:
/// `ALERTRELAY_KAFKA_0_BROKERS=a:9092,b:9092` sets `brokers` of the first `[[kafka]]` section,
/// `ALERTRELAY_HTTP_BIND_ADDRESS=:8086` sets `bind-address` of `[http]`,
/// `ALERTRELAY_KAFKA_CONSUMER_0_GROUP_ID=relays` `group-id` of the first `[[kafka-consumer]]`.
/// Section and option names are upper case with `-` written `_`; lists are comma-separated.
enum EnvironmentOverrides {
    enum Kind { case string, bool, int, list }

    static let prefix = "ALERTRELAY_"
    /// `ALERTRELAY_…` variables that are not options: `ALERTRELAY_CONFIG_PATH` names the file itself.
    static let notOptions: Set<String> = ["ALERTRELAY_CONFIG_PATH"]

    /// Option kinds by section; array sections are indexed.
    static let schema: [String: (array: Bool, keys: [String: Kind])] = [
        "kafka": (true, [
            "enabled": .bool, "id": .string, "brokers": .list, "timeout": .string, "batch-size": .int,
            "batch-timeout": .string, "use-ssl": .bool, "ssl-ca": .string, "ssl-cert": .string, "ssl-key": .string,
            "insecure-skip-verify": .bool, "sasl-mechanism": .string, "sasl-username": .string,
            "sasl-password": .string, "compression": .string, "acks": .string, "idempotent": .bool,
            "message-timeout": .string,
        ]),
        "kafka-consumer": (true, [
            "enabled": .bool, "cluster": .string, "topics": .list, "group-id": .string, "precision": .string, "database": .string,
            "retention-policy": .string, "start": .string, "changelog-flush-interval": .string, "revoke-timeout": .string,
        ]),
        "udp": (true, ["enabled": .bool, "bind-address": .string, "read-buffer": .int, "precision": .string, "database": .string,
                       "retention-policy": .string]),
        "tcp": (true, ["enabled": .bool, "database": .string, "retention-policy": .string, "bind-address": .string, "max-line-length": .int, "precision": .string, "max-connections": .int,
                       "idle-timeout": .string]),
        "admin": (false, ["enabled": .bool, "bind-address": .string, "auth-token": .string]),
        "http": (false, ["bind-address": .string, "max-body-size": .int, "auth-token": .string, "max-connections": .int,
                         "read-header-timeout": .string, "idle-timeout": .string]),
        "load": (false, ["enabled": .bool, "dir": .string]),
        "spool": (false, ["dir": .string, "max-size": .int, "fsync": .string, "when-full": .string, "max-age": .string]),
        "logging": (false, ["level": .string, "format": .string]),
        "relay": (false, ["queue-size": .int, "shutdown-timeout": .string, "hostname": .string, "state-file": .string, "state-interval": .string, "dead-letter-file": .string,
                             "max-groups": .int, "max-groups-per-rule": .int, "group-expiry": .string, "watch-config": .bool, "udp-linger": .string]),
    ]

    /// Applies every `ALERTRELAY_…` variable to `root`; returns the problems (one per bad variable).
    static func apply(to root: inout TOMLTable, environment: [String: String]) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for name in environment.keys.sorted() where name.hasPrefix(prefix) && !notOptions.contains(name) {
            let value = environment[name] ?? ""
            if let message = applyOne(name, value, to: &root) {
                // Values never appear in messages, only the variable's name: a secret set in the wrong
                // variable is still a secret.
                problems.append(ConfigProblem(file: "environment", line: nil, message: "\(name): \(message)"))
            }
        }
        return problems
    }

    private static func applyOne(_ name: String, _ value: String, to root: inout TOMLTable) -> String? {
        var parts = name.dropFirst(prefix.count).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty else { return "no section named" }
        // A section name with `-` is written with `_` too (`KAFKA_CONSUMER`): the longest known
        // section the name starts with, so `KAFKA_CONSUMER_0_…` is not `[[kafka]]`'s option.
        var words = 1
        for known in schema.keys {
            let n = known.split(separator: "-").count
            if n > words, parts.count > n, parts[..<n].joined(separator: "-").lowercased() == known { words = n }
        }
        let section = parts[..<words].joined(separator: "-").lowercased()
        parts.removeFirst(words)
        guard let (isArray, keys) = schema[section] else {
            return "unknown section \"\(section)\" (known: \(schema.keys.sorted().joined(separator: ", ")))"
        }
        var index = 0
        if isArray {
            guard let first = parts.first, let n = Int(first) else {
                return "expected ALERTRELAY_\(String(section.uppercased().map { $0 == "-" ? "_" : $0 }))_<index>_<OPTION>"
            }
            parts.removeFirst()
            guard let array = root[section]?.array, n >= 0, n < array.count, array[n].table != nil else {
                return "there is no [[\(section)]] #\(n + 1) in the file to override"
            }
            index = n
        } else {
            if root[section] == nil { root[section] = TOMLValue(TOMLTable()) }
            guard root[section]?.table != nil else { return "[\(section)] is not a table" }
        }
        let key = parts.joined(separator: "-").lowercased()
        guard let kind = keys[key] else {
            return "unknown option \"\(key)\" of [\(section)] (known: \(keys.keys.sorted().joined(separator: ", ")))"
        }
        let content: TOMLValue.Content
        switch kind {
        case .string:
            content = .string(value)
        case .bool:
            guard value == "true" || value == "false" else { return "expected true or false (the value is not shown)" }
            content = .boolean(value == "true")
        case .int:
            guard let n = Int64(value) else { return "expected an integer (the value is not shown)" }
            content = .integer(n)
        case .list:
            let items = value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            content = .array(items.map { TOMLValue(.string($0)) })
        }
        // The tables are values: change the section's copy, then put it back where it was (a
        // replaced key keeps its place in the file, for messages about the new value).
        guard var holder = root[section] else { return nil }
        if isArray, var elements = holder.array, var table = elements[index].table {
            table[key] = TOMLValue(content)
            elements[index].content = .table(table)
            holder.content = .array(elements)
        } else if var table = holder.table {
            table[key] = TOMLValue(content)
            holder.content = .table(table)
        }
        root[section] = holder
        return nil
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
