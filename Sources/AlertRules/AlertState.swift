import LineProtocol

/// The alert state of one group of one rule: Kapacitor's `alertState` (`alert.go`), field for field.
///
/// History is a ring of the last `history` levels; `changed` compares each new level with the one
/// before; flapping uses Kapacitor's weighted percentage of changes; `duration` runs from the
/// first trigger after OK to the last trigger.
public final class AlertState {
    // Stored properties are laid out in declaration order: what every point of a rule without
    // steps reads or writes comes first and fills the object's first cache line (16 bytes of
    // header, then 48 bytes), so that a point's evaluation touches that line and its history.
    /// The group's key (`host=a,cpu=cpu0`, or `nil`).
    public let group: String
    /// Point time of the newest point the group saw (for the group expiry).
    @exclusivity(unchecked) public internal(set) var lastSeen = Int64.min
    /// The ring of the last `ringCount` levels, allocated by this object and freed by its
    /// `deinit`: written on every point, with no array's uniqueness check or bounds check.
    private let ring: UnsafeMutablePointer<AlertLevel>
    private let ringCount: Int32
    /// Where the current level is in the ring.
    @exclusivity(unchecked) private var ringIndex: Int32 = 0
    /// Whether the last point changed the level.
    @exclusivity(unchecked) public private(set) var changed = false
    /// Whether the `stateChangesOnly` resend interval has elapsed.
    @exclusivity(unchecked) public private(set) var expired = false
    /// Whether the group is flapping (events suppressed).
    @exclusivity(unchecked) public private(set) var flapping = false
    /// Whether the rule's inhibitors are active for this group: set at each trigger to the level
    /// being non-OK (Kapacitor's `triggered`).
    @exclusivity(unchecked) var inhibiting = false
    /// Group mode: the engine's index of the input partition that owns the group (the one its
    /// first point came from; see ``StateOwner``), -1 for none (sidecar mode).
    @exclusivity(unchecked) var owner: Int32 = -1
    /// Group mode: changed since the owner's changelog last got the group (it is in the engine's
    /// dirty list once).
    @exclusivity(unchecked) var dirty = false
    /// Running state of the rule's stateful functions for this group.
    public let functions: LambdaState?
    /// Nanoseconds of the first trigger since the last OK.
    @exclusivity(unchecked) public internal(set) var firstTriggered: Int64 = 0
    /// Nanoseconds of the last trigger.
    @exclusivity(unchecked) public internal(set) var lastTriggered: Int64 = 0
    /// The group's state of the rule's steps (windows, derivatives, ...), made at its first point.
    var steps: StepChain? {
        get { unretainedSteps?.takeUnretainedValue() }
        set {
            if let newValue { _ = Unmanaged.passRetained(newValue) }
            unretainedSteps?.release()
            unretainedSteps = newValue.map(Unmanaged.passUnretained)
            unretainedWindow = (newValue?.state as? WindowedAggregateState).map(Unmanaged.passUnretained)
        }
    }
    /// `steps`, held by one reference this object counts itself (taken and dropped by `steps`'s
    /// setter and `deinit`), so that the engine runs the chain on every point borrowed, with no
    /// reference counting, and a group without steps pays for one field.
    @exclusivity(unchecked) private(set) var unretainedSteps: Unmanaged<StepChain>?
    /// The first step's state when it is a window (the usual chain), unretained: the engine feeds
    /// it directly, without reading the chain's node, which it needs only for what the window emits.
    @exclusivity(unchecked) private(set) var unretainedWindow: Unmanaged<WindowedAggregateState>?
    /// The group's tags (Kapacitor's `GroupInfo.Tags`), kept for the points a deadman makes and
    /// the tag sets the group's inhibitors hold.
    @exclusivity(unchecked) var groupTags: [Tag] = []
    /// Deadman: points that reached the alert so far, and the count and time at the last tick.
    @exclusivity(unchecked) var deadmanEmitted: Int64 = 0
    @exclusivity(unchecked) var deadmanLastTick: (emitted: Int64, time: Int64)?
    /// The group's row in the rule's `httpOut` after the alert (made at its first event).
    var httpOutSlot: HTTPOutTable.Slot?
    /// Group mode: the last event it raised while firing (nil once it recovered), for the topic
    /// levels and the firing list that follow the group to the partition's next owner.
    var lastEvent: LastAlertEvent?

    deinit {
        unretainedSteps?.release()
        ring.deinitialize(count: Int(ringCount))
        ring.deallocate()
    }

