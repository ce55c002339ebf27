import AlertRules
import Ingest

extension RelayController {
    /// `GET /kapacitor/v1/tasks/<task>/<name>`: the latest output of the task's `httpOut(name)`
    /// node, in Kapacitor's JSON (`models.Result`); nil when no such node exists (404).
    func httpOutResponse(_ path: String) -> HTTPRouteResponse? {
        let prefix = "/kapacitor/v1/tasks/"
        guard path.hasPrefix(prefix) else { return nil }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let task = Self.percentDecoded(parts[0]), name = Self.percentDecoded(parts[1])
        for rule in generation.loaded.rules.rules where rule.id == task {
            for table in rule.httpOutTables where table.endpoint == name {
                return HTTPRouteResponse(status: 200, contentType: "application/json", body: table.json(), needsAuth: true)
            }
        }
        return nil
    }

    /// A path segment with its `%XX` escapes decoded (a task ID may hold spaces); left as it is
    /// when an escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        var bytes: [UInt8] = []
        var utf8 = segment.utf8[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%"), utf8.count >= 2,
               let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? String(segment)
    }
}
