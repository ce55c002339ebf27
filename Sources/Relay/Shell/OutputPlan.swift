import AlertRules
import Foundation
import Logging
import NIOCore
import RelayConfig

/// The asynchronous outputs (post, tcp) a configuration and its rules need: one per
/// `[[httppost]]` endpoint or inline URL a `post` handler names, one per `tcp` address. Each
/// comes with a fingerprint of its settings, so a reload keeps an output whose settings did not
/// change (and its queue and connection) and replaces the others.
struct OutputPlan {
    struct Entry {
        var fingerprint: String
        var make: (_ group: EventLoopGroup, _ logger: Logger, _ report: @escaping @Sendable (String, OutputReport) -> Void) -> any AlertOutput
    }

    var entries: [String: Entry] = [:]

    init(_ c: RelayConfiguration, rules: RuleSet) {
        let handlers = rules.rules.flatMap(\.handlers) + rules.handlers
        for h in handlers {
            switch h.action {
            case .post(let p):
                let id = p.outputID
                guard entries[id] == nil, let url = PostURL(p.effectiveURL) else { continue }
                var settings = HTTPPostOutput.Settings(url: url)
                if let name = p.endpoint?.name, let e = c.httppost.first(where: { $0.endpoint == name }) {
                    settings.headers = e.headers.map { ($0.name, $0.value) }
                    if !e.basicAuthUsername.isEmpty {
                        let token = Data("\(e.basicAuthUsername):\(e.basicAuthPassword)".utf8).base64EncodedString()
                        settings.headers.append(("Authorization", "Basic " + token))
                    }
                }
                let fingerprint = "\(url)|" + settings.headers.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
                entries[id] = Entry(fingerprint: fingerprint) { group, logger, report in
                    HTTPPostOutput(id: id, settings: settings, group: group, logger: logger, report: report)
                }
            case .tcp(let t):
                let id = t.outputID
                guard entries[id] == nil, let hp = RuleLoader.splitHostPort(t.address) else { continue }
                let settings = TCPOutput.Settings(host: hp.host, port: hp.port)
                entries[id] = Entry(fingerprint: t.address) { group, logger, report in
                    TCPOutput(id: id, settings: settings, group: group, logger: logger, report: report)
                }
            case .kafka, .log:
                continue
            }
        }
    }
}
