import Foundation
import GoTemplate
import Logging

/// swift-log to standard error as `logfmt` (Kapacitor's format: `ts=… lvl=info msg="…" key=value`)
/// or one JSON object per line.
public struct RelayLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let json: Bool

    public init(label: String, level: Logger.Level, json: Bool) {
        self.label = label
        self.logLevel = level
        self.json = json
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let time = Self.timestamp()
        var line = ""
        if json {
            line = "{\"ts\":\(Self.quote(time)),\"lvl\":\(Self.quote(Self.name(event.level))),\"msg\":\(Self.quote(event.message.description)),\"service\":\(Self.quote(label))"
            for k in all.keys.sorted() { line += ",\(Self.quote(k)):\(Self.quote(all[k]!.description))" }
            line += "}\n"
        } else {
            line = "ts=\(time) lvl=\(Self.name(event.level)) msg=\(Self.logfmt(event.message.description)) service=\(Self.logfmt(label))"
            for k in all.keys.sorted() { line += " \(k)=\(Self.logfmt(all[k]!.description))" }
            line += "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func name(_ l: Logger.Level) -> String {
        switch l {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warn"
        case .error: return "error"
        case .critical: return "crit"
        }
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int(ts.tv_nsec / 1000))
    }

    static func logfmt(_ s: String) -> String {
        if !s.isEmpty, !s.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline || $0 == "\\" }) { return s }
        return quote(s)
    }

    /// A JSON string literal (encoding/json's escaping, without the HTML escapes).
    static func quote(_ s: String) -> String {
        var out = ""
        GoJSON.appendString(s, to: &out, escapeHTML: false)
        return out
    }

    /// Parses a `[logging] level`.
    public static func level(_ name: String) -> Logger.Level {
        Logger.Level(rawValue: name) ?? .info
    }
}
