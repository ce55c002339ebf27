import Ingest

/// A JSON answer of the alerts API: a status and a document, plus the path and query helpers
/// its routes share.
struct APIResponse: Error {
    var status: Int
    var body: APIJSON

    init(_ status: Int, _ body: APIJSON) {
        self.status = status
        self.body = body
    }

    /// As the admin listener sends it (behind the admin token), with Kapacitor's content type.
    var route: HTTPRouteResponse {
        HTTPRouteResponse(status: status, contentType: "application/json; charset=utf-8", body: body.text, needsAuth: true)
    }

    /// `?limit=`: a positive count, at most `max`.
    static func limit(_ text: String?, default def: Int, max: Int) -> Result<Int, APIResponse> {
        guard let text, !text.isEmpty else { return .success(def) }
        guard let n = Int(text), n > 0 else { return .failure(APIResponse(400, .error("invalid limit \(text): a positive number, at most \(max)"))) }
        return .success(min(n, max))
    }

    /// A path segment with what a URL path cannot hold as is percent-encoded (Go's
    /// `url.PathEscape` keeps `:` and the other sub-delimiters, as Kapacitor's links show them).
    static func pathEscaped(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"),
                 UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: ","), UInt8(ascii: "!"),
                 UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ";"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
