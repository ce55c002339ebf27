import GoTemplate

/// How a rule groups points into alert groups (Kapacitor's `groupBy`).
public enum GroupBy: Sendable, Equatable {
    /// One group for all points (`nil`).
    case none
    /// Group by these tags, sorted by name as Kapacitor sorts them.
    case tags([String])
    /// `groupBy: '*'`: every tag of the point.
    case all
}

/// Where a rule or handler was defined, for messages that point at it.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// What a handler does with an event.
public enum HandlerAction: Sendable {
    /// Send to Kafka: `.kafka()` / `kind: kafka`.
    case kafka(KafkaHandlerOptions)
    /// Append the alert JSON to a file: `.log()` / `kind: log`.
    case log(LogHandlerOptions)
    /// POST the alert JSON (or an endpoint's template) over HTTP: `.post()` / `kind: post`.
    case post(PostHandlerOptions)
    /// Write the alert JSON as a line to a TCP address: `.tcp()` / `kind: tcp`.
    case tcp(TCPHandlerOptions)
}

/// Options of a Kafka handler, as Kapacitor's `kafka.HandlerConfig`.
public struct KafkaHandlerOptions: Sendable {
    /// The `[[kafka]]` id (resolved: never empty).
    public var cluster: String
    /// The Kafka topic.
    public var topic: String
    /// The body template's text, or empty for Kapacitor's alert JSON.
    public var templateText: String
    /// The compiled body template.
    public var template: Template?
    /// `disablePartitionById` and `partitionAlgorithm`, combined.
    public var partitioning: HandlerPartitioning
}

/// Options of a log handler (Kapacitor's `log` handler: `path`, `mode`).
public struct LogHandlerOptions: Sendable {
    /// The file the alert JSON lines are appended to.
    public var path: String
    /// The file's permission bits when it is created (default 0600).
    public var mode: Int
}

/// A handler: inline on a rule (`kafka:` / `log:`) or from a handler file subscribed to a topic.
public struct AlertHandler: Sendable {
    /// The handler's id (`id:` of a handler file; `<rule>:kafka:N` for inline handlers).
    public var id: String
    /// The topic it subscribes to (nil for inline handlers: they see their rule's events only).
    public var topic: String?
    /// `match:`: events for which this is false are skipped.
    public var match: LambdaExpression?
    /// What it does.
    public var action: HandlerAction
    /// Where it was defined.
    public var location: SourceLocation
}

/// A compiled alert rule: what one Kapacitor `stream|from()|alert()` task does.
public final class AlertRule: Sendable {
    /// The rule id (Kapacitor's task name): `TaskName` in templates.
    public let id: String
    /// The measurement it reads; nil for every measurement.
    public let measurement: String?
    /// `where`: a filter applied before anything else.
    public let filter: LambdaExpression?
    /// `groupBy`.
    public let groupBy: GroupBy
    /// Level expressions indexed by `AlertLevel.rawValue` (index 0, OK, is always nil).
    public let levels: [LambdaExpression?]
    /// Reset expressions indexed by level.
    public let resets: [LambdaExpression?]
    /// `alertId`, `message` and `details` templates (text, text, html).
    public let idTemplate: Template
    public let messageTemplate: Template
    public let detailsTemplate: Template
    /// `stateChangesOnly`, and the resend interval in ns (0: never resend).
    public let stateChangesOnly: Bool
    public let stateChangesOnlyResend: Int64
    /// `noRecoveries`.
    public let noRecoveries: Bool
    /// `flapping: {low, high}`.
    public let flapping: (low: Double, high: Double)?
    /// `history`.
    public let history: Int
    /// `category`.
    public let category: String
    /// `topic`: the named topic the rule publishes to.
    public let topic: String?
    /// Inline handlers (`kafka:`, `log:`).
    public let handlers: [AlertHandler]
    /// Number of stateful-function slots each group needs.
    public let functionSlots: Int
    /// Where the rule was defined.
    public let location: SourceLocation
    /// The rule's text form of each level expression, for explanations.
    public let levelTexts: [String?]
    /// `maxGroups`: the most groups this rule keeps (nil: the relay's `max-groups-per-rule`).
    public let maxGroups: Int?
    /// The steps between `from` and `alert` (window + aggregate, transforms), in order.
    public let steps: [any RuleStep]
    /// Stateful-function slots of the `where` expression (one state per rule).
    public let filterSlots: Int
    /// `deadman`: the rule alerts on the rate of points instead of their values.
    public let deadman: DeadmanSpec?
    /// `all` (Kapacitor's `.all()`): a batch takes the lowest level of its points, not the highest.
    public let all: Bool
    /// What the alert adds to the points it emits (`idField`, `idTag`, `levelField`, `levelTag`,
    /// `messageField`, `durationField`).
    public let output: AlertOutputProperties
    /// `inhibit`: what the rule's non-OK groups hold back of other alerts.
    public let inhibitors: [AlertInhibitor]
    /// `httpOut` after the alert: the points the alert emits (with its output properties), per group.
    public let httpOut: HTTPOutTable?
    /// `dbrp`, `database`, `retentionPolicy`: which points reach the rule at all.
    public let destinations: DestinationFilter
    /// Which templates are Kapacitor's defaults (rendered without the template engine).
    let defaultTemplates: (id: Bool, message: Bool, details: Bool)

