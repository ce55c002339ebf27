import GoDuration
import GoTemplate
import LineProtocol

/// Runs points through alert rules, keeping each group's state: Kapacitor's alert node for many
/// tasks at once. Not thread-safe: feed it from one thread (points of one group in arrival order).
public final class RuleEngine {
    final class RuleRuntime {
        // Stored properties are laid out in declaration order. What every evaluation of a
        // threshold rule reads or writes comes first, so that it spans the object's first two
        // cache lines: with 1000 rules a point meets ten rules whose objects are mostly not in
        // the nearest caches, and each further line read costs a miss.
        /// The current batch was written where the rule does not read (``DestinationFilter``).
        @exclusivity(unchecked) var skipsBatch = false
        let hasFilter: Bool
        let hasSteps: Bool
        let hasDeadman: Bool
        let hasResets: Bool
        let stateChangesOnly: Bool
        /// The rule has inhibitors (`inhibit`), `noRecoveries`, a flapping check.
        let hasInhibitors: Bool
        let noRecoveries: Bool
        let hasFlapping: Bool
        /// Bit `l` set: the rule has a level `l` expression.
        let levelMask: UInt8
        /// The same for rules with the same `groupBy` (one engine): the point's key hash is shared
        /// between them (``PointShare``).
        let keyerID: Int32
        /// Points evaluated (``RuleStatistics/evaluations``, kept here: it is written per point).
        @exclusivity(unchecked) var evaluations: UInt64 = 0
        /// Evaluations since this rule's groups were last swept for idle ones: a sweep costs one
        /// step per group, so it waits for as many evaluations (linear work over any input).
        @exclusivity(unchecked) var sinceSweep = 0
        /// The latest point time this rule has evaluated: idleness is measured on the rule's own
        /// clock, so a source sending old timestamps cannot expire another source's groups.
        @exclusivity(unchecked) var latestTime = Int64.min
        /// Point time of the last sweep.
        @exclusivity(unchecked) var lastSweep = Int64.min
        // One thread owns the engine: skip the runtime's dynamic exclusivity checks on the hot path.
        @exclusivity(unchecked) var groups = GroupTable()
        let stateChangesOnlyResend: Int64
        /// The warning and critical expressions that are thresholds (``LevelThreshold``).
        let criticalThreshold: LevelThreshold?, warningThreshold: LevelThreshold?
        // Read on some evaluations only.
        /// The flapping limits; read only when `hasFlapping`.
        let flapping: (low: Double, high: Double)?
        let infoThreshold: LevelThreshold?
        /// The most groups this rule keeps.
        let maxGroups: Int
        /// The rule's history length and stateful function slots, which each new group is made with.
        let history: Int
        let functionSlots: Int
        let rule: AlertRule
        /// The counters but ``evaluations`` (see ``RuleEngine/statistics``).
        @exclusivity(unchecked) var stats = RuleStatistics()
        /// A deadman rule's next check (engine clock).
        @exclusivity(unchecked) var nextTick: Int64?
        /// The `where` expression's stateful functions: one state for the rule, as Kapacitor keeps
        /// one for its `from` node (not one per group).
        let filterState: LambdaState?
        /// One output buffer per step, shared by the rule's groups (see ``StepChain/run``).
        let stepOutputs: UnsafeMutablePointer<StepOutput>
        /// The rule's `groupBy`, ready to hash and compare points' keys.
        let keyer: GroupKeyer
        /// Group mode: whether what a restore needs of a group is its ``AlertState/changeMark``
        /// (no flapping, whose check reads the whole history; no steps, deadman or stateful
        /// functions, which change with every point): a point that leaves the mark as it was does
        /// not put the group in the changelog again.
        let changelogWatchesMark: Bool
        /// `fieldIDs` numbers the fields thresholds read, across the engine's rules.
        init(rule: AlertRule, maxGroups: Int, keyerID: Int32, fieldIDs: inout [String: Int32]) {
            self.rule = rule
            self.maxGroups = maxGroups
            self.keyerID = keyerID
            var mask: UInt8 = 0
            for (l, e) in rule.levels.enumerated() where e != nil { mask |= 1 << UInt8(l) }
            levelMask = mask
            func threshold(_ l: AlertLevel) -> LevelThreshold? {
                guard l.rawValue < rule.levels.count, let e = rule.levels[l.rawValue] else { return nil }
                return LevelThreshold(e.node) { name in
                    if let id = fieldIDs[name] { return id }
                    let id = Int32(fieldIDs.count)
                    fieldIDs[name] = id
                    return id
                }
            }
            infoThreshold = threshold(.info)
            warningThreshold = threshold(.warning)
            criticalThreshold = threshold(.critical)
            hasFilter = rule.filter != nil
            hasResets = rule.resets.contains { $0 != nil }
            hasDeadman = rule.deadman != nil
            hasSteps = !rule.steps.isEmpty
            hasInhibitors = !rule.inhibitors.isEmpty
            noRecoveries = rule.noRecoveries
            history = rule.history
            functionSlots = rule.functionSlots
            flapping = rule.flapping
            hasFlapping = rule.flapping != nil
            stateChangesOnly = rule.stateChangesOnly
            stateChangesOnlyResend = rule.stateChangesOnlyResend
            changelogWatchesMark = rule.flapping == nil && rule.steps.isEmpty && rule.deadman == nil && rule.functionSlots == 0
            keyer = GroupKeyer(rule.groupBy)
            filterState = LambdaState.forSlots(rule.filterSlots)
            stepOutputs = .allocate(capacity: rule.steps.count)
            stepOutputs.initialize(repeating: StepOutput(), count: rule.steps.count)
        }
        deinit {
            stepOutputs.deinitialize(count: rule.steps.count)
            stepOutputs.deallocate()
        }
    }

