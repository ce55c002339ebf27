import AlertRules
import GoDuration
import GoTemplate
import Ingest
import LineProtocol

/// The relay's own view, per rule (`/alertrelay/v1/...`): each rule with its topics and counts
/// of active alerts, each rule's alerts (group, level, since when, last message, the point's
/// tags and fields), and the ring of recent events. The same conventions as the Kapacitor API
/// beside it: `link`s, `{"error": ...}`, `?min-level=`, `?limit=` with `truncated`.
struct RulesAPI {
    static let basePath = "/alertrelay/v1"
    static let rulesPath = basePath + "/rules"
    static let eventsPath = basePath + "/events"
    static let alertsPath = basePath + "/alerts"

    let rules: [AlertRule]
    let topics: AlertTopics
    let board: AlertBoardState
    /// Per rule: groups held by the engine (its last published counters).
    let groups: [String: Int]

    func respond(_ request: HTTPRouteRequest) -> APIResponse? {
        let path = request.path
        if path == Self.eventsPath { return recentEvents(request) }
        if path == Self.alertsPath { return alerts(of: nil, request) }
        guard path == Self.rulesPath || path.hasPrefix(Self.rulesPath + "/") else { return nil }
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIResponse(405, .error("method \(request.method) not allowed: rules come from the rule files"))
        }
        if path == Self.rulesPath || path == Self.rulesPath + "/" {
            return APIResponse(200, .object([("link", .link("self", request.uri)), ("rules", .array(rules.map(ruleJSON)))]))
        }
        let segments = path.dropFirst(Self.rulesPath.count + 1).split(separator: "/", omittingEmptySubsequences: false)
            .map { RelayController.percentDecoded($0) }
        guard let rule = rules.first(where: { $0.id == segments[0] }) else {
            return APIResponse(404, .error("unknown rule: \(GoQuote.quote(segments[0]))"))
        }
        switch (segments.count, segments.count > 1 ? segments[1] : "") {
        case (1, _): return APIResponse(200, ruleJSON(rule))
        case (2, "alerts"): return alerts(of: rule, request)
        default: return APIResponse(404, .error("not found: \(path)"))
        }
    }

    static func rulePath(_ id: String) -> String { rulesPath + "/" + APIResponse.pathEscaped(id) }

    private func ruleJSON(_ r: AlertRule) -> APIJSON {
        let counts = board.levels[r.id] ?? [0, 0, 0, 0]
        let highest = AlertLevel.allCases.last { $0 != .ok && counts[$0.rawValue] > 0 } ?? .ok
        return .object([
            ("link", .link("self", Self.rulePath(r.id))),
            ("id", .string(r.id)),
            ("file", .string(r.location.description)),
            ("measurement", r.measurement.map(APIJSON.string) ?? .null),
            ("topics", .array((topics.topicsOfRule[r.id] ?? []).map { .string($0) })),
            ("level", .string(highest.description)),
            ("active", .object(AlertLevel.allCases.filter { $0 != .ok }.map { ($0.description, .int(Int64(counts[$0.rawValue]))) })),
            ("groups", .int(Int64(groups[r.id] ?? 0))),
            ("collected", .int(board.collected[r.id] ?? 0)),
            ("alerts-link", .link("alerts", Self.rulePath(r.id) + "/alerts")),
        ])
    }

    /// The rule's alerts (every rule's, for nil) at `?min-level=` or above (default INFO: the
    /// active ones), highest level first, then longest-standing first.
    private func alerts(of rule: AlertRule?, _ request: HTTPRouteRequest) -> APIResponse {
        let minLevel: AlertLevel
        switch KapacitorAlertsAPI.level(request.query["min-level"] ?? "INFO") {
        case .success(let l): minLevel = l
        case .failure(let e): return e
        }
        let limit: Int
        switch APIResponse.limit(request.query["limit"], default: KapacitorAlertsAPI.defaultLimit, max: KapacitorAlertsAPI.maxLimit) {
        case .success(let n): limit = n
        case .failure(let e): return e
        }
        let all = board.entries.filter { (rule == nil || $0.rule == rule?.id) && $0.event.level >= minLevel }
            .sorted { $0.event.level != $1.event.level ? $0.event.level > $1.event.level : ($0.since, $0.event.id) < ($1.since, $1.event.id) }
        var members: [(String, APIJSON)] = [
            ("link", .link("self", request.uri)),
            ("rule", rule.map { .string($0.id) } ?? .null),
            ("alerts", .array(all.prefix(limit).map(Self.alertJSON))),
        ]
        if all.count > limit { members += [("truncated", .bool(true)), ("total", .int(Int64(all.count)))] }
        return APIResponse(200, .object(members))
    }

    static func alertJSON(_ e: AlertBoardEntry) -> APIJSON {
        var tags: [(String, APIJSON)] = []
        for t in e.event.point.tags where tags.last?.0 != t.key { tags.append((t.key, .string(t.value))) }
        var fields: [String: APIJSON] = [:]
        for f in e.event.point.fields { fields[f.key] = value(f.value) }
        return .object([
            ("rule", .string(e.rule)),
            ("id", .string(e.event.id)),
            ("group", .string(e.group)),
            ("level", .string(e.event.level.description)),
            ("since", .string(GoTime(unixNano: e.since).rfc3339Nano)),
            ("duration", .string(GoDuration(nanoseconds: e.event.duration).description)),
            ("time", .string(GoTime(unixNano: e.event.time).rfc3339Nano)),
            ("message", .string(e.event.message)),
            ("tags", .object(tags)),
            ("fields", .object(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
        ])
    }

    static func value(_ v: FieldValue) -> APIJSON {
        switch v {
        case .float(let d): return d.isFinite ? .double(d) : .null
        case .integer(let i): return .int(i)
        case .unsigned(let u): return .uint(u)
        case .string(let s): return .string(s)
        case .boolean(let b): return .bool(b)
        }
    }

    /// The newest events (all rules), newest first.
    private func recentEvents(_ request: HTTPRouteRequest) -> APIResponse {
        let limit: Int
        switch APIResponse.limit(request.query["limit"], default: AlertBoardState.recentKept, max: AlertBoardState.recentKept) {
        case .success(let n): limit = n
        case .failure(let e): return e
        }
        return APIResponse(200, .object([
            ("link", .link("self", request.uri)),
            ("events", .array(board.recent.prefix(limit).map { e in
                .object([
                    ("rule", .string(e.rule)),
                    ("id", .string(e.id)),
                    ("level", .string(e.level.description)),
                    ("previous-level", .string(e.previousLevel.description)),
                    ("time", .string(GoTime(unixNano: e.time).rfc3339Nano)),
                    ("message", .string(e.message)),
                ])
            })),
        ]))
    }
}
