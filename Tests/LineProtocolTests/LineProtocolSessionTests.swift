import Testing
@testable import LineProtocol

/// ``LineProtocolSession``: a reading thread's parser that keeps its scratch buffers and reuses the
/// storage of the points given back — only where nothing else holds them, and only storage of
/// about the point's own size.
@Suite struct LineProtocolSessionTests {
    static let parser = LineProtocolParser(precision: .nanoseconds)

    /// UDPLoad's shape: 25 lines that differ by a few bytes.
    static func datagram(_ n: Int) -> [UInt8] {
        var text = ""
        for i in 0..<25 {
            text += "cpu,host=server\(n * 25 + i),cpu=cpu\(i % 4) usage_idle=\(90 + i).\(n % 10),usage_user=\(i).5 \(1_700_000_000 + n)\n"
        }
        return Array(text.utf8)
    }

    static func plain(_ bytes: [UInt8]) -> [Point] {
        parser.records(bytes, defaultTime: 7).compactMap { if case .point(let p, _) = $0 { return p } else { return nil } }
    }

    func parse(_ session: LineProtocolSession, _ bytes: [UInt8], into points: inout [Point]) -> [LineProtocolError] {
        var errors: [LineProtocolError] = []
        bytes.withUnsafeBytes { session.parse($0, defaultTime: 7, into: &points) { errors.append($0) } }
        return errors
    }

    static func storageID(_ p: Point) -> ObjectIdentifier { ObjectIdentifier(p.shared.storage) }

    @Test func theNextDatagramTakesOverTheStorageOfPointsNothingHolds() {
        let session = LineProtocolSession(Self.parser)
        var points: [Point] = []
        #expect(parse(session, Self.datagram(0), into: &points).isEmpty)
        let first = Set(points.map(Self.storageID))
        #expect(first.count == 25)
        for n in 1...20 {
            session.recycle(&points)
            #expect(points.isEmpty)
            #expect(parse(session, Self.datagram(n), into: &points).isEmpty)
            #expect(points == Self.plain(Self.datagram(n)), "datagram \(n)")
        }
        // After the first few datagrams the storages only go round: no new ones are made.
        session.recycle(&points)
        _ = parse(session, Self.datagram(21), into: &points)
        let settled = Set(points.map(Self.storageID))
        session.recycle(&points)
        _ = parse(session, Self.datagram(22), into: &points)
        #expect(Set(points.map(Self.storageID)) == settled)
        #expect(points == Self.plain(Self.datagram(22)))
    }

    @Test func aPointSomethingKeptIsNeverRewritten() {
        let session = LineProtocolSession(Self.parser)
        var points: [Point] = []
        _ = parse(session, Self.datagram(0), into: &points)
        let kept = [points[24], points[3]]  // as a rule's event or a group's last point keeps them
        let expected = Array(Self.plain(Self.datagram(0))[24...24]) + [Self.plain(Self.datagram(0))[3]]
        for n in 1...5 {
            session.recycle(&points)
            _ = parse(session, Self.datagram(n), into: &points)
            #expect(points == Self.plain(Self.datagram(n)))
            #expect(!points.map(Self.storageID).contains(Self.storageID(kept[0])))
            #expect(!points.map(Self.storageID).contains(Self.storageID(kept[1])))
        }
        #expect(kept == expected)
        #expect(kept[0].tag("host") == "server24")
        #expect(kept[1].field("usage_user") == .float(3.5))
    }

    @Test func pointsStayValidAfterTheDatagramBufferIsReused() {
        let session = LineProtocolSession(Self.parser)
        var buffer = Self.datagram(1)
        var points: [Point] = []
        _ = parse(session, buffer, into: &points)
        let expected = Self.plain(Self.datagram(1))
        // The receive slot is overwritten by the next datagram: the points hold their own bytes.
        for i in buffer.indices { buffer[i] = UInt8(ascii: "x") }
        #expect(points == expected)
        #expect(points[0].measurement == "cpu" && points[0].tag("host") == "server25")
    }

    @Test func aShortPointDoesNotTakeOverALongLinesStorage() {
        let session = LineProtocolSession(Self.parser)
        var points: [Point] = []
        let long = "m,host=a text=\"" + String(repeating: "y", count: 4000) + "\"\n"
        _ = parse(session, Array(long.utf8), into: &points)
        let big = Self.storageID(points[0])
        session.recycle(&points)
        _ = parse(session, Array("m,host=a v=1\n".utf8), into: &points)
        #expect(Self.storageID(points[0]) != big)
        // Its storage is about its own size: entries (16 + 24) and the line (12), with the slack.
        #expect(points[0].shared.storage.capacity <= 2 * (16 + 24 + 12) + 128)
        #expect(points == Self.plain(Array("m,host=a v=1\n".utf8)))
        #expect(session.retiredCount == 0)
    }

    @Test func errorsAndRecordsMatchThePlainParser() {
        let session = LineProtocolSession(Self.parser)
        let input = Array("cpu v=1\nbad line\n\nm\\ x,t=\\ a s=\"q\\\"\",i=3i 5\ncpu v=\n".utf8)
        var records: [LineProtocolRecord] = []
        for _ in 0..<3 {
            var points: [Point] = []
            records = []
            input.withUnsafeBytes { raw in session.parse(raw, defaultTime: 7) { records.append($0) } }
            for case .point(let p, _) in records { points.append(p) }
            session.recycle(&points)
            #expect(records == Self.parser.records(input, defaultTime: 7))
        }
        var points: [Point] = []
        let errors = parse(session, input, into: &points)
        #expect(errors.map(\.line) == [2, 5])
        #expect(points.count == 2)
    }
}
