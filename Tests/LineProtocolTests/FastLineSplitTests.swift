import Testing
@testable import LineProtocol

/// The fast line split (next newline first, checked when doubtful) gives the same records as
/// InfluxDB's exact scan, on inputs where the two could part: quoted newlines, escaped newlines,
/// backslash runs, rejected lines holding a quote. The fuzz target compares them on random input.
@Suite struct FastLineSplitTests {
    @Test(arguments: [
        " =\"\n\n",                                   // found by the fuzzer: rejected, but the quote runs on
        "m f=1 \"\ncpu v=1\n",                        // a quote after the fields keeps the newline
        "m f=\"a\nb\" 1\ncpu v=1\n",                  // a quoted newline in a string field
        "m\\\n v=1\ncpu v=2\n",                        // an escaped newline
        "m,t=a\\\\\ncpu v=2\n",                        // an even backslash run before the newline
        "m,t=a\\\\\\\ncpu v=2\n",                      // an odd one
        "m,t=x\\=y f=\"q\\\"\nr\" 1\ncpu v=3\n",       // backslashes and a quoted newline
        "m,t=x\\ y f=\"ok\" 1\nm,t=x\\,y f=\"ok\",g=2 2\n",
        " v=g\" v=\"\"\nm \nmv*",                         // found by the fuzzer: a leading space starts InfluxDB's field scan
        "d\n\0 wt=\"ast st=\" st\"re\\\0 \ntto",      // found by the fuzzer: so does a space after a leading NUL
    ])
    func fastAndExactAgree(_ input: String) {
        var exact = LineProtocolParser()
        exact.speculativeSplit = false
        let bytes = Array(input.utf8)
        #expect("\(LineProtocolParser().records(bytes, defaultTime: 1))" == "\(exact.records(bytes, defaultTime: 1))")
    }
}
