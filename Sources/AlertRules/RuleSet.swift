/// Rules and handlers loaded from files, checked against each other and the Kafka clusters.
public struct RuleSet: Sendable {
    public var rules: [AlertRule]
    public var handlers: [AlertHandler]
    public var ruleFiles: [String]
    public var handlerFiles: [String]
    public init(rules: [AlertRule] = [], handlers: [AlertHandler] = [], ruleFiles: [String] = [], handlerFiles: [String] = []) {
        self.rules = rules
        self.handlers = handlers
        self.ruleFiles = ruleFiles
        self.handlerFiles = handlerFiles
    }
}
