import Foundation
import LineProtocol
import Testing
@testable import AlertRules

/// The sliced state snapshot the relay saves from (``AlertStateSnapshotCursor``).
@Suite struct SnapshotCursorTests {
    static func engine(expiry: Int64 = 0) throws -> RuleEngine {
        let rules = try RuleLoader(clusters: []).rules(text: """
            - id: cpu
              measurement: cpu
              groupBy: [host]
              crit: '"v" > 90'
            - id: all
              measurement: cpu
              crit: '"v" > 95'
            """, file: "r.yaml")
        return RuleEngine(rules: rules, limits: GroupLimits(maxGroups: .max, maxGroupsPerRule: .max, expiry: expiry))
    }

    static func point(_ host: Int, _ v: Double, at t: Int64) -> Point {
        Point(measurement: "cpu", tags: [Tag(key: "host", value: "h\(host)")], fields: [Field(key: "v", value: .float(v))], time: t)
    }

    /// Taken in slices with nothing changing in between, it equals the one-go snapshot.
    @Test func slicesAddUpToTheWholeSnapshot() throws {
        let e = try Self.engine()
        e.process((0..<3000).map { Self.point($0, Double($0 % 100), at: Int64($0)) }) { _ in }
        var cursor = e.beginSnapshot()
        var slices = 0
        while !cursor.step(budget: .zero) { slices += 1 }
        var sliced = cursor.finish().assemble()
        var whole = e.snapshot()
        sliced.takenAt = 0
        whole.takenAt = 0
        #expect(slices >= 10, "a zero budget copies 256 groups per slice")
        #expect(sliced == whole)
        #expect(whole.rules["cpu"]?.groups.count == 3000 && whole.rules["all"]?.groups.count == 1)
    }

    /// Groups created and dropped between slices: every group that existed at the start and still
    /// exists at the end is in the snapshot, with its state as of its slice.
    @Test func groupsComingAndGoingBetweenSlicesAreNotMissed() throws {
        let hour: Int64 = 3_600_000_000_000
        let e = try Self.engine(expiry: hour)
        // Odd hosts go idle (OK, old points) and are expired by the sweeps the later points cause.
        e.process((0..<2000).map { Self.point($0, $0 % 2 == 0 ? 99 : 1, at: Int64($0)) }) { _ in }
        let atStart = Set(e.snapshot().rules["cpu"]!.groups.keys)
        var cursor = e.beginSnapshot()
        var t = 2 * hour
        var next = 2000
        while !cursor.step(budget: .zero) {
            // New groups, and points that keep the even hosts alive and let sweeps drop the odd ones.
            e.process((0..<300).map { i in
                defer { next += 1 }
                return i % 3 == 0 ? Self.point(next, 50, at: t) : Self.point((i * 2) % 2000, 99, at: t)
            }) { _ in }
            t += 1
        }
        let saved = Set(cursor.finish().assemble().rules["cpu"]!.groups.keys)
        let atEnd = Set(e.snapshot().rules["cpu"]!.groups.keys)
        #expect(atEnd.count < atStart.count + (next - 2000), "some idle groups were dropped meanwhile")
        #expect(atStart.intersection(atEnd).isSubset(of: saved))
    }
}
