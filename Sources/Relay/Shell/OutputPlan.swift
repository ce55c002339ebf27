import AlertRules
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
import Logging
import NIOCore
import RelayConfig

/// The asynchronous outputs (post, tcp) a configuration and its rules need: one per
/// `[[httppost]]` endpoint (named by a rule or not: the spool may hold its records), one per
/// inline URL a `post` handler names, one per `tcp` address, and one for each post or tcp output
/// records spooled before a restart name (their URL or address is in the record). Each
/// comes with a fingerprint of its settings, so a reload keeps an output whose settings did not
/// change (and its queue and connection) and replaces the others.
struct OutputPlan {
    struct Entry {
        var fingerprint: String
        var make: (_ group: EventLoopGroup, _ logger: Logger, _ report: @escaping @Sendable (String, OutputReport) -> Void) -> any AlertOutput
    }

    var entries: [String: Entry] = [:]

    init(_ c: RelayConfiguration, rules: RuleSet, spooled: [OutputRecord] = []) {
        for e in c.httppost { addPost(id: "post:" + e.endpoint, url: e.url, endpoint: e) }
        for h in rules.rules.flatMap(\.handlers) + rules.handlers {
            switch h.action {
            case .post(let p) where p.endpoint == nil: addPost(id: p.outputID, url: p.url, endpoint: nil)
            case .tcp(let t): addTCP(t.address)
            default: continue
            }
        }
        for r in spooled where r.cluster == nil {
            switch r.target {
            // An inline URL's output (a URL template's too: its records carry rendered URLs).
            case .post(let url, _, _, _) where r.output == "post:" + url || r.output.firstRange(of: "{{") != nil: addPost(id: r.output, url: url, endpoint: nil)
            case .tcp(let address) where r.output == "tcp:" + address: addTCP(address)
            default: continue
            }
        }
    }

    /// Each record carries the URL it goes to; `text` (the URL as configured, a template
    /// perhaps) only tells a changed endpoint from an unchanged one.
    private mutating func addPost(id: String, url text: String, endpoint e: HTTPPostConfig?) {
        guard entries[id] == nil else { return }
        var settings = HTTPPostOutput.Settings()
        if let e {
            settings.headers = e.headers.map { ($0.name, $0.value) }
            if !e.basicAuthUsername.isEmpty {
                let token = Data("\(e.basicAuthUsername):\(e.basicAuthPassword)".utf8).base64EncodedString()
                settings.headers.append(("Authorization", "Basic " + token))
            }
        }
        let fingerprint = "\(text)|" + settings.headers.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        entries[id] = Entry(fingerprint: fingerprint) { group, logger, report in
            HTTPPostOutput(id: id, settings: settings, group: group, logger: logger, report: report)
        }
    }

    private mutating func addTCP(_ address: String) {
        let id = "tcp:" + address
        guard entries[id] == nil, let hp = RuleLoader.splitHostPort(address) else { return }
        let settings = TCPOutput.Settings(host: hp.host, port: hp.port)
        entries[id] = Entry(fingerprint: address) { group, logger, report in
            TCPOutput(id: id, settings: settings, group: group, logger: logger, report: report)
        }
    }
}
