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
import GoDuration
import GoTemplate
import Logging
import RelayConfig
import Synchronization

/// The level and format every `RelayLogHandler` of the process follows; a SIGHUP reload changes
/// them for all loggers at once.
public final class RelayLogSettings: Sendable {
    private let levelIndex: Atomic<Int>
    private let jsonFormat: Atomic<Bool>

    /// Settings from `[logging] level` and `format`.
    public init(level: LoggingConfig.Level, format: LoggingConfig.Format) {
        levelIndex = Atomic(Self.index(RelayLogHandler.level(level.rawValue)))
        jsonFormat = Atomic(format == .json)
    }

    /// The current level.
    public var level: Logger.Level { Logger.Level.allCases[levelIndex.load(ordering: .relaxed)] }
    /// True for `format = "json"`.
    public var json: Bool { jsonFormat.load(ordering: .relaxed) }

    /// Applies a (reloaded) `[logging]` section.
    public func apply(level: LoggingConfig.Level, format: LoggingConfig.Format) {
        levelIndex.store(Self.index(RelayLogHandler.level(level.rawValue)), ordering: .relaxed)
        jsonFormat.store(format == .json, ordering: .relaxed)
    }

    static func index(_ l: Logger.Level) -> Int { Logger.Level.allCases.firstIndex(of: l) ?? 2 }
}

/// swift-log to standard error as `logfmt` (Kapacitor's format: `ts=… lvl=info msg="…" key=value`)
/// or one JSON object per line.
public struct RelayLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    /// The shared level, unless this logger was given its own.
    public var logLevel: Logger.Level {
        get { ownLevel ?? settings.level }
        set { ownLevel = newValue }
    }
    let label: String
    let settings: RelayLogSettings
    private var ownLevel: Logger.Level?

    /// A handler following `settings` (shared by the process's loggers).
    public init(label: String, settings: RelayLogSettings) {
        self.label = label
        self.settings = settings
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
        if settings.json {
            line = "{\"ts\":\(Self.quote(time)),\"lvl\":\(Self.quote(Self.name(event.level))),\"msg\":\(Self.quote(event.message.description)),\"service\":\(Self.quote(label))"
            for k in all.keys.sorted() { line += ",\(Self.quote(k)):\(Self.json(all[k]!))" }
            line += "}\n"
        } else {
            line = "ts=\(time) lvl=\(Self.name(event.level)) msg=\(Self.logfmt(event.message.description)) service=\(Self.logfmt(label))"
            for k in all.keys.sorted() { line += " \(k)=\(Self.logfmt(Self.text(all[k]!)))" }
            line += "\n"
        }
        FileDescriptorReading.writeAll(line, to: 2)
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
        return zeroPadded(Int(parts.tm_year) + 1900, 4) + "-" + zeroPadded(Int(parts.tm_mon) + 1, 2) + "-" + zeroPadded(Int(parts.tm_mday), 2)
            + "T" + zeroPadded(Int(parts.tm_hour), 2) + ":" + zeroPadded(Int(parts.tm_min), 2) + ":" + zeroPadded(Int(parts.tm_sec), 2)
            + "." + zeroPadded(Int(ts.tv_nsec / 1000), 6) + "Z"
    }

    /// A logfmt value as go-logfmt writes one: bare unless it is empty or holds a space, a control
    /// character, `=`, `"`, `\\` or U+FFFD; then quoted with every control character escaped, so a
    /// tag value holding ESC or NUL cannot reach a terminal or a log parser raw.
    static func logfmt(_ s: String) -> String {
        if !s.isEmpty, !s.unicodeScalars.contains(where: needsQuoting) { return s }
        return quote(s)
    }

    private static func needsQuoting(_ c: Unicode.Scalar) -> Bool {
        c.value <= 0x20 || c == "=" || c == "\"" || c == "\\" || c.value == 0xFFFD
    }

    /// A metadata value as text: a `Duration` or `GoDuration` as Go prints durations (`1m30s`,
    /// `250ms`), like Kapacitor's logs; anything else as it describes itself.
    static func text(_ v: Logger.MetadataValue) -> String {
        switch v {
        case .stringConvertible(let c):
            if let d = c as? Duration { return goDuration(d).description }
            return c.description
        case .string(let s): return s
        case .array(let a): return "[" + a.map(text).joined(separator: ", ") + "]"
        case .dictionary(let d): return "[" + d.keys.sorted().map { "\($0): \(text(d[$0]!))" }.joined(separator: ", ") + "]"
        }
    }

    /// A metadata value as JSON: integers, finite floats and booleans given as numbers or
    /// booleans (`"points":12`, not `"12"`), lists and dictionaries as JSON ones, the rest as strings.
    static func json(_ v: Logger.MetadataValue) -> String {
        switch v {
        case .stringConvertible(let c):
            if let b = c as? Bool { return b ? "true" : "false" }
            if let i = c as? any BinaryInteger { return "\(i)" }
            if let f = c as? Double, f.isFinite { return GoJSON.float(f) }
            if let f = c as? Float, f.isFinite { return GoJSON.float(Double(f)) }
            return quote(text(v))
        case .string(let s): return quote(s)
        case .array(let a): return "[" + a.map(json).joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.keys.sorted().map { "\(quote($0)):\(json(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    private static func goDuration(_ d: Duration) -> GoDuration {
        let c = d.components
        let (ns, overflow) = c.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return GoDuration(nanoseconds: c.seconds < 0 ? .min : .max) }
        return GoDuration(nanoseconds: ns.addingReportingOverflow(c.attoseconds / 1_000_000_000).partialValue)
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
