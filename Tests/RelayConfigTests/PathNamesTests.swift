import Foundation
import Testing
import RelayConfig

/// ``PathNames`` gives what Foundation's NSString path methods give (the oracle, in the test
/// process, which may link Foundation), symbolic links included.
@Suite struct PathNamesTests {
    @Test(arguments: ["/a/b", "/a/b/", "/a", "/", "a", "a/b", "a/b/", "", "//a//b", "/a/./b/../c", "./x", ".", "..", "../a", "a/../b"])
    func componentsAsNSString(_ path: String) {
        #expect(PathNames.lastComponent(path) == (path as NSString).lastPathComponent, "last \(path)")
        // Foundation traps on some names without a slash ("a"): those are checked by value below.
        if path.contains("/") {
            #expect(PathNames.deletingLastComponent(path) == (path as NSString).deletingLastPathComponent, "deleting \(path)")
        }
    }

    @Test func deletingTheOnlyComponentLeavesNothing() {
        for path in ["a", ".", "..", ""] { #expect(PathNames.deletingLastComponent(path) == "", "\(path)") }
    }

    @Test func standardizedAsNSString() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pathnames-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir + "/real/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/abs", withDestinationPath: dir + "/real")
        try FileManager.default.createSymbolicLink(atPath: dir + "/rel", withDestinationPath: "real/sub")
        try FileManager.default.createSymbolicLink(atPath: dir + "/chain", withDestinationPath: "rel")
        for path in [dir + "/real/sub", dir + "/abs/sub", dir + "/rel", dir + "/chain/x.conf", dir + "/real/../abs",
                     dir + "//real/./sub/", dir + "/missing/a/../b", "/", "/a/b/", ".", "rules", "./rules", "a/../b", "~", "~/x"] {
            #expect(PathNames.standardized(path) == (path as NSString).standardizingPath, "\(path)")
        }
    }
}
