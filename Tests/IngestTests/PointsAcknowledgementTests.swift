import Ingest
import Locking
import Testing

/// The source acknowledgement: once evaluated and every held message released, exactly once.
@Suite struct PointsAcknowledgementTests {
    @Test func firesOnceWhenEvaluatedAndEveryMessageIsHeld() {
        let fired = Locked(0)
        let ack = PointsAcknowledgement { fired.withLock { $0 += 1 } }
        ack.hold()
        ack.hold()
        ack.release()
        #expect(!ack.isHeld, "not evaluated yet")
        ack.evaluated()
        #expect(!ack.isHeld && fired.withLock { $0 } == 0, "one message still out")
        ack.release()
        #expect(ack.isHeld && fired.withLock { $0 } == 1)
    }

    @Test func aBatchThatRaisedNothingIsHeldOnceEvaluated() {
        let fired = Locked(0)
        let ack = PointsAcknowledgement { fired.withLock { $0 += 1 } }
        ack.evaluated()
        ack.evaluated()
        #expect(fired.withLock { $0 } == 1)
    }
}
