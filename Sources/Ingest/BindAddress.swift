/// A listener's `bind-address`, parsed once (by the config decoder) into host and port.
///
/// `host:port`, `:port` (every interface, as Go's `net.Listen` reads it) or `[v6]:port`; port 0
/// asks the kernel for a free port. It prints as written, so messages and metrics show the
/// operator's own text.
///
/// ```swift
/// let a = try BindAddress(parsing: "127.0.0.1:8089")   // host "127.0.0.1", port 8089
/// let any = try BindAddress(parsing: ":8089")          // bindHost "0.0.0.0"
/// ```
public struct BindAddress: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The host or IP as written, brackets removed; empty for every interface.
    public let host: String
    /// The port (0: any free port).
    public let port: Int

    /// The host to hand to `bind`: `0.0.0.0` when the text names none.
    public var bindHost: String { host.isEmpty ? "0.0.0.0" : host }

    /// An address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port` or `[v6]:port`.
    /// - Throws: ``ListenerError/badAddress(_:)`` naming the text, with an example of the shape.
    public init(parsing text: String) throws(ListenerError) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else { throw .badAddress(text) }
            host = String(text[text.index(after: text.startIndex)..<close])
            self.port = port
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw .badAddress(text)
        }
        let host = text[..<colon]
        // An unbracketed colon is an IPv6 address without brackets: ambiguous, as Go refuses it.
        guard !host.contains(where: { $0 == " " || $0 == "," || $0 == "/" || $0 == ":" || $0 == "[" || $0 == "]" }) else {
            throw .badAddress(text)
        }
        self.host = String(host)
        self.port = port
    }

    /// An address written in code (tests, defaults); a literal that is not `host:port` is a
    /// programming error, not input, and stops the program.
    public init(stringLiteral text: String) {
        do { self = try BindAddress(parsing: text) } catch { preconditionFailure("\(error)") }
    }

    /// As written: `127.0.0.1:8089`, `:8089`, `[::1]:8089`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether this listener would receive what is sent to `other` (a broker's `host:port`) from
    /// this machine: the same port, and the same host — or `other` is this machine (a loopback
    /// name) and this listener listens on every interface or on loopback. Port 0 never does.
    public func accepts(connectionsTo other: BindAddress) -> Bool {
        guard port != 0, port == other.port else { return false }
        let wildcard: Set<String> = ["", "0.0.0.0", "::"]
        let local = wildcard.union(["localhost", "::1"])
        let isLocal = { (h: String) in local.contains(h.lowercased()) || h.hasPrefix("127.") }
        if wildcard.contains(host) || isLocal(host) { return isLocal(other.host) }
        return host.lowercased() == other.host.lowercased()
    }
}
