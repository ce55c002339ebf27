/// One systemd watchdog period's verdict on the rule engine: alive when its thread turned since
/// the previous verdict, or is in one of its bounded waits for Kafka or spool room (see
/// ``EngineLiveness``). The caller wakes the engine at the start of each period, so an idle
/// engine turns too; a period with neither is a stuck engine.
struct EngineWatchdog {
    private let liveness: EngineLiveness
    private var last: UInt64

    init(_ liveness: EngineLiveness) {
        self.liveness = liveness
        last = liveness.state.turns
    }

    /// Whether the engine showed life since the last call (or since init).
    mutating func engineAlive() -> Bool {
        let now = liveness.state
        defer { last = now.turns }
        return now.turns != last || now.waitingForRoom
    }
}