    private let byMeasurement: [String: [RuleRuntime]]
    private let everyMeasurement: [RuleRuntime]
    /// `everyMeasurement`, unretained (`runtimes` keeps them for the engine's life), for the hot path.
    private let everyMeasurementUnretained: [Unmanaged<RuleRuntime>]
    /// The rules of each measurement, for the hot path.
    private let index: MeasurementIndex
    var runtimes: [RuleRuntime] = []
    /// Kapacitor's `ServerInfo` for templates.
    public let serverInfo: TemplateValue
    /// `ServerInfo.Hostname`.
    public let hostname: String
    // Set before the engine runs, read on its thread: no dynamic exclusivity checks.
    /// Called with each expression or template error (rule id, message); the relay logs them.
    @exclusivity(unchecked) public var onError: ((String, String) -> Void)?
    /// Called with the rule id each time a point is refused because it would open a group beyond
    /// a limit (the relay logs these rate-limited; all are counted).
    @exclusivity(unchecked) public var onGroupRefused: ((String) -> Void)?
    /// The group limits and expiry.
    public let limits: GroupLimits
    // One thread owns the engine: no dynamic exclusivity checks on the counters read per point.
    /// Groups of all rules.
    @exclusivity(unchecked) public internal(set) var totalGroups = 0
    /// Refusals at the global limit since the last sweep of every rule (amortises those sweeps).
    @exclusivity(unchecked) private var refusedSinceGlobalSweep = 0
    /// The inhibitors the rules' non-OK groups hold (`inhibit`), and whether any rule has one.
    var inhibitions = InhibitionTable()
    private let inhibits: Bool
    /// The rules with a `dbrp`, `database` or `retentionPolicy` condition, and the destination
    /// their `skipsBatch` flags were last set for.
    private let destinationRules: [RuleRuntime]
    private var selectedDestination: PointDestination?
    /// Group mode (``RuleEngine+Changelog``): whether changes are tracked per owning partition,
    /// the owner of the batch being evaluated (-1: none), the owners seen, the groups changed and
    /// dropped since the last ``takeChanges()``.
    @exclusivity(unchecked) var tracksChanges = false
    @exclusivity(unchecked) var currentOwner: Int32 = -1
    var owners: [StateOwner] = []
    var ownerIndex: [StateOwner: Int32] = [:]
    var dirtyGroups: [(rule: RuleRuntime, state: AlertState)] = []
    var tombstones: [(owner: Int32, rule: String, group: String)] = []
    /// What the rules of the point being evaluated share (its key hash, its threshold field).
    @exclusivity(unchecked) var share = PointShare()
    /// The buffer events' default details are written in (engine thread only, reused per event).
    var renderBuffer = EventRenderBuffer()

