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

    /// A program's read-only mappings go, its RELRO (anonymous pages), writable, deleted and
    /// kernel mappings and other files' stay.
    @Test func droppableMappingsAreTheObjectsReadOnlyPagesWithoutPrivateCopies() {
        func mapping(_ header: String, anonymous: Int) -> String {
            "\(header)\nSize:                 16 kB\nRss:                  12 kB\nAnonymous:      \(anonymous) kB\nAnonHugePages:         0 kB\nVmFlags: rd mr mw me\n"
        }
        let text = [
            mapping("55d0c0000000-55d0c0010000 r--p 00000000 fe:01 1234                       /usr/bin/alertrelay", anonymous: 0),
            mapping("55d0c0010000-55d0c0100000 r-xp 00010000 fe:01 1234                       /usr/bin/alertrelay", anonymous: 0),
            mapping("55d0c0100000-55d0c0120000 r--p 00100000 fe:01 1234                       /usr/bin/alertrelay", anonymous: 8),
            mapping("55d0c0120000-55d0c0130000 rw-p 00120000 fe:01 1234                       /usr/bin/alertrelay", anonymous: 0),
            mapping("7f0000000000-7f0000001000 r--p 00000000 fe:01 99                         /var/lib/relay/state.db", anonymous: 0),
            mapping("7f0000100000-7f0000200000 r-xp 00000000 fe:01 77                         /tmp/old (deleted)", anonymous: 0),
            mapping("7f0000200000-7f0000300000 rw-p 00000000 00:00 0 ", anonymous: 4),
            mapping("7f1000000000-7f1000004000 r--p 00000000 fe:01 55                         /usr/lib/x86_64-linux-gnu/libc.so.6", anonymous: 0),
            mapping("7f1000004000-7f1000100000 r-xp 00004000 fe:01 55                         /usr/lib/x86_64-linux-gnu/libc.so.6", anonymous: 10),
            mapping("7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]", anonymous: 0),
        ].joined()
        let ranges = Array(text.utf8).withUnsafeBufferPointer { DroppableMappings.ranges(inSmaps: $0) }
        #expect(ranges == [
            .init(start: 0x55d0_c000_0000, length: 0x10000),
            .init(start: 0x55d0_c001_0000, length: 0xf0000),
            .init(start: 0x7f10_0000_0000, length: 0x4000),
        ])
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
