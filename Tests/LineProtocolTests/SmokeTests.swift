import Testing
@testable import LineProtocol

@Suite struct LineProtocolSmokeTests {
    @Test func basic() {
        let input = "cpu,host=a,cpu=cpu0 usage_idle=97.5,n=3i,s=\"x y\",b=t 1700000000000000000\n# c\n\nbad line\nmem v=1u\r\n"
        let recs = LineProtocolParser().records(Array(input.utf8), defaultTime: 42)
        #expect(recs.count == 3)
        guard case .point(let p, let line) = recs[0] else { Issue.record("\(recs[0])"); return }
        #expect(line == 1)
        #expect(p.measurement == "cpu")
        #expect(p.tags == [Tag(key: "cpu", value: "cpu0"), Tag(key: "host", value: "a")])
        #expect(p.fields == [Field(key: "usage_idle", value: .float(97.5)), Field(key: "n", value: .integer(3)),
                             Field(key: "s", value: .string("x y")), Field(key: "b", value: .boolean(true))])
        #expect(p.time == 1_700_000_000_000_000_000)
        guard case .error(let e) = recs[1] else { Issue.record("\(recs[1])"); return }
        #expect(e.line == 4)
        guard case .point(let m, 5) = recs[2] else { Issue.record("\(recs[2])"); return }
        #expect(m.fields == [Field(key: "v", value: .unsigned(1))])
        #expect(m.time == 42)
    }
}
