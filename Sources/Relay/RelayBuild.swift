/// What this build of alertrelay is: `alertrelay --version`, `alertrelay_build_info`, the
/// status page.
public enum RelayBuild {
    /// alertrelay's release.
    public static let version = "0.1.0"

    /// The Swift compiler that built it (major.minor).
    public static let swift: String = {
        #if compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()
}
