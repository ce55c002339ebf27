import GoTemplate

/// The `post` and `tcp` handlers' options, inline on a rule (`post:`, `tcp:`) and in handler
/// files (`kind: post`, `kind: tcp`), as Kapacitor's `httppost.HandlerConfig` and `TCPHandlerConfig`.
extension RuleLoader {
    static let postKeys = ["url", "endpoint", "headers", "captureResponse", "capture-response", "timeout",
                           "skipSSLVerification", "skip-ssl-verification"]
    static let tcpKeys = ["address"]

    func postOptions(_ m: YAMLMap, what: String) throws(RuleLoadError) -> HandlerAction {
        try m.checkKeys(Self.postKeys, what: what)
        let url = try m["url"].map { (x) throws(RuleLoadError) in try x.string("url") } ?? ""
        var endpoint: PostEndpoint?
        if let e = m["endpoint"] {
            let name = try e.string("endpoint")
            // Kapacitor falls back to the handler's URL when the endpoint is unknown; an unknown
            // name without a URL is its "url must be specified" error.
            if let known = postEndpoints.first(where: { $0.name == name }) {
                endpoint = known
            } else if url.isEmpty {
                let names = postEndpoints.map(\.name)
                throw e.error("\(what): unknown [[httppost]] endpoint \"\(name)\" and no url (endpoints: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            }
        }
        var urlTemplate: Template?
        if endpoint == nil {
            guard let u = m["url"] else { throw m.value.error("\(what): url is required when no [[httppost]] endpoint is named") }
            urlTemplate = try Self.checkURL(url, at: u, what: what)
        }
        var headers: [(name: String, value: String)] = []
        if let h = m["headers"] {
            let hm = try YAMLMap(h, what: "\(what) headers")
            for e in hm.entries {
                guard Self.isHeaderName(e.key) else { throw e.keyNode.error("\(what): headers: \"\(e.key)\" is not a valid HTTP header name") }
                let value = try e.value.string("headers.\(e.key)")
                guard !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                    throw e.value.error("\(what): headers: the value of \"\(e.key)\" must not contain a line break")
                }
                headers.append((e.key, value))
            }
            headers.sort { $0.name < $1.name }
        }
        var request = PostRequestOptions()
        request.captureResponse = try (m["captureResponse"] ?? m["capture-response"]).map { (x) throws(RuleLoadError) in try x.bool("captureResponse") } ?? false
        request.skipSSLVerification = try (m["skipSSLVerification"] ?? m["skip-ssl-verification"]).map { (x) throws(RuleLoadError) in
            try x.bool("\(what): skipSSLVerification")
        } ?? false
        if let t = m["timeout"] {
            let ns = try t.duration("\(what): timeout")
            guard ns >= 0 else { throw t.error("\(what): timeout must not be negative") }
            // 0 is Kapacitor's "no timeout of the handler's own": the relay's default applies.
            if ns > 0 { request.timeout = .nanoseconds(ns) }
        }
        return .post(PostHandlerOptions(endpoint: endpoint, url: endpoint == nil ? url : "", urlTemplate: urlTemplate, headers: headers, request: request))
    }

    func tcpOptions(_ m: YAMLMap, what: String) throws(RuleLoadError) -> HandlerAction {
        try m.checkKeys(Self.tcpKeys, what: what)
        guard let a = m["address"] else { throw m.value.error("\(what): address is required (host:port)") }
        let address = try a.string("address")
        guard Self.splitHostPort(address) != nil else {
            throw a.error("\(what): address \"\(address)\" must be host:port with a port from 1 to 65535")
        }
        return .tcp(TCPHandlerOptions(address: address))
    }

    /// `http(s)://host[:port]/path`, or a template over the alert data (Kapacitor's URL
    /// templates): compiled, and checked as a URL once rendered, for each alert. Returns the
    /// template (nil for a fixed URL).
    static func checkURL(_ url: String, at v: YAMLValue, what: String) throws(RuleLoadError) -> Template? {
        let template: Template?
        do throws(TemplateParseError) {
            template = try PostEndpoint.urlTemplate(url)
        } catch {
            throw v.error("\(what): url \"\(url)\": invalid URL template syntax: \(error)")
        }
        if template == nil, PostURL(url) == nil {
            throw v.error("\(what): url \"\(url)\" is not an http:// or https:// URL with a host (example: http://127.0.0.1:8080/alerts)")
        }
        return template
    }

    /// RFC 9110's token characters.
    static func isHeaderName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    /// `host:port` (`[v6]:port` too) split, with the port checked.
    public static func splitHostPort(_ s: String) -> (host: String, port: Int)? {
        guard let colon = s.lastIndex(of: ":") else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        return (host, port)
    }
}

/// An `http://` or `https://` URL split into what a request needs: whether it is TLS, host, port
/// (80 or 443 by default) and the request target (path and query, `/` when empty).
public struct PostURL: Sendable, Equatable {
    public var tls: Bool
    public var host: String
    public var port: Int
    public var target: String

    /// Nil when `url` is not `http(s)://host[:port][/path]`.
    public init?(_ url: String) {
        if url.hasPrefix("http://") {
            tls = false
        } else if url.hasPrefix("https://") {
            tls = true
        } else {
            return nil
        }
        let rest = url.dropFirst(tls ? 8 : 7)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = String(rest[..<slash])
        var t = String(rest[slash...])
        if t.isEmpty { t = "/" } else if t.hasPrefix("?") { t = "/" + t }
        guard !authority.isEmpty, !authority.contains("@"), !t.contains(" ") else { return nil }
        if authority.hasSuffix("]") || !authority.contains(":") {
            host = authority
            port = tls ? 443 : 80
        } else {
            guard let hp = RuleLoader.splitHostPort(authority) else { return nil }
            host = hp.host
            port = hp.port
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        target = t
    }

    /// The `Host` header's value (the port left out when it is the scheme's default, as Go does).
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? h : "\(h):\(port)"
    }

    /// `http://host:port` / `https://host:port`: where a connection goes (logs, reasons).
    public var origin: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "https" : "http")://\(h):\(port)"
    }
}
