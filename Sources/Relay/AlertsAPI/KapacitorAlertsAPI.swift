import AlertRules
import GoDuration
import GoTemplate
import Ingest

/// Kapacitor 1.5's alerts API (`services/alert/api.go`), read-only: topics, their events and
/// handlers in Kapacitor's JSON shapes, links and error statuses. Topics and handlers come from
/// the rule and handler files, so the writing methods are refused with 405.
///
/// Lists are capped at `?limit=` entries (default ``defaultLimit``, at most ``maxLimit``); a
/// capped list carries `"truncated": true` and `"total"` after Kapacitor's fields.
struct KapacitorAlertsAPI {
    static let topicsPath = KapacitorHTTP.basePath + "/alerts/topics"
    static let defaultLimit = 1000
    static let maxLimit = 10_000

    let topics: AlertTopics
    let board: AlertBoardState

    /// The answer for `request`, or nil when its path is not the alerts API's.
    func respond(_ request: HTTPRouteRequest) -> APIResponse? {
        let path = request.path
        guard path == Self.topicsPath || path.hasPrefix(Self.topicsPath + "/") else { return nil }
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIResponse(405, .error("method \(request.method) not allowed: alertrelay's topics and handlers come from its rule and handler files"))
        }
        if path == Self.topicsPath || path == Self.topicsPath + "/" { return listTopics(request) }
        let segments = path.dropFirst(Self.topicsPath.count + 1).split(separator: "/", omittingEmptySubsequences: false).map {
            RelayController.percentDecoded($0)
        }
        let id = segments[0]
        switch (segments.count, segments.count > 1 ? segments[1] : "") {
        case (2, "events"): return listEvents(id, request)
        case (3, "events"): return event(id, segments[2])
        case (2, "handlers"): return listHandlers(id, request)
        case (3, "handlers"): return handler(id, segments[2])
        default: return topic(id)
        }
    }

    // MARK: Topics

    private func listTopics(_ request: HTTPRouteRequest) -> APIResponse {
        let pattern: GlobPattern
        do { pattern = try GlobPattern(request.query["pattern"] ?? "") } catch {
            return APIResponse(400, .error("invalid pattern: \(error)"))
        }
        let minLevel: AlertLevel
        switch Self.level(request.query["min-level"]) {
        case .success(let l): minLevel = l
        case .failure(let e): return e
        }
        let list = topics.topics.values.filter { pattern.matches($0.id) }.map { ($0, level(of: $0)) }
            .filter { $0.1 >= minLevel }.sorted { $0.0.id < $1.0.id }
        return APIResponse(200, .object([
            ("link", .link("self", request.uri)),
            ("topics", .array(list.map { topicJSON($0.0, $0.1) })),
        ]))
    }

    private func topic(_ id: String) -> APIResponse {
        guard let t = topics.topics[id] else { return APIResponse(404, .error("unknown topic: \(GoQuote.quote(id))")) }
        return APIResponse(200, topicJSON(t, level(of: t)))
    }

    /// The highest level of the topic's events.
    private func level(of topic: AlertTopics.Topic) -> AlertLevel {
        var highest = AlertLevel.ok
        for r in topic.rules {
            guard let counts = board.levels[r] else { continue }
            for l in AlertLevel.allCases.reversed() where l > highest && counts[l.rawValue] > 0 { highest = l }
        }
        return highest
    }

    private func topicJSON(_ t: AlertTopics.Topic, _ level: AlertLevel) -> APIJSON {
        .object([
            ("link", .link("self", Self.topicPath(t.id))),
            ("id", .string(t.id)),
            ("level", .string(level.description)),
            ("collected", .int(t.rules.reduce(0) { $0 + (board.collected[$1] ?? 0) })),
            ("events-link", .link("events", Self.topicPath(t.id) + "/events")),
            ("handlers-link", .link("handlers", Self.topicPath(t.id) + "/handlers")),
        ])
    }

    // MARK: Events

    private func listEvents(_ topicID: String, _ request: HTTPRouteRequest) -> APIResponse {
        let minLevel: AlertLevel
        switch Self.level(request.query["min-level"]) {
        case .success(let l): minLevel = l
        case .failure(let e): return e
        }
        guard let t = topics.topics[topicID] else {
            return APIResponse(500, .error("failed to get topic events: unknown topic \(GoQuote.quote(topicID))"))
        }
        let limit: Int
        switch APIResponse.limit(request.query["limit"], default: Self.defaultLimit, max: Self.maxLimit) {
        case .success(let n): limit = n
        case .failure(let e): return e
        }
        let all = events(of: t).filter { $0.event.level >= minLevel }.sorted(by: Self.kapacitorOrder)
        var members: [(String, APIJSON)] = [
            ("link", .link("self", Self.topicPath(topicID) + "/events")),
            ("topic", .string(topicID)),
            ("events", .array(all.prefix(limit).map { eventJSON(topicID, $0) })),
        ]
        if all.count > limit { members += [("truncated", .bool(true)), ("total", .int(Int64(all.count)))] }
        return APIResponse(200, .object(members))
    }

    private func event(_ topicID: String, _ eventID: String) -> APIResponse {
        guard let t = topics.topics[topicID], let e = events(of: t, only: eventID).first else {
            return APIResponse(404, .error("unknown event \(GoQuote.quote(eventID)) in topic \(GoQuote.quote(topicID))"))
        }
        return APIResponse(200, eventJSON(topicID, e))
    }

    /// The topic's latest event per alert ID: when several rules publish the same ID to one
    /// topic, the newest event wins, as Kapacitor's topic keeps one state per ID.
    private func events(of topic: AlertTopics.Topic, only id: String? = nil) -> [AlertBoardEntry] {
        if let id {
            return topic.rules.compactMap { board.entry(rule: $0, id: id) }.max { Self.older($0, $1) }.map { [$0] } ?? []
        }
        let rules = Set(topic.rules)
        if rules.count == 1 { return board.entries.filter { rules.contains($0.rule) } }
        var byID: [String: AlertBoardEntry] = [:]
        for e in board.entries where rules.contains(e.rule) {
            if let have = byID[e.event.id], !Self.older(have, e) { continue }
            byID[e.event.id] = e
        }
        return Array(byID.values)
    }

    static func older(_ a: AlertBoardEntry, _ b: AlertBoardEntry) -> Bool { (a.event.time, a.sequence) < (b.event.time, b.sequence) }

    /// Kapacitor's `sortedStates`: highest level first, then by ID.
    static func kapacitorOrder(_ a: AlertBoardEntry, _ b: AlertBoardEntry) -> Bool {
        a.event.level != b.event.level ? a.event.level > b.event.level : a.event.id < b.event.id
    }

    private func eventJSON(_ topicID: String, _ e: AlertBoardEntry) -> APIJSON {
        .object([
            ("link", .link("self", Self.topicPath(topicID) + "/events/" + APIResponse.pathEscaped(e.event.id))),
            ("id", .string(e.event.id)),
            ("state", .object([
                ("message", .string(e.event.message)),
                ("details", .string(e.event.details)),
                ("time", .string(GoTime(unixNano: e.event.time).rfc3339Nano)),
                ("duration", .string(GoDuration(nanoseconds: e.event.duration).description)),
                ("level", .string(e.event.level.description)),
            ])),
        ])
    }

    // MARK: Handlers

    private func listHandlers(_ topicID: String, _ request: HTTPRouteRequest) -> APIResponse {
        let pattern: GlobPattern
        do { pattern = try GlobPattern(request.query["pattern"] ?? "") } catch {
            return APIResponse(400, .error("invalid pattern: \(error)"))
        }
        let handlers = (topics.topics[topicID]?.handlers ?? []).filter { pattern.matches($0.id) }.sorted { $0.id < $1.id }
        return APIResponse(200, .object([
            ("link", .link("self", request.uri)),
            ("topic", .string(topicID)),
            ("handlers", .array(handlers.map { handlerJSON(topicID, $0) })),
        ]))
    }

    private func handler(_ topicID: String, _ handlerID: String) -> APIResponse {
        guard let h = topics.topics[topicID]?.handlers.first(where: { $0.id == handlerID }) else {
            return APIResponse(404, .error("unknown handler: \(GoQuote.quote(handlerID))"))
        }
        return APIResponse(200, handlerJSON(topicID, h))
    }

    /// Kapacitor's `client.TopicHandler`; `options` as the handler file gave them.
    private func handlerJSON(_ topicID: String, _ h: AlertHandler) -> APIJSON {
        let kind: String
        var options: [(String, APIJSON)] = []
        switch h.action {
        case .kafka(let k):
            kind = "kafka"
            options = [("cluster", .string(k.cluster)), ("topic", .string(k.topic))]
            if !k.templateText.isEmpty { options.append(("template", .string(k.templateText))) }
            switch k.partitioning {
            case .random: options.append(("disablePartitionById", .bool(true)))
            case .byAlertID(let a) where a != .crc32: options.append(("partitionAlgorithm", .string(a.rawValue)))
            case .byAlertID: break
            }
        case .log(let l):
            kind = "log"
            options = [("path", .string(l.path)), ("mode", .int(Int64(l.mode)))]
        case .post(let p):
            kind = "post"
            if let e = p.endpoint { options.append(("endpoint", .string(e.name))) } else { options.append(("url", .string(p.url))) }
            if !p.headers.isEmpty { options.append(("headers", .object(p.headers.map { ($0.name, .string($0.value)) }))) }
            if p.captureResponse { options.append(("capture-response", .bool(true))) }
            // Kapacitor's HandlerConfig carries the timeout as a time.Duration: nanoseconds in JSON.
            if let t = p.request.timeout { options.append(("timeout", .int(Int64(t.components.seconds) * 1_000_000_000 + t.components.attoseconds / 1_000_000_000))) }
            if p.request.skipSSLVerification { options.append(("skip-ssl-verification", .bool(true))) }
        case .tcp(let t):
            kind = "tcp"
            options = [("address", .string(t.address))]
        }
        return .object([
            ("link", .link("self", Self.topicPath(topicID) + "/handlers/" + APIResponse.pathEscaped(h.id))),
            ("id", .string(h.id)),
            ("kind", .string(kind)),
            ("options", .object(options)),
            ("match", .string(h.match?.description ?? "")),
        ])
    }

    // MARK: Helpers

    static func topicPath(_ id: String) -> String { topicsPath + "/" + APIResponse.pathEscaped(id) }

    /// Kapacitor's `alert.ParseLevel`, quirks included: the upper-cased text is looked for in
    /// `OKINFOWARNINGCRITICAL` and names the level whose name starts where it is first found, so
    /// `""` is OK and `warn` or `CRIT` name WARNING and CRITICAL.
    static func level(_ text: String?) -> Result<AlertLevel, APIResponse> {
        let t = (text ?? "").uppercased()
        let names = "OKINFOWARNINGCRITICAL"
        let offsets = [0, 2, 6, 13]
        let at = t.isEmpty ? 0 : names.firstRange(of: t).map { names.distance(from: names.startIndex, to: $0.lowerBound) }
        guard let at, let i = offsets.firstIndex(of: at), let l = AlertLevel(rawValue: i) else {
            return .failure(APIResponse(400, .error("unknown alert level '\(t)'")))
        }
        return .success(l)
    }
}
