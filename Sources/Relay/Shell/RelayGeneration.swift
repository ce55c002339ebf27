/// One applied configuration: what the files said at the last successful start or reload, with
/// the producers and listeners built for it. A reload builds the next generation from this one —
/// never from what the engine thread happens to be using — so two reloads in a row cannot bring
/// back outputs the first one retired.
struct RelayGeneration: Sendable {
    /// The configuration, rules and handlers.
    var loaded: LoadedRelay
    /// The Kafka producers and delivery bookkeeping the engine sends through.
    var outputs: RelayPipeline.Outputs
    /// The bound listeners.
    var listeners: [RunningListener]
}
