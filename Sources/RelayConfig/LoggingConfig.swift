/// `[logging]`: `level` and `format` of what the relay writes to standard error.
public struct LoggingConfig: Sendable, Equatable {
    /// `level`: swift-log's levels, by their names.
    public enum Level: String, Sendable, Equatable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }
    /// `format`: Kapacitor's `logfmt` (`ts=… lvl=info msg="…"`) or one JSON object per line.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case logfmt, json
    }
    public var level = Level.info
    public var format = Format.logfmt
    public init() {}
}
