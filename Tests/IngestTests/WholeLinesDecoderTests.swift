import NIOCore
import NIOTestUtils
import Testing
@testable import Ingest

/// The TCP frame decoder gives the same lines however the stream is cut: swift-nio's verifier
/// feeds each input whole, byte by byte, and all of them at once in one buffer.
@Suite struct WholeLinesDecoderTests {
    static let maxLineLength = 64

    static func lines(_ text: String) -> WholeLines { .lines(ByteBuffer(string: text)) }

    /// Inputs, each ending where a line ends (the verifier shuffles and joins them), and the
    /// messages each one gives with one line per message.
    static let cases: [(String, [WholeLines])] = {
        let tooLong = String(repeating: "x", count: maxLineLength + 10)
        // An open quote swallows lines until the line is too long: it is handed on up to its last
        // newline within max-line-length + 1 bytes; the lines after it start afresh.
        let swallowed = "m f=\"x\n" + (0..<12).map { "a v=\($0)\n" }.joined()
        let window = Array(swallowed.utf8.prefix(maxLineLength + 1))
        let cut = window.lastIndex(of: UInt8(ascii: "\n"))! + 1
        let rest = String(decoding: Array(swallowed.utf8)[cut...], as: UTF8.self)
        return [
            ("cpu,host=a v=1 1\n", [lines("cpu,host=a v=1 1\n")]),
            ("m s=\"multi\nline\" 2\n", [lines("m s=\"multi\nline\" 2\n")]),
            ("m\\\n v=1\n", [lines("m\\\n v=1\n")]),                              // an escaped newline
            ("m v=1\\\\\n", [lines("m v=1\\\\\n")]),                                // an escaped backslash
            ("\n", [lines("\n")]),
            ("a v=1\r\nb v=2\r\n", [lines("a v=1\r\n"), lines("b v=2\r\n")]),
            (tooLong + "\n", [.tooLong(bytes: tooLong.utf8.count + 1)]),
            // Skipped to the next newline, quoted or not; what follows starts afresh.
            ("m s=\"" + tooLong + "\nq\" 1\n", [.tooLong(bytes: tooLong.utf8.count + 6), lines("q\" 1\n")]),
            (swallowed, [lines(String(decoding: window[..<cut], as: UTF8.self))]
                + rest.split(separator: "\n").map { lines($0 + "\n") }),
        ]
    }()

    @Test func anyCutGivesTheSameLines() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: Self.cases.map { (ByteBuffer(string: $0.0), $0.1) }) {
            WholeLinesDecoder(maxLineLength: Self.maxLineLength, oneLinePerMessage: true)
        }
    }
}
