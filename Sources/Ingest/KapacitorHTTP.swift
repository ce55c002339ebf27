/// What the relay's HTTP servers say about the Kapacitor API they speak.
public enum KapacitorHTTP {
    /// Kapacitor's API prefix (`httpd.BasePath`).
    public static let basePath = "/kapacitor/v1"
    /// `X-Kapacitor-Version`, which Kapacitor puts on every response of its API: the Kapacitor
    /// release whose API this is, marked as alertrelay's (a semantic-version pre-release tag, so
    /// clients that parse it still can).
    public static let version = "1.5.9-alertrelay"
}