    /// An engine for `rules`, keeping at most the groups `limits` allows.
    public init(rules: [AlertRule], hostname: String = "", limits: GroupLimits = .unlimited) {
        self.hostname = hostname
        self.limits = limits
        serverInfo = KapacitorContext.serverInfo(hostname: hostname)
        var byMeasurement: [String: [RuleRuntime]] = [:], everyMeasurement: [RuleRuntime] = []
        var groupBys: [GroupBy] = []
        var fieldIDs: [String: Int32] = [:]
        for r in rules {
            let keyerID = groupBys.firstIndex(of: r.groupBy) ?? groupBys.count
            if keyerID == groupBys.count { groupBys.append(r.groupBy) }
            let rt = RuleRuntime(rule: r, maxGroups: r.maxGroups ?? limits.maxGroupsPerRule, keyerID: Int32(keyerID), fieldIDs: &fieldIDs)
            runtimes.append(rt)
            if let m = r.measurement { byMeasurement[m, default: []].append(rt) } else { everyMeasurement.append(rt) }
        }
        self.byMeasurement = byMeasurement
        self.everyMeasurement = everyMeasurement
        everyMeasurementUnretained = everyMeasurement.map(Unmanaged.passUnretained)
        index = MeasurementIndex(byMeasurement)
        inhibits = rules.contains { !$0.inhibitors.isEmpty }
        destinationRules = runtimes.filter { !$0.rule.destinations.isEmpty }
    }

    /// Sets where the next points were written (a batch's database and retention policy): rules
    /// whose `dbrp`/`database`/`retentionPolicy` it does not match skip them. Once per batch, not
    /// per point; nil (`alertrelay test` without `--database`) reaches every rule.
    public func select(destination: PointDestination?) {
        guard !destinationRules.isEmpty, destination != selectedDestination else { return }
        selectedDestination = destination
        for rt in destinationRules { rt.skipsBatch = destination.map { !rt.rule.destinations.accepts($0) } ?? false }
    }

    /// The rules, in load order.
    public var rules: [AlertRule] { runtimes.map(\.rule) }

    /// Counters per rule id.
    public var statistics: [String: RuleStatistics] {
        var out: [String: RuleStatistics] = [:]
        for rt in runtimes {
            var s = rt.stats
            s.evaluations = rt.evaluations
            s.groups = rt.groups.count
            out[rt.rule.id] = s
        }
        return out
    }

    /// The state of `group` of rule `ruleID`, if the group has seen a point.
    public func state(rule ruleID: String, group: String) -> AlertState? {
        runtimes.first { $0.rule.id == ruleID }?.groups.state(forKey: group)
    }

    /// Moves the alert state of rules that exist in both engines (same id) into this one:
    /// a reload keeps the state of unchanged rules.
    public func adoptState(from other: RuleEngine) {
        for rt in runtimes {
            if let old = other.runtimes.first(where: { $0.rule.id == rt.rule.id }),
               old.rule.history == rt.rule.history, old.rule.functionSlots == rt.rule.functionSlots,
               old.rule.groupBy == rt.rule.groupBy {
                rt.groups = old.groups
                rt.stats = old.stats
                rt.evaluations = old.evaluations
                rt.latestTime = old.latestTime
                // Step states (window buffers) belong to the steps that made them: changed steps start afresh.
                if old.rule.steps.map(\.description) != rt.rule.steps.map(\.description) {
                    for g in rt.groups.all { g.steps = nil }
                }
                // Inhibitors belong to the rule: without them now, no group holds any.
                if !old.rule.inhibitors.isEmpty && rt.rule.inhibitors.isEmpty {
                    for g in rt.groups.all { g.inhibiting = false }
                }
            }
        }
        recountGroups()
        rebuildInhibitions()
        adoptChanges(from: other)
    }

    /// Registers again the inhibitors of every group that holds them (after groups were moved in
    /// or restored): with this engine's rules, whose inhibitors may have changed.
    func rebuildInhibitions() {
        inhibitions.removeAll()
        for rt in runtimes where !rt.rule.inhibitors.isEmpty {
            for g in rt.groups.all where g.inhibiting {
                for i in rt.rule.inhibitors { inhibitions.add(category: i.category, tags: i.tagSet(groupTags: g.groupTags)) }
            }
        }
    }

