/// A request to an extra HTTP endpoint (``HTTPRoutes``), its body already read.
public struct HTTPRouteRequest: Sendable {
    /// `GET`, `HEAD`, ...
    public var method: String
    /// The path without the query (`/kapacitor/v1/alerts/topics`), not percent-decoded.
    public var path: String
    /// The query's parameters, percent-decoded (the last of repeated names wins).
    public var query: [String: String]
    /// The request target as sent (path and query), for Kapacitor's `self` links.
    public var uri: String

    public init(method: String, path: String, query: [String: String] = [:], uri: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.uri = uri ?? path
    }
}