    init(id: String, measurement: String?, filter: LambdaExpression?, groupBy: GroupBy, levels: [LambdaExpression?],
         resets: [LambdaExpression?], idTemplate: Template, messageTemplate: Template, detailsTemplate: Template,
         stateChangesOnly: Bool, stateChangesOnlyResend: Int64, noRecoveries: Bool, flapping: (low: Double, high: Double)?,
         history: Int, category: String, topic: String?, handlers: [AlertHandler], functionSlots: Int,
         location: SourceLocation, levelTexts: [String?], maxGroups: Int? = nil, steps: [any RuleStep] = [], filterSlots: Int = 0,
         deadman: DeadmanSpec? = nil, all: Bool = false, output: AlertOutputProperties = AlertOutputProperties(),
         inhibitors: [AlertInhibitor] = [], httpOut: HTTPOutTable? = nil, destinations: DestinationFilter = DestinationFilter()) {
        self.id = id
        self.measurement = measurement
        self.filter = filter
        self.groupBy = groupBy
        self.levels = levels
        self.resets = resets
        self.idTemplate = idTemplate
        self.messageTemplate = messageTemplate
        self.detailsTemplate = detailsTemplate
        self.stateChangesOnly = stateChangesOnly
        self.stateChangesOnlyResend = stateChangesOnlyResend
        self.noRecoveries = noRecoveries
        self.flapping = flapping
        self.history = history
        self.category = category
        self.topic = topic
        self.handlers = handlers
        self.functionSlots = functionSlots
        self.location = location
        self.levelTexts = levelTexts
        self.maxGroups = maxGroups
        self.steps = steps
        self.filterSlots = filterSlots
        self.deadman = deadman
        self.all = all
        self.output = output
        self.inhibitors = inhibitors
        self.httpOut = httpOut
        self.destinations = destinations
        defaultTemplates = (Self.isDefault(idTemplate.text, AlertRule.defaultIDTemplate),
                            Self.isDefault(messageTemplate.text, AlertRule.defaultMessageTemplate),
                            Self.isDefault(detailsTemplate.text, AlertRule.defaultDetailsTemplate))
    }

    /// Every `httpOut` of the rule: in its chain, then after its alert.
    public var httpOutTables: [HTTPOutTable] {
        steps.compactMap { ($0 as? HTTPOutStep)?.table } + (httpOut.map { [$0] } ?? [])
    }

    static func isDefault(_ text: String, _ def: String) -> Bool { text == def }

    /// Kapacitor's defaults.
    public static let defaultIDTemplate = "{{ .Name }}:{{ .Group }}"
    public static let defaultMessageTemplate = "{{ .ID }} is {{ .Level }}"
    public static let defaultDetailsTemplate = "{{ json . }}"
    public static let defaultHistory = 21
    /// The longest `history` a rule may keep: every group holds that many levels, so the rule
    /// file bounds the memory each new group costs.
    public static let maxHistory = 100_000
}
