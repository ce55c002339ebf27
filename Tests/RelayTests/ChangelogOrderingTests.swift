import AlertRules
import Ingest
import Locking
import Testing
@testable import Relay

/// The order of a failover's exactness: alerts held → changelog acknowledged → offset committed.
@Suite struct ChangelogOrderingTests {
    final class Commits: Sendable {
        let committed = Locked<[Int]>([])
        func ack(_ n: Int) -> PointsAcknowledgement {
            let a = PointsAcknowledgement { [committed] in committed.withLock { $0.append(n) } }
            a.hold()  // as the writer's `began` does
            a.evaluated()
            return a
        }
        var all: [Int] { committed.withLock { $0 } }
    }
    static let p = StateOwner(topic: "t", partition: 3)
    static let q = StateOwner(topic: "t", partition: 4)
    static func record(_ k: String) -> StateChangelogRecord { StateChangelogRecord(key: Array(k.utf8), value: [1]) }

    @Test func aFlushWaitsForItsBatchesAlertsThenReleasesOnAcknowledgement() {
        let commits = Commits()
        var o = ChangelogOrdering()
        o.began(Self.p, seq: 1, end: nil, acknowledgement: commits.ack(1))
        o.began(Self.p, seq: 2, end: nil, acknowledgement: commits.ack(2))
        o.flush(Self.p, records: [Self.record("a"), Self.record("b")])
        o.began(Self.p, seq: 3, end: nil, acknowledgement: commits.ack(3))
        o.alertsHeld(Self.p, seq: 2)
        #expect(o.takeDue().isEmpty, "batch 1's alerts are not held yet")
        o.alertsHeld(Self.p, seq: 1)
        let due = o.takeDue()
        #expect(due.count == 1 && due[0].records.count == 2)
        #expect(o.takeDue().isEmpty, "handed over once")
        for r in o.delivered(Self.p, flush: due[0].flush) { r.release() }
        #expect(commits.all.isEmpty, "one of two records acknowledged")
        for r in o.delivered(Self.p, flush: due[0].flush) { r.release() }
        #expect(commits.all == [1, 2], "batch 3 waits for the next flush")
        #expect(o.isWritten(Self.p), "no flush left; batch 3 is not covered by one yet")
        o.alertsHeld(Self.p, seq: 3)
        o.flush(Self.p, records: [])
        let empty = o.takeDue()
        #expect(empty.count == 1 && empty[0].records.isEmpty)
        for r in o.complete(Self.p) { r.release() }
        #expect(commits.all == [1, 2, 3], "an empty flush completes once produced")
        #expect(o.isWritten(Self.p))
    }

    @Test func flushesCompleteInOrderAndPartitionsAreIndependent() {
        let commits = Commits()
        var o = ChangelogOrdering()
        o.began(Self.p, seq: 1, end: nil, acknowledgement: commits.ack(1))
        o.alertsHeld(Self.p, seq: 1)
        o.flush(Self.p, records: [Self.record("a")])
        o.began(Self.p, seq: 2, end: nil, acknowledgement: commits.ack(2))
        o.alertsHeld(Self.p, seq: 2)
        o.flush(Self.p, records: [Self.record("a")])
        o.began(Self.q, seq: 3, end: nil, acknowledgement: commits.ack(3))
        o.alertsHeld(Self.q, seq: 3)
        o.flush(Self.q, records: [Self.record("z")])
        let due = o.takeDue()
        #expect(due.count == 3, "both of p's flushes are produced in order, q's beside them")
        let p1 = due.first { $0.owner == Self.p }!.flush, p2 = due.last { $0.owner == Self.p }!.flush
        let q1 = due.first { $0.owner == Self.q }!.flush
        for r in o.delivered(Self.p, flush: p2) { r.release() }
        #expect(commits.all.isEmpty, "the second flush waits for the first")
        for r in o.delivered(Self.q, flush: q1) { r.release() }
        #expect(commits.all == [3])
        for r in o.delivered(Self.p, flush: p1) { r.release() }
        #expect(commits.all == [3, 1, 2])
    }

    @Test func aFlushEndsWithTheResumeMarkerOfItsLastBatch() {
        var o = ChangelogOrdering()
        o.began(Self.p, seq: 1, end: 10, acknowledgement: nil)
        o.began(Self.p, seq: 2, end: 25, acknowledgement: nil)
        o.alertsHeld(Self.p, seq: 1)
        o.alertsHeld(Self.p, seq: 2)
        o.flush(Self.p, records: [Self.record("a")])
        o.flush(Self.p, records: [Self.record("a")])
        let due = o.takeDue()
        #expect(due.map(\.records.count) == [2, 1], "the second flush covers no new batch: no marker")
        let marker = due[0].records[1]
        #expect(marker == StateChangelogRecord.resumeMarker(topic: "t", offset: 25))
        let restored = StateChangelogRecord.restored([marker], topic: "t", rules: [:])
        #expect(restored.resumeOffset == 25 && restored.groups == 0)
    }

    @Test func nothingIsQueuedWithoutBatchesOrRecords() {
        var o = ChangelogOrdering()
        o.flush(Self.p, records: [])
        #expect(o.takeDue().isEmpty && o.isWritten(Self.p))
    }
}
