#if canImport(Glibc)
import Foundation
import Glibc
import Testing
@testable import Relay

/// Dropping the executable's resident code after start-up: the pages go, the program runs on.
@Suite struct StartupPagesTests {
    /// Resident pages of the mappings of this test binary's own file (from /proc/self/smaps).
    static func residentKiBOfOwnFile() throws -> Int {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var inOwn = false
        var kib = 0
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5 {
                inOwn = fields.count >= 6 && fields[5...].joined(separator: " ") == exe && fields[1].contains("x")
            } else if inOwn, fields.first == "Rss:", fields.count >= 2, let n = Int(fields[1]) {
                kib += n
            }
        }
        return kib
    }

    @Test func codePagesAreReleasedAndComeBackWhenUsed() throws {
        let before = try Self.residentKiBOfOwnFile()
        #expect(before > 0)
        let released = StartupPages.release()
        #expect(released > 0, "the test binary has an executable mapping of its own file")
        let after = try Self.residentKiBOfOwnFile()
        #expect(after < before, "resident code: \(before) KiB before, \(after) KiB after")
        // Code that was dropped runs again (faulted back from the page cache).
        let sorted = (0..<10_000).map { ($0 * 7919) % 10_007 }.sorted()
        #expect(sorted.first == 0 && sorted.count == 10_000)
        #expect(try Self.residentKiBOfOwnFile() > 0)
    }
}
#endif
