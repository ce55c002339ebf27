#if canImport(Glibc)
import Glibc
#endif
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

/// The float fast paths against strtod (correctly rounded, as Go's ParseFloat): random decimals
/// with and without fractions and exponents, including ones just inside and outside the fast range.
@Suite struct FloatParsingTests {
    @Test func fastPathsAgreeWithStrtod() {
        var rng = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<200_000 {
            var text = Bool.random(using: &rng) ? "-" : ""
            let intDigits = Int.random(in: 0...17, using: &rng)
            for _ in 0..<intDigits { text += String(Int.random(in: 0...9, using: &rng)) }
            if intDigits == 0 || Bool.random(using: &rng) {
                text += "."
                for _ in 0..<Int.random(in: intDigits == 0 ? 1...9 : 0...9, using: &rng) { text += String(Int.random(in: 0...9, using: &rng)) }
            }
            if Bool.random(using: &rng) {
                text += ["e", "E"][Int.random(in: 0...1, using: &rng)] + ["", "+", "-"][Int.random(in: 0...2, using: &rng)]
                text += String(Int.random(in: 0...40, using: &rng))
            }
            let bytes = Array(text.utf8)
            let ours = bytes.withUnsafeBufferPointer { Scan.parseFloat($0, 0, $0.count) }
            let reference = strtod(text, nil)
            guard text.contains(where: \.isNumber) else { continue }
            if reference.isInfinite {
                #expect(ours == nil, "\(text)")
            } else {
                #expect(ours?.bitPattern == reference.bitPattern, "\(text): \(String(describing: ours)) vs \(reference)")
            }
            checked += 1
        }
        #expect(checked > 100_000)
    }
}
