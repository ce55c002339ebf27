import GoTemplate

/// Options of a `post` handler, as Kapacitor's `httppost.HandlerConfig`: a `[[httppost]]`
/// endpoint by name, or a URL of its own (then no endpoint options apply), plus headers the
/// handler adds and how each request is made (`timeout`, `skipSSLVerification`,
/// `captureResponse`).
public struct PostHandlerOptions: Sendable {
    /// The `[[httppost]]` endpoint it posts through (nil: `url` alone).
    public var endpoint: PostEndpoint?
    /// The handler's own URL (`.post('url')`, `url:`); empty when an endpoint gives it. May be a
    /// template over the alert data, as in Kapacitor.
    public var url: String
    /// `url` compiled, when it has template actions (`{{`); nil for a fixed URL.
    public var urlTemplate: Template?
    /// Headers the handler sets, after (and over) the endpoint's, sorted by name.
    public var headers: [(name: String, value: String)]
    /// How each request of this handler is made.
    public var request: PostRequestOptions

    public init(endpoint: PostEndpoint?, url: String, urlTemplate: Template? = nil, headers: [(name: String, value: String)],
                request: PostRequestOptions = PostRequestOptions()) {
        self.endpoint = endpoint
        self.url = url
        self.urlTemplate = urlTemplate
        self.headers = headers
        self.request = request
    }

    /// The output this handler posts through: `post:<endpoint>` or `post:<url>` (the URL as
    /// written, template included: one output for all the URLs it renders to).
    public var outputID: String { "post:" + (endpoint?.name ?? url) }
    /// The URL as configured (a template when it has actions).
    public var effectiveURL: String { endpoint?.url ?? url }
    /// The URL template in effect: the endpoint's, or the handler's own.
    public var effectiveURLTemplate: Template? { endpoint == nil ? urlTemplate : endpoint?.urlTemplate }
    /// `captureResponse`.
    public var captureResponse: Bool { request.captureResponse }
}

/// How one POST is made, per handler (Kapacitor's `timeout`, `skip-ssl-verification` and
/// `capture-response` handler options). Travels with each record (and in the spool), so
/// handlers sharing an endpoint keep their own.
public struct PostRequestOptions: Sendable, Equatable {
    /// `timeout`: the most one attempt may take — connect, TLS handshake and answer (nil: the
    /// relay's default of 10 s). An attempt that runs out is tried again, as a refused connection is.
    public var timeout: Duration?
    /// `skipSSLVerification` / `skip-ssl-verification`: for `https://`, accept any certificate
    /// (no chain or host name check), as Go's `InsecureSkipVerify`.
    public var skipSSLVerification: Bool
    /// `captureResponse` / `capture-response`: a non-2xx answer's body (its first 4 KiB) is logged
    /// and kept in the failure's reason; without it, Kapacitor's hint to turn it on.
    public var captureResponse: Bool

    public init(timeout: Duration? = nil, skipSSLVerification: Bool = false, captureResponse: Bool = false) {
        self.timeout = timeout
        self.skipSSLVerification = skipSSLVerification
        self.captureResponse = captureResponse
    }
}

/// What the rules need to know of a `[[httppost]]` endpoint: its name, URL (a template when it
/// has actions) and alert template (the body it posts instead of the alert JSON). Headers and
/// basic auth stay with the output.
public struct PostEndpoint: Sendable {
    public var name: String
    public var url: String
    /// `url` compiled when it has template actions; nil for a fixed URL.
    public var urlTemplate: Template?
    /// `alert-template` / `alert-template-file`, compiled; nil for the alert JSON.
    public var alertTemplate: Template?
    public init(name: String, url: String, urlTemplate: Template? = nil, alertTemplate: Template?) {
        self.name = name
        self.url = url
        self.urlTemplate = urlTemplate
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

extension PostEndpoint {
    /// `url` compiled as Kapacitor's `httppost.GetTemplate` does (text/template with its `json`
    /// function), when it has template actions; nil for a fixed URL.
    public static func urlTemplate(_ url: String) throws(TemplateParseError) -> Template? {
        guard url.contains("{{") else { return nil }
        return try Template(name: "body", text: url, functions: ["json": KapacitorContext.jsonFunction])
    }
}
