import AlertRules
import Ingest
import Locking

/// Group mode on the engine thread: the changelog writers of the running `[[kafka-consumer]]`s
/// by the input topics each reads (one consumer per topic: `check` refuses two), and per writer
/// the partitions with batches since its last flush and when that was. A consumer registers its
/// writer before it starts and unregisters it once stopped (``RelayPipeline/registerChangelog(_:topics:)``),
/// so a reload that adds, changes or removes a section brings or retires its changelog.
/// ``EngineLoop`` owns it.
struct EngineChangelog {
    /// A writer's flush bookkeeping.
    struct Flushes {
        /// Partitions with batches since the last flush.
        var unflushed: Set<StateOwner> = []
        var last = ContinuousClock.now
    }
    /// The writer of each input topic's partitions.
    private(set) var writers: [String: StateChangelogWriter] = [:]
    private var flushes: [ObjectIdentifier: Flushes] = [:]
    /// What the retired writers had written and had refused, so the totals stay monotonic.
    private(set) var retired: (written: UInt64, failed: UInt64) = (0, 0)

    /// Records written and refused by every writer, retired ones included.
    var records: (written: UInt64, failed: UInt64) {
        allWriters.reduce(retired) { ($0.written + $1.recordsWritten, $0.failed + $1.recordsFailed) }
    }

    /// The distinct writers.
    var allWriters: [StateChangelogWriter] {
        var seen = Set<ObjectIdentifier>()
        return writers.values.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// `writer` takes the partitions of `topics` (a consumer starting).
    mutating func register(_ writer: StateChangelogWriter, topics: [String]) {
        for t in topics { writers[t] = writer }
        if flushes[ObjectIdentifier(writer)] == nil { flushes[ObjectIdentifier(writer)] = Flushes() }
    }

    /// `writer` is retired (its consumer stopped, its partitions revoked and dropped).
    mutating func unregister(_ writer: StateChangelogWriter) {
        guard flushes[ObjectIdentifier(writer)] != nil else { return }
        retired = (retired.written + writer.recordsWritten, retired.failed + writer.recordsFailed)
        writers = writers.filter { $0.value !== writer }
        flushes[ObjectIdentifier(writer)] = nil
    }

    /// A batch of `owner` began (its writer flushes it at its next interval).
    mutating func began(_ owner: StateOwner, writer: StateChangelogWriter) {
        flushes[ObjectIdentifier(writer), default: Flushes()].unflushed.insert(owner)
    }

    /// `owner`'s partition was let go: nothing of it waits for a flush.
    mutating func forget(_ owner: StateOwner) {
        guard let w = writers[owner.topic] else { return }
        flushes[ObjectIdentifier(w)]?.unflushed.remove(owner)
    }

    func unflushed(of writer: StateChangelogWriter) -> Set<StateOwner> { flushes[ObjectIdentifier(writer)]?.unflushed ?? [] }

    /// `writer` was handed its changes now.
    mutating func flushed(_ writer: StateChangelogWriter, at now: ContinuousClock.Instant) {
        flushes[ObjectIdentifier(writer)] = Flushes(unflushed: [], last: now)
    }

    func lastFlush(of writer: StateChangelogWriter) -> ContinuousClock.Instant { flushes[ObjectIdentifier(writer)]?.last ?? .now }

    /// Whether some partition of some writer waits for a flush.
    var hasUnflushed: Bool { flushes.values.contains { !$0.unflushed.isEmpty } }

    /// `owners` by the writer of their topic (owners of a topic without a writer are left out).
    func byWriter(_ owners: some Sequence<StateOwner>) -> [(StateChangelogWriter, [StateOwner])] {
        var out: [ObjectIdentifier: (StateChangelogWriter, [StateOwner])] = [:]
        for o in owners {
            guard let w = writers[o.topic] else { continue }
            out[ObjectIdentifier(w), default: (w, [])].1.append(o)
        }
        return Array(out.values)
    }
}

extension EngineLoop {
    /// Evaluates `batch` as its partition's (group mode): the groups its points open are the
    /// partition's, and its source acknowledgement waits for the changelog. False when the batch
    /// has no partition or its topic no changelog (then the caller evaluates it as usual).
    func processOwned(_ batch: PointBatch, evaluate: (PointsAcknowledgement?) -> Void) -> Bool {
        guard let source = batch.sourcePartition, let writer = changelog.writers[source.topic] else { return false }
        let owner = StateOwner(topic: source.topic, partition: source.partition)
        engine.select(owner: owner)
        changelog.began(owner, writer: writer)
        let inner = writer.began(owner, end: batch.sourceEnd, acknowledgement: batch.acknowledgement)
        evaluate(inner)
        inner.evaluated()
        batch.acknowledgement?.evaluated()
        engine.select(owner: nil)
        return true
    }

