import GoDuration
import GoTemplate

/// The data Kapacitor's alert node gives its templates: `idInfo` for the alert ID template,
/// `messageInfo` for the message template and `detailsInfo` for details (Kapacitor 1.5 `alert.go`).
public enum KapacitorContext {
    /// What a template kind renders against.
    public enum Kind: String, Sendable {
        /// The alert ID template: `Name, TaskName, Group, Tags, ServerInfo`.
        case alertID = "alert_id"
        /// The message template: the ID context plus `ID, Fields, Level, Time, Duration`.
        case alert
        /// The details template: the message context plus `Message`.
        case alertDetails = "alert_details"
    }

    /// `{Hostname, ClusterID, ServerID}`.
    public static func serverInfo(hostname: String = "", clusterID: String = "", serverID: String = "") -> TemplateValue {
        .object(TemplateObject(typeName: "alert.ServerInfo", orderedFields: [
            ("Hostname", .string(hostname)), ("ClusterID", .string(clusterID)), ("ServerID", .string(serverID)),
        ]))
    }

    /// The ID context.
    public static func id(name: String, taskName: String, group: String, tags: [String: String]?, serverInfo: TemplateValue) -> TemplateValue {
        .object(TemplateObject(typeName: "alert.idInfo", orderedFields: [
            ("Name", .string(name)), ("TaskName", .string(taskName)), ("Group", .string(group)),
            ("Tags", tags.map { .stringMap($0) } ?? .nilMap(stringValues: true)), ("ServerInfo", serverInfo),
        ]))
    }

    /// The message context (`idInfo` embedded).
    public static func message(id: TemplateValue, alertID: String, fields: [String: TemplateValue]?, level: String,
                               time: GoTime, duration: GoDuration) -> TemplateValue {
        .object(TemplateObject(typeName: "alert.messageInfo", orderedFields: [
            ("idInfo", id), ("ID", .string(alertID)), ("Fields", fields.map { .map($0) } ?? .nilMap(stringValues: false)),
            ("Level", .string(level)), ("Time", .time(time)), ("Duration", .duration(duration)),
        ], embedded: ["idInfo"]))
    }

    /// The details context (`messageInfo` embedded).
    public static func details(message: TemplateValue, text: String) -> TemplateValue {
        .object(TemplateObject(typeName: "alert.detailsInfo", orderedFields: [
            ("messageInfo", message), ("Message", .string(text)),
        ], embedded: ["messageInfo"]))
    }

    /// Builds the context of `kind` from JSON-shaped data (missing fields take Go's zero values):
    /// `{"Name","TaskName","Group","Tags":{…},"ServerInfo":{…},"ID","Fields":{…},"Level",
    /// "Time":"RFC3339"|ns|{"$time":…},"Duration":"1m30s"|ns|{"$duration":…},"Message"}`. Times are
    /// taken to UTC, as Kapacitor's point times are.
    public static func build(_ kind: Kind, from data: TemplateValue) throws(TemplateDataError) -> TemplateValue {
        var m: [String: TemplateValue] = [:]
        switch data {
        case .map(let x): m = x
        case .null, .missing: break
        default: throw TemplateDataError(description: "the data of an alert kind must be a JSON object")
        }
        func string(_ key: String) throws(TemplateDataError) -> String {
            switch m[key] {
            case nil, .null?: return ""
            case .string(let s)?: return s
            default: throw TemplateDataError(description: "\(key) must be a string")
            }
        }
        var tags: [String: String]?
        switch m["Tags"] {
        case nil, .null?: tags = nil
        case .stringMap(let t)?: tags = t
        case .map(let t)?:
            var out: [String: String] = [:]
            for (k, v) in t {
                guard case .string(let s) = v else { throw TemplateDataError(description: "Tags values must be strings") }
                out[k] = s
            }
            tags = out
        default: throw TemplateDataError(description: "Tags must be an object of strings")
        }
        var server = serverInfo()
        if case .map(let s)? = m["ServerInfo"] {
            func field(_ k: String) -> String { if case .string(let v)? = s[k] { return v } else { return "" } }
            server = serverInfo(hostname: field("Hostname"), clusterID: field("ClusterID"), serverID: field("ServerID"))
        }
        let idContext = id(name: try string("Name"), taskName: try string("TaskName"), group: try string("Group"), tags: tags, serverInfo: server)
        if kind == .alertID { return idContext }
        var fields: [String: TemplateValue]?
        switch m["Fields"] {
        case nil, .null?: fields = nil
        case .map(let f)?: fields = f
        default: throw TemplateDataError(description: "Fields must be an object")
        }
        var time = GoTime.zero
        switch m["Time"] {
        case nil, .null?: break
        case .time(let t)?: time = t.inUTC  // Kapacitor's alert times are its points' times, in UTC
        case .int64(let ns)?: time = GoTime(unixNano: ns)
        case .string(let s)?:
            guard let t = GoTime(rfc3339: s) else { throw TemplateDataError(description: "Time \"\(s)\" is not RFC3339") }
            time = t.inUTC
        default: throw TemplateDataError(description: "Time must be RFC3339 text or nanoseconds")
        }
        var duration = GoDuration.zero
        switch m["Duration"] {
        case nil, .null?: break
        case .duration(let d)?: duration = d
        case .int64(let ns)?: duration = GoDuration(nanoseconds: ns)
        case .string(let s)?:
            do { duration = try GoDuration(parsing: s) } catch { throw TemplateDataError(description: "Duration: \(error)") }
        default: throw TemplateDataError(description: "Duration must be Go duration text or nanoseconds")
        }
        let messageContext = message(id: idContext, alertID: try string("ID"), fields: fields, level: try string("Level"),
                                     time: time, duration: duration)
        if kind == .alert { return messageContext }
        return details(message: messageContext, text: try string("Message"))
    }
}
