import GoDuration
import Ingest
import KafkaDispatch
import LineProtocol
import NameSuggestion
import TOML

/// Typed readers of one option each: a value of the wrong type or out of range is reported at its
/// line and column (its value left out when the option holds a secret), and nil is returned.
extension ConfigDecoder {
    /// Reports each key that is neither `known` nor one of `ignored` (Kapacitor's options without
    /// effect here, warned about once each, with why).
    mutating func checkKeys(_ t: TOMLTable, _ known: [String], _ section: String, _ index: Int?,
                                    ignored: [String: String] = [:]) {
        for key in t.keys.sorted() where !known.contains(key) {
            if let why = ignored[key] {
                warn(once: "\(section).\(key)", locator.position(table: section, index: index ?? 0, key: key),
                     "\(Self.title(section, index)): \(key): a Kapacitor option without effect here, ignored: \(why)")
                continue
            }
            let hint = NameSuggestion.closest(to: key, in: known).map { "did you mean \"\($0)\"? " } ?? ""
            listenerProblem(section, index, key: key, "unknown option (\(hint)known: \(known.joined(separator: ", ")))")
        }
    }

    mutating func bool(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?) -> Bool? {
        guard let v = t[key] else { return nil }
        if v.type == .bool, let b = v.bool { return b }
        listenerProblem(section, index, key: key, "expected true or false, got \(describe(v, key: key))")
        return nil
    }

    mutating func string(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?) -> String? {
        guard let v = t[key] else { return nil }
        if let s = v.string { return s }
        listenerProblem(section, index, key: key, "expected a string, got \(describe(v, key: key))")
        return nil
    }

    mutating func int(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?, in range: ClosedRange<Int>) -> Int? {
        guard let v = t[key] else { return nil }
        guard v.type == .int, let n = v.int else {
            listenerProblem(section, index, key: key, "expected an integer, got \(describe(v, key: key))")
            return nil
        }
        if !range.contains(n) {
            listenerProblem(section, index, key: key, "must be from \(range.lowerBound) to \(range.upperBound), got \(n)")
            return nil
        }
        return n
    }

    /// A Go duration string within `range`; nil (after reporting) when absent or out of range.
    mutating func duration(_ t: TOMLTable, _ key: String, _ section: String, _ index: Int?,
                                   in range: ClosedRange<GoDuration>) -> GoDuration? {
        guard let s = string(t, key, section, index) else { return nil }
        let d: GoDuration
        do { d = try GoDuration(parsing: s) } catch {
            listenerProblem(section, index, key: key, "\(error)")
            return nil
        }
        if !range.contains(d) {
            listenerProblem(section, index, key: key, "must be from \(range.lowerBound) to \(range.upperBound), got \(d)")
            return nil
        }
        return d
    }

    /// `bind-address`, parsed once here: `host:port` or `:port` (all interfaces); port 0 asks the
    /// kernel for a free port.
    mutating func address(_ t: TOMLTable, _ section: String, _ index: Int?) -> BindAddress? {
        guard let a = string(t, "bind-address", section, index) else { return nil }
        do throws(ListenerError) { return try BindAddress(parsing: a) } catch {
            listenerProblem(section, index, key: "bind-address", "\"\(a)\" is not host:port (for example \"127.0.0.1:8089\" or \":8089\")")
            return nil
        }
    }

    /// `database` and `retention-policy`, Kapacitor's names for what the points are written to.
    mutating func destination(_ t: TOMLTable, _ section: String, _ index: Int?) -> PointDestination {
        PointDestination(database: string(t, "database", section, index) ?? "",
                         retentionPolicy: string(t, "retention-policy", section, index) ?? "")
    }

    mutating func precision(_ t: TOMLTable, _ section: String, _ index: Int?) -> Precision? {
        guard let p = string(t, "precision", section, index) else { return nil }
        guard let precision = Precision(name: p) else {
            listenerProblem(section, index, key: "precision", "\"\(p)\" is not one of ns, us, ms, s, m, h")
            return nil
        }
        return precision
    }

    /// is still a password.
    static let secretKeys: Set<String> = ["auth-token", "sasl-password"]

    /// Whether `key` (an option, or a raw librdkafka property) holds a secret.
    static func isSecret(_ key: String) -> Bool {
        secretKeys.contains(key) || RdKafkaProperty(key, "").isSecret
    }

    /// The value's type and, unless `key` names a secret, the value itself, for messages.
    func describe(_ v: TOMLValue, key: String) -> String {
        if Self.isSecret(key) {
            switch v.type {
            case .string: return "a string"
            case .int: return "an integer"
            case .double: return "a number"
            case .bool: return "a boolean"
            case .array: return "an array"
            case .table: return "a table"
            default: return v.type.description
            }
        }
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