    /// `writer` takes the partitions of `topics` from now on (a consumer about to start); the
    /// engine tracks changes per partition from the first.
    func registerChangelog(_ writer: StateChangelogWriter, topics: [String]) {
        engine.trackChanges()
        changelog.register(writer, topics: topics)
    }

    /// Retires `writer` (its consumer stopped): what it was still handed is its own to write.
    func unregisterChangelog(_ writer: StateChangelogWriter) {
        flushChangelog(force: true, only: writer)
        changelog.unregister(writer)
    }

    /// Hands each writer its partitions' changes when due (or `force`d): every writer's
    /// `changelog-flush-interval` while its partitions have unflushed batches or changed groups,
    /// and early once the changes reach the group limit (which bounds what the engine keeps for
    /// the changelog). `only`: that writer alone.
    func flushChangelog(force: Bool = false, only: StateChangelogWriter? = nil) {
        guard !changelog.writers.isEmpty || engine.pendingChanges > 0 else { return }
        let pending = engine.pendingChanges
        let now = ContinuousClock.now
        let full = pending >= engine.limits.maxGroups
        var flushed = false
        for writer in changelog.allWriters {
            if let only, only !== writer { continue }
            let unflushed = changelog.unflushed(of: writer)
            guard !unflushed.isEmpty || pending > 0 else { continue }
            guard force || full || now - changelog.lastFlush(of: writer) >= writer.flushInterval else { continue }
            let topics = changelog.writers
            let changes = engine.takeChanges { topics[$0.topic] === writer }
            let owners = unflushed.union(changes.owners)
            if !owners.isEmpty { writer.flush(changes, owners: Array(owners)) }
            changelog.flushed(writer, at: now)
            flushed = true
        }
        if only == nil, engine.pendingChanges > 0, force || full || flushed {
            // Changes of partitions no changelog writes any more (their consumer is gone): nobody
            // restores them, so they are not kept.
            let topics = changelog.writers
            _ = engine.takeChanges { topics[$0.topic] == nil }
        }
    }

    /// How long until the next flush is due; nil when nothing waits for one.
    var changelogWait: Duration? {
        let pending = engine.pendingChanges > 0
        guard pending || changelog.hasUnflushed else { return nil }
        let now = ContinuousClock.now
        var wait: Duration?
        for writer in changelog.allWriters where pending || !changelog.unflushed(of: writer).isEmpty {
            let due = max(.zero, writer.flushInterval - (now - changelog.lastFlush(of: writer)))
            wait = wait.map { min($0, due) } ?? due
        }
        return wait
    }

    /// Restores `restored` as `owner`'s groups (a partition assigned to this relay), with the
    /// topic levels and firing alerts of their last events.
    func restoreOwned(_ restored: RestoredState, owner: StateOwner) -> Int {
        let n = engine.restore(restored, owner: owner)
        let events = engine.lastEvents(of: owner)
        for e in events { router.restoreLevel(rule: e.rule, id: e.event.id, level: e.event.level) }
        alerts.restore(events)
        logger.info("alert state restored from the changelog", metadata: [
            "partition": .string(owner.description), "groups": .stringConvertible(n), "firing": .stringConvertible(events.count),
            "skipped": .stringConvertible(restored.skipped + restored.undecodable),
        ])
        return n
    }

    /// A revocation: flushes now; once the changelog has every change of `owners`, drops their
    /// groups (on the engine thread, unless `stillWanted` says the wait was given up) and calls `done`.
    func release(_ owners: [StateOwner], stillWanted: @escaping @Sendable () -> Bool, done: @escaping @Sendable () -> Void) {
        let groups = changelog.byWriter(owners)
        for (writer, mine) in groups {
            for o in mine { changelog.began(o, writer: writer) }
            flushChangelog(force: true, only: writer)
        }
        let left = Locked(groups.count)
        let queue = self.queue
        let drop: @Sendable () -> Void = {
            queue.post { loop in
                if stillWanted() { loop.dropOwned(owners, reason: "revoked") }
                done()
            }
        }
        if groups.isEmpty { drop() }
        for (writer, mine) in groups {
            writer.whenWritten(mine) {
                let last = left.withLock { n in
                    n -= 1
                    return n == 0
                }
                if last { drop() }
            }
        }
    }

    /// Drops the groups of `owners` (their partitions moved away), their topic levels and firing
    /// alerts, and forgets their batches.
    func dropOwned(_ owners: [StateOwner], reason: String) {
        var dropped = 0
        for o in owners {
            let events = engine.lastEvents(of: o)
            for e in events { router.forget(rule: e.rule, id: e.event.id) }
            alerts.forget(events.map { (rule: $0.rule, id: $0.event.id) })
            dropped += engine.dropGroups(of: o)
            changelog.writers[o.topic]?.forget(o)
            changelog.forget(o)
        }
        logger.info("partitions released, their alert groups dropped", metadata: [
            "partitions": .string(owners.map(\.description).joined(separator: ",")), "groups": .stringConvertible(dropped),
            "reason": .string(reason),
        ])
    }
}
