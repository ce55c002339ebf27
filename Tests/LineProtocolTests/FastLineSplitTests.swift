import Testing
@testable import LineProtocol

/// The fast paths (line split at the next newline, numbers and timestamps read in one pass, fields
/// split where the scan recorded them) give the same records as InfluxDB's rules taken step by
/// step, on inputs where the two could part: quoted newlines, escaped newlines, backslash runs,
/// rejected lines holding a quote, numbers at the edges of the one-pass reading. The fuzz target
/// compares them on random input.
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
        "m\\\\ s=\"r n=1\nc e=t,0=t, 1\n",           // found by the fuzzer: InfluxDB's scan starts the fields
                                                      // at the space after `\\` (backslashes in pairs), the key scan does not
        "m,t=a\\\\ b f=\"x\nc v=1\n",                 // the same in a tag value
        // A record over several lines that fails is taken line by line.
        "cpu,t=bad v=5,msg=\"x\ncpu v=1 1\n  cpu v=2 2\r\n# c\n\ncpu v=oops\ncpu v=3",
        "cpu v=1\\\ncpu v=2\n",                          // an escaped newline
        "m f=\"a\nm f=\"b\" 1\ncpu v=1\n",             // the quote closes on the next line
        // Numbers: one-pass reading vs strconv, at its limits (15 digits for exact floats, 18 for
        // integers, |10^k| <= 22 for exponents) and past them.
        "m a=123456789012345,b=1234567890123456,c=12345678901234567890,d=-0,e=-0.0,f=.5,g=5.,h=-.5\n",
        "m a=999999999999999999i,b=9223372036854775807i,c=-9223372036854775808i,d=9223372036854775808i\n",
        "m a=9999999999999999999u,b=18446744073709551615u,c=18446744073709551616u,d=-1u\n",
        "m a=1e22,b=1e23,c=1.5e-22,d=1e-23,e=-4.950e+11,f=1E5,g=1e,h=1e+,i=1e308,j=1e309,k=0e999\n",
        "m a=1.5i,b=1e5i,c=5ii,d=5i5,e=1.2.3,f=12-3,g=--1,h=-i\n",
        "m a=0.1,b=0.30000000000000004,c=123.456e-7,d=1234567890.12345e3\n",
        // Timestamps: 18 digits read in one pass, 19 and negative by strconv.
        "m v=1 123456789012345678\nm v=1 1234567890123456789\nm v=1 -5\nm v=1 99999999999999999999\nm v=1 12a\n",
    ])
    func fastAndExactAgree(_ input: String) {
        var exact = LineProtocolParser()
        exact.fastPaths = false
        let bytes = Array(input.utf8)
        #expect("\(LineProtocolParser().records(bytes, defaultTime: 1))" == "\(exact.records(bytes, defaultTime: 1))")
    }

    /// The same on every input of the InfluxDB oracle fixtures.
    @Test func fastAndExactAgreeOnTheOracleInputs() throws {
        var exact = LineProtocolParser()
        exact.fastPaths = false
        var compared = 0
        for c in try OracleTests.fixtures() {
            let bytes = Array(c.input.utf8)
            let fast = LineProtocolParser().records(bytes, defaultTime: 1).map(\.jsonLine)
            let slow = exact.records(bytes, defaultTime: 1).map(\.jsonLine)
            #expect(fast == slow, "\(c.name)")
            compared += 1
        }
        #expect(compared > 500)
    }
}
