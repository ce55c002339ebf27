import Locking

/// The way back for a source's evaluated batches: the engine gives a batch's elements back once
/// it is done with them, and the source's own thread — the one that allocated them — frees them
/// and keeps the emptied arrays for its next batches.
///
/// Why: a Kafka consumer's points are allocated on its poll thread, in that thread's malloc
/// arena. Freed on the engine thread, each point's free locks the poll thread's arena against the
/// poll thread's own mallocs (glibc's cross-arena free: ~13% of the engine thread in group mode),
/// and the arena's top is trimmed and grown again as whole batches come and go (the kernel
/// zeroing pages: a third of the poll thread). Freed where they were made, the frees go through
/// that thread's cache without contention, and the memory is reused by the next batch at once.
///
/// Bounded: it holds at most `limit` elements given back and not yet freed, and `spareLimit`
/// emptied arrays; past either the engine (or the source) frees as before. ``give(_:)`` takes the
/// caller's array in its lock and leaves an empty one in its place, so the source's thread is
/// the one that drops the last reference. Every element is freed exactly once — by the source's
/// ``drain()``, by ``close()``, or by the caller when ``give(_:)`` refuses.
public final class BatchReturn<Element: Sendable>: Sendable {
    private struct State: Sendable {
        var given: [[Element]] = []
        var givenElements = 0
        var spares: [[Element]] = []
        var open = true
        var counts = Counts()
    }

    /// What went through it (tests, benchmarks).
    public struct Counts: Sendable, Equatable {
        /// Batches given back and taken.
        public var returned = 0
        /// Batches refused (full or closed): the giver freed them.
        public var refused = 0
        /// Elements freed (or handed to `recycle`) by ``drain()`` or ``close()``.
        public var freed = 0
    }

    /// Elements given back and not freed yet, at most.
    public let limit: Int
    /// Emptied arrays kept for reuse, at most.
    public let spareLimit: Int
    private let state: Locked<State>

    /// A way back holding at most `limit` elements and `spareLimit` emptied arrays.
    public init(limit: Int, spareLimit: Int) {
        self.limit = limit
        self.spareLimit = spareLimit
        state = Locked(State())
    }

    /// Takes `elements` (leaving `[]` in their place) unless that would pass ``limit`` or the way
    /// back is closed; false: `elements` are untouched, the caller frees them.
    @discardableResult
    public func give(_ elements: inout [Element]) -> Bool {
        guard !elements.isEmpty else { return false }
        return state.withLock { s in
            guard s.open, s.givenElements + elements.count <= limit else {
                s.counts.refused += 1
                return false
            }
            s.givenElements += elements.count
            s.counts.returned += 1
            s.given.append(elements)
            // The caller's reference goes while the lock is held: the drainer, which takes the
            // lock, then holds the last one and the free happens on its thread.
            elements = []
            return true
        }
    }

    /// Frees what was given back, on the calling thread (the source's), and keeps up to
    /// ``spareLimit`` of the emptied arrays for ``spare()``. Cheap when nothing was given.
    public func drain() { drain(recycling: { _ in }) }

    /// ``drain()``, handing each array given back to `recycle` first, on the calling thread: it
    /// may take the elements (a ``LineProtocolSession`` that reuses the points' storage for the
    /// next ones), leaving an array in their place; what it leaves there is freed as before.
    public func drain(recycling recycle: (inout [Element]) -> Void) {
        var taken: [[Element]] = []
        let room = state.withLock { s -> Int in
            guard !s.given.isEmpty else { return 0 }
            swap(&taken, &s.given)
            s.givenElements = 0
            return s.open ? spareLimit - s.spares.count : 0
        }
        guard !taken.isEmpty else { return }
        var freed = 0
        var emptied: [[Element]] = []
        for i in taken.indices {
            freed += taken[i].count
            recycle(&taken[i])
            // Frees the elements here and keeps the array's storage.
            taken[i].removeAll(keepingCapacity: true)
            if emptied.count < room { emptied.append(taken[i]) }
        }
        taken = []
        state.withLock { s in
            s.counts.freed += freed
            if s.open { s.spares.append(contentsOf: emptied.prefix(max(0, spareLimit - s.spares.count))) }
        }
    }

    /// An emptied array with room kept from an earlier batch, if any ([] otherwise).
    public func spare() -> [Element] {
        state.withLock { s in s.spares.popLast() ?? [] }
    }

    /// Frees what is held and refuses from now on (the source stops: nothing drains any more).
    public func close() {
        state.withLock { $0.open = false }
        drain()
        state.withLock { $0.spares = [] }
    }

    /// What went through it so far.
    public var counts: Counts { state.withLock { $0.counts } }
}
