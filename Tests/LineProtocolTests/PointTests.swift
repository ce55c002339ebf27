import Testing
@testable import LineProtocol

/// The one-buffer `Point`: what it stores, how it reads, and that parsed and built points agree.
@Suite struct PointTests {
    let parser = LineProtocolParser(precision: .nanoseconds)

    func parsed(_ line: String) throws -> Point {
        let records = parser.records(Array(line.utf8), defaultTime: 0)
        guard case .point(let p, _)? = records.first else { throw PointTestError.notAPoint(records) }
        return p
    }

    enum PointTestError: Error { case notAPoint([LineProtocolRecord]) }

    @Test func parsedEqualsBuilt() throws {
        let p = try parsed(#"c\ pu,z=1,a\,b=x\ y f="s \"q\"",i=-3i,u=4u,b=t,x=1.5 17"#)
        let built = Point(measurement: "c pu", tags: [Tag(key: "a,b", value: "x y"), Tag(key: "z", value: "1")],
                          fields: [Field(key: "f", value: .string(#"s "q""#)), Field(key: "i", value: .integer(-3)),
                                   Field(key: "u", value: .unsigned(4)), Field(key: "b", value: .boolean(true)),
                                   Field(key: "x", value: .float(1.5))],
                          time: 17)
        #expect(p == built)
        #expect(p.measurement == "c pu")
        #expect(p.tags == [Tag(key: "a,b", value: "x y"), Tag(key: "z", value: "1")])
        #expect(p.fields.count == 5)
        #expect(p.tag("z") == "1")
        #expect(p.tag("nope") == nil)
        #expect(p.field("f") == .string(#"s "q""#))
        #expect(p.tagIndex("z") == 1)
        #expect(p.description == #"Point(measurement: "c pu", tags: [a,b=x y, z=1], fields: [f=string("s \"q\""), i=integer(-3), u=unsigned(4), b=boolean(true), x=float(1.5)], time: 17)"#)
    }

    @Test func repeatedFieldKeepsBothAndLastWins() throws {
        let p = try parsed("m v=1,v=2i")
        #expect(p.fields.map(\.key) == ["v", "v"])
        #expect(p.field("v") == .integer(2))
    }

    @Test func bytesAreReadInPlace() throws {
        let p = try parsed("cpu,host=a,region=eu v=1")
        #expect(p.withMeasurementUTF8 { Array($0) } == Array("cpu".utf8))
        #expect(p.withTagUTF8(1) { String(decoding: $0, as: UTF8.self) + "=" + String(decoding: $1, as: UTF8.self) } == "region=eu")
        #expect(p.tagCount == 2)
    }

    /// Invalid UTF-8 is stored repaired, so comparing bytes agrees with comparing Strings.
    @Test func invalidUTF8IsStoredRepaired() throws {
        var bytes = Array("m,t=".utf8)
        bytes += [0xFF, 0x61]
        bytes += Array(" f=1".utf8)
        guard case .point(let p, _)? = parser.records(bytes, defaultTime: 0).first else {
            Issue.record("not a point")
            return
        }
        #expect(p.tag("t") == "\u{FFFD}a")
        #expect(p.withTagUTF8(0) { _, v in Array(v) } == Array("\u{FFFD}a".utf8))
    }

    @Test func settersRebuild() throws {
        var p = try parsed("m,t=a f=1 5")
        p.measurement = "n"
        p.tags = try parsed("x,u=b f=1").tags
        #expect(p == Point(measurement: "n", tags: [Tag(key: "u", value: "b")], fields: [Field(key: "f", value: .float(1))], time: 5))
        #expect(p != Point(measurement: "n", tags: [Tag(key: "u", value: "b")], fields: [Field(key: "f", value: .float(2))], time: 5))
    }

    @Test func pointsOutliveTheirInput() throws {
        var points: [Point] = []
        do {
            let input = Array((0..<1000).map { "m,h=host-\($0) v=\($0)i \($0)\n" }.joined().utf8)
            parser.parse(input, defaultTime: 0) { if case .point(let p, _) = $0 { points.append(p) } }
        }
        #expect(points.count == 1000)
        #expect(points[999].tag("h") == "host-999")
        #expect(points[999].field("v") == .integer(999))
    }
}
