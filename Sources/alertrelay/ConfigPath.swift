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

/// Where `--config` points when it is not given: `ALERTRELAY_CONFIG_PATH`, else the packaged
/// location, so `alertrelay run` in the image or under systemd needs no arguments.
enum ConfigPath {
    /// The packaged location.
    static let standard = "/etc/alertrelay/alertrelay.conf"
    /// The environment variable that names another default.
    static let environmentVariable = "ALERTRELAY_CONFIG_PATH"

    /// The help text of every command's `--config`.
    static let help = "The configuration file (TOML, kapacitor.conf shape; default: $\(environmentVariable), else \(standard))."

    /// `option` when given, else the default.
    static func resolve(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let option { return option }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty { return fromEnvironment }
        return standard
    }
}
