import LineProtocol

/// What one rule made of one point: the answer to "why didn't my alert fire?".
public struct RuleExplanation: Sendable {
    /// One level or reset expression and what it gave.
    public struct Evaluation: Sendable {
        public var level: AlertLevel
        public var reset: Bool
        public var expression: String
        /// `true`/`false`, or the error.
        public var result: Result<Bool, LambdaError>
    }
    public var ruleID: String
    /// The `where` filter's result (nil without filter).
    public var filter: Result<Bool, LambdaError>?
    public var group: String?
    public var evaluations: [Evaluation] = []
    public var level: AlertLevel?
    /// Why no event was sent, when none was.
    public var suppressed: String?
    public var event: Bool = false
    /// What the rule's steps emitted for this point (each reached the alert), in order.
    public var stepOutputs: [Point] = []
    /// Errors the steps reported (the point went no further).
    public var stepErrors: [String] = []
    /// Points the group's steps hold after this point (nil: the rule has no steps).
    public var stepsBuffered: Int?
}
