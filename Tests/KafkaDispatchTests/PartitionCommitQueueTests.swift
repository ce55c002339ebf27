import Testing
@testable import KafkaDispatch

/// The in-order commit rule: the committed offset is the end of the longest held prefix.
@Suite struct PartitionCommitQueueTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Batch ends, in append order.
        var ends: [Int64]
        /// Batches held, by append index, in this order.
        var held: [Int]
        /// What each `held` call returns.
        var commits: [Int64?]
        var outstanding: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "in order", ends: [10, 20, 30], held: [0, 1, 2], commits: [10, 20, 30], outstanding: 0),
        Case(name: "reverse order commits once at the end", ends: [10, 20, 30], held: [2, 1, 0], commits: [nil, nil, 30], outstanding: 0),
        Case(name: "a gap holds back what follows", ends: [10, 20, 30], held: [0, 2], commits: [10, nil], outstanding: 2),
        Case(name: "filling the gap commits past it", ends: [10, 20, 30, 40], held: [0, 2, 3, 1], commits: [10, nil, nil, 40], outstanding: 0),
        Case(name: "held twice counts once", ends: [5, 6], held: [0, 0, 1], commits: [5, nil, 6], outstanding: 0),
        Case(name: "nothing held", ends: [1, 2], held: [], commits: [], outstanding: 2),
    ]

    @Test(arguments: cases) func heldPrefix(_ c: Case) {
        var q = PartitionCommitQueue()
        let sequences = c.ends.map { q.append(end: $0) }
        let got = c.held.map { q.held(sequences[$0]) }
        #expect(got == c.commits)
        #expect(q.outstanding == c.outstanding)
        #expect(q.committable == c.commits.compactMap { $0 }.last)
    }

    @Test func unknownSequencesAreIgnored() {
        var q = PartitionCommitQueue()
        let a = q.append(end: 3)
        #expect(q.held(a + 5) == nil)
        #expect(q.held(a) == 3)
        #expect(q.held(a) == nil)  // already gone
    }

    /// Long runs keep working across the internal compaction.
    @Test func thousandsOfBatchesInTwoInterleavedOrders() {
        var q = PartitionCommitQueue()
        var seqs: [UInt64] = []
        for i in 1...5000 { seqs.append(q.append(end: Int64(i))) }
        var last: Int64?
        for pair in stride(from: 0, to: 5000, by: 2) {
            #expect(q.held(seqs[pair + 1]) == nil)
            last = q.held(seqs[pair])
            #expect(last == Int64(pair + 2))
        }
        #expect(q.outstanding == 0 && last == 5000)
        let next = q.append(end: 5001)
        #expect(q.held(next) == 5001)
    }
}
