import Dispatch
import Synchronization
import Testing
@testable import KafkaDispatch

/// Who serves delivery reports: every interleaving of a report's arrival with the senders ends
/// either with a sender able to serve it or with the poll thread woken, and a sender that drained
/// the queue does not wake the poll thread.
struct ReportWakeTests {
    /// Whether the poll thread would wake now (takes the wake-up).
    static func woken(_ w: ReportWake) -> Bool { w.waitForWork(until: .now()) }

    @Test func aReportWithNoSenderWakesThePollThread() {
        let w = ReportWake()
        w.queueBecameNonEmpty()
        #expect(Self.woken(w))
        #expect(!Self.woken(w), "one wake-up per report")
    }

    @Test func aReportDuringASendIsLeftToTheSenderThatDrainsIt() {
        let w = ReportWake()
        w.senderEnters()
        w.queueBecameNonEmpty()
        #expect(!Self.woken(w), "a sender is inside a send")
        var asked = false
        w.senderLeaves(stoppedAtLimit: false) { asked = true; return false }
        #expect(asked, "the mark makes the sender look at the queue")
        #expect(!Self.woken(w), "the sender drained the queue")
        // The mark was taken: the next send with nothing new does not look again.
        w.senderEnters()
        asked = false
        w.senderLeaves(stoppedAtLimit: false) { asked = true; return true }
        #expect(!asked)
        #expect(!Self.woken(w))
    }

    @Test func aReportAfterTheSendersDrainWakesThePollThread() {
        let w = ReportWake()
        w.senderEnters()
        // Arrived after the sender's drain, before it left: still queued when it looks.
        w.queueBecameNonEmpty()
        w.senderLeaves(stoppedAtLimit: false) { true }
        #expect(Self.woken(w))
    }

    @Test func aSenderStoppedAtItsLimitWakesThePollThread() {
        let w = ReportWake()
        w.senderEnters()
        w.senderLeaves(stoppedAtLimit: true) { false }
        #expect(Self.woken(w))
    }

    @Test func withTwoSendersTheFirstToLeaveHandsOverWhatIsLeft() {
        let w = ReportWake()
        w.senderEnters()
        w.senderEnters()
        w.queueBecameNonEmpty()
        #expect(!Self.woken(w))
        w.senderLeaves(stoppedAtLimit: false) { true }
        #expect(Self.woken(w), "one sender left with the report still queued")
        w.senderLeaves(stoppedAtLimit: false) { true }
        #expect(!Self.woken(w), "the mark was handed over once")
        // Both gone: the next report wakes the poll thread directly.
        w.queueBecameNonEmpty()
        #expect(Self.woken(w))
    }

    @Test func racingSendersAndReportsNeverStrandAReport() async {
        // Many rounds of one report racing a sender's exit: afterwards the report is either
        // drained by the sender or the poll thread was woken (checked with the queue modelled as
        // a flag the sender clears when it drains before leaving).
        for _ in 0..<400 {
            let w = ReportWake()
            let queued = QueueModel()
            w.senderEnters()
            let sender = Task.detached {
                _ = queued.take()  // the drain before leaving
                w.senderLeaves(stoppedAtLimit: false) { queued.isSet }
            }
            let report = Task.detached {
                queued.set()
                w.queueBecameNonEmpty()
            }
            await sender.value
            await report.value
            #expect(!queued.isSet || Self.woken(w), "a queued report with no sender and no wake-up")
        }
    }
}

/// A queue of at most one report, for the race test.
final class QueueModel: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    func take() -> Bool { value.exchange(false, ordering: .sequentiallyConsistent) }
}
