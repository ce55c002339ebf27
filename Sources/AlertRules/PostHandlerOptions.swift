import GoTemplate

/// Options of a `post` handler, as Kapacitor's `httppost.HandlerConfig`: a `[[httppost]]`
/// endpoint by name, or a URL of its own (then no endpoint options apply), plus headers the
/// handler adds.
public struct PostHandlerOptions: Sendable {
    /// The `[[httppost]]` endpoint it posts through (nil: `url` alone).
    public var endpoint: PostEndpoint?
    /// The handler's own URL (`.post('url')`, `url:`); empty when an endpoint gives it.
    public var url: String
    /// Headers the handler sets, after (and over) the endpoint's, sorted by name.
    public var headers: [(name: String, value: String)]
    /// `captureResponse`: a non-2xx answer's body goes into the failure's reason.
    public var captureResponse: Bool

    /// The output this handler posts through: `post:<endpoint>` or `post:<url>`.
    public var outputID: String { "post:" + (endpoint?.name ?? url) }
    /// The URL requests go to.
    public var effectiveURL: String { endpoint?.url ?? url }
}

/// What the rules need to know of a `[[httppost]]` endpoint: its name, URL and alert template
/// (the body it posts instead of the alert JSON). Headers and basic auth stay with the output.
public struct PostEndpoint: Sendable {
    public var name: String
    public var url: String
    /// `alert-template` / `alert-template-file`, compiled; nil for the alert JSON.
    public var alertTemplate: Template?
    public init(name: String, url: String, alertTemplate: Template?) {
        self.name = name
        self.url = url
        self.alertTemplate = alertTemplate
    }
}

/// Options of a `tcp` handler (Kapacitor's `TCPHandlerConfig`: `address`).
public struct TCPHandlerOptions: Sendable {
    /// `host:port` the alert JSON lines are written to.
    public var address: String
    /// The output this handler writes through: `tcp:<address>`.
    public var outputID: String { "tcp:" + address }
}
