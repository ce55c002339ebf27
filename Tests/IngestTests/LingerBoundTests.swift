import Testing
@testable import Ingest

/// `LingerBound`'s decisions: when to linger and for how long, from the measured buffer fill.
@Suite struct LingerBoundTests {
    let t0 = ContinuousClock.now

    @Test func offWithoutACap() {
        var b = LingerBound(cap: .zero)
        #expect(b.allowed == .zero)
        let lingers = b.readEnded(datagrams: 10, emptied: true, at: t0)
        #expect(!lingers)
    }

    @Test func aLoneDatagramAfterAQuietSpellIsNotFollowedByALinger() {
        var b = LingerBound(cap: .milliseconds(20))
        let first = b.readEnded(datagrams: 1, emptied: true, at: t0)
        #expect(!first, "no previous read")
        let slow = b.readEnded(datagrams: 1, emptied: true, at: t0 + .milliseconds(25))
        #expect(!slow, "one per 25 ms: slower than one per linger")
        let soon = b.readEnded(datagrams: 1, emptied: true, at: t0 + .milliseconds(35))
        #expect(soon, "one 10 ms after the last")
        let several = b.readEnded(datagrams: 3, emptied: true, at: t0 + .seconds(5))
        #expect(several, "several in one read")
    }

    @Test func aReadThatLeftDatagramsBehindNeverLingers() {
        var b = LingerBound(cap: .milliseconds(20))
        let behind = b.readEnded(datagrams: 64, emptied: false, at: t0)
        #expect(!behind)
    }

    /// The measured rate sets the linger: an eighth of the buffer at that rate, at most the cap.
    @Test func theLingerShrinksWithTheRateAndGrowsBackToTheCap() {
        var b = LingerBound(cap: .milliseconds(20))
        _ = b.readEnded(datagrams: 5, emptied: true, at: t0)
        #expect(b.allowed == .milliseconds(20), "no rate measured yet")
        // A fifth of the buffer in 20 ms: an eighth takes 12.5 ms.
        b.readStarts(fill: 0.2, at: t0 + .milliseconds(20))
        let fast = b.allowed
        #expect(fast > .microseconds(12_400) && fast < .microseconds(12_600), "\(fast)")
        _ = b.readEnded(datagrams: 40, emptied: true, at: t0 + .milliseconds(21))
        // 2% of the buffer in 20 ms: an eighth would take 125 ms, capped at 20.
        b.readStarts(fill: 0.02, at: t0 + .milliseconds(41))
        #expect(b.allowed == .milliseconds(20))
        // A burst: a fifth of the buffer in 4 ms would allow 2.5 ms: below the shortest, no linger.
        _ = b.readEnded(datagrams: 10, emptied: true, at: t0 + .milliseconds(42))
        b.readStarts(fill: 0.2, at: t0 + .milliseconds(46))
        #expect(b.allowed == .zero)
        let burst = b.readEnded(datagrams: 64, emptied: true, at: t0 + .milliseconds(47))
        #expect(!burst, "nothing to linger for")
    }

    /// Busy or full: a read that took longer than a quarter of the linger to evaluate, or found
    /// the buffer more than a quarter full, is not followed by a linger.
    @Test func aBusyOrFullReadIsNotFollowedByALinger() {
        var b = LingerBound(cap: .milliseconds(20))
        _ = b.readEnded(datagrams: 5, emptied: true, at: t0)
        b.readStarts(fill: 0.01, at: t0 + .milliseconds(20))
        let busy = b.readEnded(datagrams: 5, emptied: true, at: t0 + .milliseconds(26))
        #expect(!busy, "6 ms evaluating against a 20 ms linger")
        b.readStarts(fill: 0.3, at: t0 + .milliseconds(100))
        let full = b.readEnded(datagrams: 5, emptied: true, at: t0 + .milliseconds(100) + .microseconds(10))
        #expect(!full)
        b.readStarts(fill: 0.001, at: t0 + .seconds(1))
        let calm = b.readEnded(datagrams: 5, emptied: true, at: t0 + .seconds(1) + .microseconds(100))
        #expect(calm)
    }
}