    /// A fresh state: all history OK. `history` is clamped to 2...``AlertRule/maxHistory``.
    public init(history: Int, functionSlots: Int, group: String = "nil") {
        let count = min(max(history, 2), AlertRule.maxHistory)
        ring = .allocate(capacity: count)
        ring.initialize(repeating: .ok, count: count)
        ringCount = Int32(count)
        functions = LambdaState.forSlots(functionSlots)
        self.group = group
    }

    /// The ring's levels in storage order (``index`` is the current one); set only with as many.
    var history: [AlertLevel] {
        get { Array(UnsafeBufferPointer(start: ring, count: Int(ringCount))) }
        set {
            precondition(newValue.count == Int(ringCount), "a history of \(ringCount) levels")
            for (i, l) in newValue.enumerated() { ring[i] = l }
        }
    }

    /// Where the current level is in ``history``.
    var index: Int {
        get { Int(ringIndex) }
        set {
            precondition(newValue >= 0 && newValue < Int(ringCount), "an index into the history")
            ringIndex = Int32(newValue)
        }
    }

    func restoreFlags(flapping: Bool, changed: Bool, expired: Bool) {
        self.flapping = flapping
        self.changed = changed
        self.expired = expired
    }

    /// The current level.
    public var currentLevel: AlertLevel { ring[Int(ringIndex)] }

    /// The levels in the ring, oldest first.
    public var levels: [AlertLevel] {
        let h = history, i = index
        return Array(h[(i + 1)...] + h[...i])
    }

    /// The level before the current one.
    private var previousLevel: AlertLevel { ring[Int(ringIndex == 0 ? ringCount - 1 : ringIndex - 1)] }

    /// `alertState.addEvent`: record `level` at time `t`.
    func addEvent(_ t: Int64, _ level: AlertLevel, flapping limits: (low: Double, high: Double)?, stateChangesOnly resend: Int64) {
        changed = ring[Int(ringIndex)] != level
        ringIndex = ringIndex + 1 == ringCount ? 0 : ringIndex + 1
        ring[Int(ringIndex)] = level
        if let limits {
            let p = percentChange()
            if flapping && p < limits.low {
                flapping = false
            } else if !flapping && p > limits.high {
                flapping = true
            }
        }
        expired = !changed && resend != 0 && t &- lastTriggered >= resend
    }

    /// What a point can change of the state that a restore needs when the rule has no flapping
    /// check, steps, deadman or stateful functions (``RuleEngine``'s group mode): the last two
    /// levels (the level, and whether the next trigger starts a duration), `changed`, the trigger
    /// times and the inhibitors. A point that leaves it as it was (the same level again, no event)
    /// changes only the older history, read by nothing but the flapping check, and `lastSeen`.
    var changeMark: ChangeMark {
        ChangeMark(level: currentLevel, previous: previousLevel, changed: changed, inhibiting: inhibiting,
                          firstTriggered: firstTriggered, lastTriggered: lastTriggered)
    }

    /// See ``changeMark``.
    struct ChangeMark: Equatable {
        var level: AlertLevel
        var previous: AlertLevel
        var changed: Bool
        var inhibiting: Bool
        var firstTriggered: Int64
        var lastTriggered: Int64
    }

    /// `alertState.triggered`.
    func triggered(_ t: Int64) {
        lastTriggered = t
        if previousLevel == .ok { firstTriggered = t }
    }

    /// `alertState.duration`.
    var duration: Int64 { lastTriggered &- firstTriggered }

    /// Kapacitor's weighted share of level changes in the history: the newest change weighs
    /// 1.5 times the oldest, the weights topping at 1.2.
    public func percentChange() -> Double {
        let l = Int(ringCount), index = Int(ringIndex)
        let maxWeight = 1.2, weightDiff = 1.5
        var changes = 0.0
        var weight = maxWeight / weightDiff
        let step = (maxWeight - weight) / Double(l - 1)
        for i in 0..<(l - 1) {
            let c = (i + index) % l
            var p = c - 1
            if p < 0 { p = l - 1 }
            if ring[c] != ring[p] { changes += weight }
            weight += step
        }
        return changes / Double(l - 1)
    }

    /// Restores a level after a restart (Kapacitor's `restoreEventState`): one history entry and
    /// the trigger time.
    public func restore(level: AlertLevel, at t: Int64, triggeredAt first: Int64) {
        guard level != .ok else { return }
        addEvent(t, level, flapping: nil, stateChangesOnly: 0)
        firstTriggered = first
        lastTriggered = first
    }
}