    /// Kapacitor's `triggered`: the group's inhibitors become active when it triggers at a non-OK
    /// level, inactive when it triggers at OK.
    func setInhibiting(_ rt: RuleRuntime, _ state: AlertState, _ p: UnsafePointer<Point>, _ on: Bool) {
        guard state.inhibiting != on else { return }
        if state.groupTags.isEmpty { state.groupTags = Self.groupTags(rt.rule.groupBy, p.pointee) }
        for i in rt.rule.inhibitors {
            let tags = i.tagSet(groupTags: state.groupTags)
            if on { inhibitions.add(category: i.category, tags: tags) } else { inhibitions.remove(category: i.category, tags: tags) }
        }
        state.inhibiting = on
    }

    /// Kapacitor's `handleEvent`: an event an active inhibitor matches is counted, not sent.
    func inhibited(_ rt: RuleRuntime, _ event: AlertEvent, explain: UnsafeMutablePointer<RuleExplanation>?) -> Bool {
        guard inhibits, inhibitions.isInhibited(category: rt.rule.category, tags: event.point.tags) else { return false }
        rt.stats.inhibited += 1
        explain?.pointee.suppressed = "inhibited: an active alert inhibits category \"\(rt.rule.category)\" for these tags"
        return true
    }

    /// Counts the groups of every rule again (after groups were moved in or restored).
    func recountGroups() { totalGroups = runtimes.reduce(0) { $0 + $1.groups.count } }

    /// Evaluates `point` against every rule of its measurement; `emit` receives each event.
    public func process(_ point: Point, emit: (AlertEvent) -> Void) {
        withUnsafePointer(to: point) { p in process(at: p, emit: emit) }
    }

