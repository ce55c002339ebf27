import Foundation
import LineProtocol
import NIOCore
import Testing
@testable import Ingest

/// A rejected line costs its own parse and no more (issue 15, item 1): the old code rescanned
/// the buffer from its first byte for every rejected line, before the log limit and whether the
/// error was kept were checked. Time bounds are generous guards for the debug build.
@Suite struct BatchParserTests {
    static func parser() -> BatchParser {
        BatchParser(precision: .nanoseconds, statistics: ListenerStatistics(name: "test"), logger: quiet)
    }

    @Test func aDatagramOfBadLinesCostsLinearTime() {
        // The largest UDP payload of `x\n` lines: 32,753 rejected lines (0.9 s before, quadratic).
        let lines = 65_507 / 2
        func buffer(_ n: Int) -> ByteBuffer { ByteBuffer(bytes: Array(repeating: Array("x\n".utf8), count: n).joined()) }
        for keep in [0, HTTPWriteHandler.errorsPerResponse] {
            /// The fastest of five parses of `n` bad lines (the least disturbed by other work).
            func fastest(_ n: Int) -> Duration {
                let b = buffer(n)
                return (0..<5).map { _ in
                    var parser = Self.parser()
                    var result: (points: [Point], errors: [RejectedLine], rejected: Int)?
                    let elapsed = ContinuousClock().measure { result = parser.parse(b, now: 0, keepErrors: keep) }
                    #expect(result?.rejected == n)
                    #expect(result?.errors.count == min(keep, n))
                    #expect(parser.statistics.snapshot.linesRejected == UInt64(n))
                    return elapsed
                }.min()!
            }
            let quarter = fastest(lines / 4), whole = fastest(lines)
            // Linear work takes about 4 times as long for 4 times the lines, quadratic 16 (the bound,
            // 10, leaves room for other suites running at the same time); the
            // ratio does not depend on how fast (or how loaded) the machine is. The absolute bound
            // is a generous guard (10 s in a debug build before), wider under a sanitizer.
            #expect(whole < quarter * 10 + .milliseconds(50), "\(lines / 4) lines: \(quarter), \(lines) lines: \(whole)")
            let bound: Duration = ProcessInfo.processInfo.environment["SANITIZER_RUN"] == nil ? .seconds(2) : .seconds(6)
            #expect(whole < bound, "\(whole)")
        }
    }

    @Test func keepsTheFirstErrorsWithTheirText() {
        var text = ""
        for i in 0..<1000 { text += "m v=\(i) \(i)\n  bad\(i)\n" }
        var parser = Self.parser()
        let (points, errors, rejected) = parser.parse(ByteBuffer(string: text), now: 0, keepErrors: 100)
        #expect(points.count == 1000)
        #expect(rejected == 1000)
        #expect(errors.map(\.text) == (0..<100).map { "bad\($0)" })
        #expect(errors.map(\.error.line) == (0..<100).map { 2 * $0 + 2 })
    }

    @Test func theHTTPMessageNamesAtMost100LinesAndCountsTheRest() {
        let errors = (0..<3).map { RejectedLine(error: LineProtocolError(line: $0 + 1, column: 2, reason: "missing fields"), text: "x\($0)") }
        #expect(HTTPWriteHandler.parseErrorMessage(errors, rejected: 3, partial: true)
                == "partial write: unable to parse 'x0': missing fields (line 1, column 2)\nunable to parse 'x1': missing fields (line 2, column 2)\nunable to parse 'x2': missing fields (line 3, column 2) dropped=0")
        #expect(HTTPWriteHandler.parseErrorMessage(Array(errors.prefix(1)), rejected: 3, partial: false)
                == "unable to parse 'x0': missing fields (line 1, column 2) dropped=2")
        #expect(HTTPWriteHandler.parseErrorMessage(Array(errors.prefix(1)), rejected: 1, partial: false)
                == "unable to parse 'x0': missing fields (line 1, column 2)")
    }
}
