import Dispatch
import Glibc
import Locking
import Testing
@testable import Ingest

/// Counts its frees and says on which thread each happened.
final class Tracked: Sendable {
    static let log = Locked<[Int: [pthread_t]]>([:])
    let id: Int
    init(_ id: Int) { self.id = id }
    deinit {
        let id = id
        Self.log.withLock { $0[id, default: []].append(pthread_self()) }
    }
    static func reset() { log.withLock { $0 = [:] } }
    static func frees(of ids: Range<Int>) -> [pthread_t] { log.withLock { l in ids.flatMap { l[$0] ?? [] } } }
}

/// The engine's way back to a source's thread: what is given is freed exactly once, on the thread
/// that drains, bounded, and nothing is left once closed.
@Suite(.serialized) struct BatchReturnTests {
    /// Runs `body` on a thread of its own and waits for it.
    static func onOtherThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        DetachedThread.start("batch-return-test") {
            body()
            done.signal()
        }
        done.wait()
    }

    @Test func whatIsGivenIsFreedOnceOnTheDrainingThread() {
        Tracked.reset()
        let returns = BatchReturn<Tracked>(limit: 1_000, spareLimit: 4)
        // Another thread (the engine) gives ten batches of ten back.
        Self.onOtherThread {
            for b in 0..<10 {
                var batch = (0..<10).map { Tracked(b * 10 + $0) }
                let gaveBatch = returns.give(&batch)
                #expect(gaveBatch)
                #expect(batch.isEmpty, "the giver keeps no reference")
            }
        }
        #expect(Tracked.frees(of: 0..<100).isEmpty, "nothing is freed before the source drains")
        returns.drain()
        let frees = Tracked.frees(of: 0..<100)
        #expect(frees.count == 100, "each element freed exactly once")
        let me = pthread_self()
        #expect(frees.allSatisfy { pthread_equal($0, me) != 0 }, "freed on the draining thread")
        #expect(returns.counts == BatchReturn<Tracked>.Counts(returned: 10, refused: 0, freed: 100))
        // The emptied arrays come back for the next batches, their storage kept.
        let spare = returns.spare()
        #expect(spare.isEmpty && spare.capacity >= 10)
        returns.drain()
        #expect(Tracked.frees(of: 0..<100).count == 100)
    }

    @Test func pastItsLimitTheGiverKeepsAndFreesItsBatch() {
        Tracked.reset()
        let returns = BatchReturn<Tracked>(limit: 15, spareLimit: 0)
        var first = (0..<10).map { Tracked($0) }
        var second = (10..<20).map { Tracked($0) }
        let gaveFirst = returns.give(&first)
        #expect(gaveFirst)
        let gaveSecond = returns.give(&second)
        #expect(!gaveSecond, "10 + 10 passes the limit of 15")
        #expect(second.count == 10, "a refused batch is left to its giver")
        second = []
        #expect(Tracked.frees(of: 10..<20).count == 10)
        returns.drain()
        #expect(Tracked.frees(of: 0..<10).count == 10)
        // Drained: room again.
        var third = (20..<30).map { Tracked($0) }
        let gaveThird = returns.give(&third)
        #expect(gaveThird)
        #expect(returns.counts == BatchReturn<Tracked>.Counts(returned: 2, refused: 1, freed: 10))
        returns.drain()
        #expect(Tracked.frees(of: 0..<30).count == 30)
        #expect(returns.spare().capacity == 0, "no spares kept with a spare limit of 0")
    }

    @Test func closingFreesWhatIsHeldAndRefusesMore() {
        Tracked.reset()
        let returns = BatchReturn<Tracked>(limit: 100, spareLimit: 4)
        var held = (0..<5).map { Tracked($0) }
        let gaveHeld = returns.give(&held)
        #expect(gaveHeld)
        returns.close()
        #expect(Tracked.frees(of: 0..<5).count == 5, "close frees what was given")
        var late = (5..<8).map { Tracked($0) }
        let gaveLate = returns.give(&late)
        #expect(!gaveLate)
        #expect(late.count == 3)
        late = []
        #expect(Tracked.frees(of: 0..<8).count == 8, "each exactly once")
        #expect(returns.spare().capacity == 0, "a closed way back keeps no spares")
    }
}