    /// Evaluates a batch of points in order, reading each in place (no copies).
    public func process(_ points: [Point], emit: (AlertEvent) -> Void) {
        points.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            for i in 0..<buf.count { process(at: base + i, emit: emit) }
        }
    }

    @inline(__always)
    private func process(at p: UnsafePointer<Point>, emit: (AlertEvent) -> Void) {
        share.begin(p)
        defer { share.end() }
        // The runtimes are the engine's for its life: borrowed, not counted, per point.
        index.withRules(for: p) { entry in
            for rt in entry.pointee.rules { rt._withUnsafeGuaranteedRef { evaluate($0, p, explain: nil, emit: emit) } }
        }
        if !everyMeasurementUnretained.isEmpty {
            for rt in everyMeasurementUnretained { rt._withUnsafeGuaranteedRef { evaluate($0, p, explain: nil, emit: emit) } }
        }
    }

    /// As ``process(_:emit:)``, also reporting what each matching rule did.
    public func process(_ point: Point, explain: (RuleExplanation) -> Void, emit: (AlertEvent) -> Void) {
        var matching = byMeasurement[point.measurement] ?? []  // explain mode: clarity over speed
        matching += everyMeasurement
        for rt in matching {
            var x = RuleExplanation(ruleID: rt.rule.id)
            withUnsafePointer(to: point) { p in evaluate(rt, p, explain: &x, emit: emit) }
            explain(x)
        }
    }

    /// Kapacitor's group id: `k=v,k2=v2` over the group-by tags, `nil` without groupBy.
    public static func groupKey(_ groupBy: GroupBy, _ point: Point) -> String {
        switch groupBy {
        case .none: return "nil"
        case .all:
            var s = ""
            var first = true
            for t in point.tags {
                if !first { s += "," }
                first = false
                s += t.key
                s += "="
                s += t.value
            }
            return s
        case .tags(let names):
            var s = ""
            var first = true
            for n in names {
                if !first { s += "," }
                first = false
                s += n
                s += "="
                if let v = point.tag(n) { s += v }
            }
            return s
        }
    }

    func fail(_ rt: RuleRuntime, _ message: String) {
        rt.stats.lastError = message
        onError?(rt.rule.id, message)
    }

    private func evaluate(_ rt: RuleRuntime, _ p: UnsafePointer<Point>, explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        if rt.skipsBatch { return }
        rt.evaluations &+= 1
        if rt.hasFilter, let filter = rt.rule.filter {
            do throws(LambdaError) {
                let pass = try filter.evaluateBool(point: p, state: rt.filterState)
                explain?.pointee.filter = .success(pass)
                if !pass { rt.stats.filteredOut += 1; return }
            } catch {
                rt.stats.expressionErrors += 1
                explain?.pointee.filter = .failure(error)
                fail(rt, "where: \(error.message)")
                return
            }
        }
        let time = p.pointee.time
        if time > rt.latestTime { rt.latestTime = time }
        rt.sinceSweep &+= 1
        guard let found = group(rt, p) else {
            rt.stats.groupsRefused += 1
            explain?.pointee.suppressed = "refused: a new group would exceed the group limit (\(totalGroups >= limits.maxGroups ? "max-groups \(limits.maxGroups)" : "maxGroups \(rt.maxGroups) of the rule"))"
            onGroupRefused?(rt.rule.id)
            return
        }
        // Borrowed, not counted: the rule's group table keeps the group.
        found._withUnsafeGuaranteedRef { evaluate(rt, $0, p, explain: explain, emit: emit) }
    }

    /// The rest of ``evaluate(_:_:explain:emit:)`` once the point's group is found: the point
    /// through the rule's steps (if any) and the alert. `state` is borrowed from the group table;
    /// a sweep here may drop it from the table, so one first takes a reference that `keepAlive`
    /// holds to the end (the point still goes through the group, as before it was dropped).
    private func evaluate(_ rt: RuleRuntime, _ state: AlertState, _ p: UnsafePointer<Point>,
                          explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        let time = p.pointee.time
        var keepAlive: AlertState?
        defer { withExtendedLifetime(keepAlive) {} }
        // Seen before the sweep: a group made for this very point must not look idle to it.
        state.lastSeen = max(state.lastSeen, time)
        if limits.expiry > 0 && rt.sinceSweep >= rt.groups.count && (rt.lastSweep == .min || rt.latestTime &- rt.lastSweep >= limits.expiry / 2) {
            keepAlive = state
            sweep(rt)
        }
        // Group mode: the group goes to the changelog when the point changes it. A new group (no
        // owner yet) always does; one whose mark is all a restore needs only if the mark moves.
        let watchMark = tracksChanges && rt.changelogWatchesMark && state.owner >= 0 && !state.dirty
        if tracksChanges && !watchMark { noteChange(rt, state, adopting: true) }
        explain?.pointee.group = state.group
        if rt.hasDeadman && state.deadmanEmitted == 0 && state.deadmanLastTick == nil {
            state.groupTags = Self.groupTags(rt.rule.groupBy, p.pointee)
        }
        if !rt.hasSteps {
            if watchMark {
                let before = state.changeMark
                alertStage(rt, state, p, explain: explain, emit: emit)
                if state.changeMark != before { noteChange(rt, state, adopting: true) }
            } else {
                alertStage(rt, state, p, explain: explain, emit: emit)
            }
            return
        }
        if state.steps == nil {
            state.groupTags = Self.groupTags(rt.rule.groupBy, p.pointee)
            state.steps = StepChain.make(rt.rule.steps, groupTags: state.groupTags)!
        }
        state.unretainedSteps!._withUnsafeGuaranteedRef { chain in runSteps(chain, rt, state, p, explain: explain, emit: emit) }
    }

    /// The point through the group's chain; what comes out goes to the alert (or the deadman's count).
    @inline(__always)
    private func runSteps(_ chain: StepChain, _ rt: RuleRuntime, _ state: AlertState, _ p: UnsafePointer<Point>,
                          explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        let rule = rt.rule
        func sink(_ out: UnsafePointer<Point>) {
            explain?.pointee.stepOutputs.append(out.pointee)
            alertStage(rt, state, out, explain: explain, emit: emit)
        }
        func batchSink(_ batch: StepBatch) {
            explain?.pointee.stepOutputs += batch.points
            if rule.deadman != nil {
                state.deadmanEmitted += Int64(batch.points.count)
            } else {
                alertBatch(rt, state, batch, explain: explain, emit: emit)
            }
        }
        func fail(_ message: String) {
            rt.stats.expressionErrors += 1
            explain?.pointee.stepErrors.append(message)
            self.fail(rt, message)
        }
        if let window = state.unretainedWindow {
            // A window first: fed directly (a static call), the chain read only for what it emits.
            let outputs = rt.stepOutputs
            window._withUnsafeGuaranteedRef { $0.process(at: p, &outputs.pointee) }
            if !outputs.pointee.isEmpty { chain.deliver(outputs, sink: sink, batchSink: batchSink, fail: fail) }
        } else {
            chain.run(p, rt.stepOutputs, sink: sink, batchSink: batchSink, fail: fail)
        }
        explain?.pointee.stepsBuffered = chain.bufferedPoints
    }

    /// The group's tags as Kapacitor's `GroupInfo.Tags`: the group-by tags' values (empty when the
    /// point lacks one), every tag for `groupBy: '*'`, none without grouping.
    static func groupTags(_ groupBy: GroupBy, _ point: Point) -> [Tag] {
        switch groupBy {
        case .none: return []
        case .all: return Array(point.tags)
        case .tags(let names): return names.map { Tag(key: $0, value: point.tag($0) ?? "") }
        }
    }

    /// What reaches the end of the chain: evaluated by the alert, or counted by a deadman.
    @inline(__always)
    private func alertStage(_ rt: RuleRuntime, _ state: AlertState, _ p: UnsafePointer<Point>,
                            explain: UnsafeMutablePointer<RuleExplanation>?, emit: (AlertEvent) -> Void) {
        if rt.hasDeadman {
            state.deadmanEmitted += 1
            explain?.pointee.suppressed = "deadman: counted (\(state.deadmanEmitted) points so far); checked every interval"
            return
        }
        alert(rt, state, p, explain: explain, emit: emit)
    }

    /// Whether any rule runs on the engine's clock (a deadman).
    public var hasClockedRules: Bool { clocked }
    private lazy var clocked = runtimes.contains { $0.rule.deadman != nil }

    /// The point's group, opened if the limits allow; nil when refused. At a limit, idle OK groups
    /// are swept first — of this rule, or of every rule at the global limit — each sweep at most
    /// once per as many evaluations (or refusals) as there are groups to look at.
    @inline(__always)
    private func group(_ rt: RuleRuntime, _ p: UnsafePointer<Point>) -> Unmanaged<AlertState>? {
        var created = false
        // The key hash once per point and `groupBy`, shared by the point's rules; so is the key
        // a group was found under (``PointShare``).
        let shared = share.matches(p)
        var h: UInt64 = 0
        var known: String?
        if case .none = rt.keyer.groupBy {
        } else if shared && share.keyerID == rt.keyerID {
            h = share.hash
            known = share.matchedKey
        } else {
            h = rt.keyer.hash(p)
            if shared {
                share.keyerID = rt.keyerID
                share.hash = h
                share.matchedKey = nil
            }
        }
        if let s = rt.groups.state(for: p, keyer: rt.keyer, hash: h, matchedKey: known, history: rt.history, functionSlots: rt.functionSlots,
                                   allowNew: rt.groups.count < rt.maxGroups && totalGroups < limits.maxGroups, created: &created) {
            if created { totalGroups += 1 }
            if shared && known == nil && share.keyerID == rt.keyerID { share.matchedKey = s._withUnsafeGuaranteedRef { $0.group } }
            return s
        }
        guard limits.expiry > 0 else { return nil }
        if rt.groups.count >= rt.maxGroups {
            guard rt.sinceSweep >= rt.groups.count else { return nil }
            sweep(rt)
        } else {
            refusedSinceGlobalSweep += 1
            guard refusedSinceGlobalSweep >= totalGroups else { return nil }
            refusedSinceGlobalSweep = 0
            for other in runtimes { sweep(other) }
        }
        let s = rt.groups.state(for: p, keyer: rt.keyer, hash: h, matchedKey: known, history: rt.history, functionSlots: rt.functionSlots,
                                allowNew: rt.groups.count < rt.maxGroups && totalGroups < limits.maxGroups, created: &created)
        if created { totalGroups += 1 }
        return s
    }

    /// Drops the rule's groups that are OK and have seen no point for the expiry.
    private func sweep(_ rt: RuleRuntime) {
        rt.sinceSweep = 0
        rt.lastSweep = rt.latestTime
        let removed = rt.groups.removeIdle(before: rt.latestTime &- limits.expiry,
                                           removed: tracksChanges ? { [unowned self] in noteRemoval(rt, $0) } : nil)
        totalGroups -= removed
        rt.stats.groupsExpired += UInt64(removed)
    }
}
