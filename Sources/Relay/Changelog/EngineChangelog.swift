import AlertRules
import Ingest
import Locking

/// Group mode on the engine thread: the changelog writers (one per `[[kafka-consumer]]`, by the
/// input topics it reads), how often changes are handed to them, and the partitions with batches
/// since the last hand-over. ``EngineLoop`` owns it.
public struct EngineChangelog: Sendable {
    /// The writer of each input topic's partitions.
    let writers: [String: StateChangelogWriter]
    /// At most this long between a batch and the flush that covers it: each partition's offset
    /// commits wait for it.
    let interval: Duration
    /// Partitions with batches since the last flush.
    var unflushed: Set<StateOwner> = []
    var lastFlush = ContinuousClock.now

    /// The default flush interval: short, since commits wait for the flush (fewer duplicates
    /// after a crash), long enough to write a busy group once per interval rather than per point.
    public static let defaultInterval = Duration.milliseconds(100)

    public init(writers: [String: StateChangelogWriter], interval: Duration = Self.defaultInterval) {
        self.writers = writers
        self.interval = interval
    }

    /// The distinct writers.
    var allWriters: [StateChangelogWriter] {
        var seen = Set<ObjectIdentifier>()
        return writers.values.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

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
        guard let source = batch.sourcePartition, let writer = changelog?.writers[source.topic] else { return false }
        let owner = StateOwner(topic: source.topic, partition: source.partition)
        engine.select(owner: owner)
        changelog?.unflushed.insert(owner)
        let inner = writer.began(owner, end: batch.sourceEnd, acknowledgement: batch.acknowledgement)
        evaluate(inner)
        inner.evaluated()
        batch.acknowledgement?.evaluated()
        engine.select(owner: nil)
        return true
    }

    /// Hands the changes to the writers when due (or `force`d): every interval while partitions
    /// have unflushed batches or groups changed, and early once the changes reach the group limit
    /// (which bounds what the engine keeps for the changelog).
    func flushChangelog(force: Bool = false) {
        guard var c = changelog else { return }
        let pending = engine.pendingChanges
        guard !c.unflushed.isEmpty || pending > 0 else { return }
        guard force || ContinuousClock.now - c.lastFlush >= c.interval || pending >= engine.limits.maxGroups else { return }
        let changes = engine.takeChanges()
        for (writer, owners) in c.byWriter(c.unflushed.union(changes.owners)) { writer.flush(changes, owners: owners) }
        c.unflushed.removeAll(keepingCapacity: true)
        c.lastFlush = ContinuousClock.now
        changelog = c
    }

    /// How long until the next flush is due; nil when nothing waits for one.
    var changelogWait: Duration? {
        guard let c = changelog, !c.unflushed.isEmpty || engine.pendingChanges > 0 else { return nil }
        return max(.zero, c.interval - (ContinuousClock.now - c.lastFlush))
    }

    /// Restores `restored` as `owner`'s groups (a partition assigned to this relay).
    func restoreOwned(_ restored: RestoredState, owner: StateOwner) -> Int {
        let n = engine.restore(restored, owner: owner)
        logger.info("alert state restored from the changelog", metadata: [
            "partition": .string(owner.description), "groups": .stringConvertible(n),
            "skipped": .stringConvertible(restored.skipped + restored.undecodable),
        ])
        return n
    }

    /// A revocation: flushes now; once the changelog has every change of `owners`, drops their
    /// groups (on the engine thread, unless `stillWanted` says the wait was given up) and calls `done`.
    func release(_ owners: [StateOwner], stillWanted: @escaping @Sendable () -> Bool, done: @escaping @Sendable () -> Void) {
        guard let c = changelog else {
            done()
            return
        }
        changelog?.unflushed.formUnion(owners.filter { c.writers[$0.topic] != nil })
        flushChangelog(force: true)
        let groups = c.byWriter(owners)
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

    /// Drops the groups of `owners` (their partitions moved away) and forgets their batches.
    func dropOwned(_ owners: [StateOwner], reason: String) {
        var dropped = 0
        for o in owners {
            dropped += engine.dropGroups(of: o)
            changelog?.writers[o.topic]?.forget(o)
            changelog?.unflushed.remove(o)
        }
        logger.info("partitions released, their alert groups dropped", metadata: [
            "partitions": .string(owners.map(\.description).joined(separator: ",")), "groups": .stringConvertible(dropped),
            "reason": .string(reason),
        ])
    }
}
