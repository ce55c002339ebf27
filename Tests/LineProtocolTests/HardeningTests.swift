import Testing
@testable import LineProtocol

/// Input that is rejected costs time linear in its size, tags sort as InfluxDB sorts them, and an
/// unterminated quote costs only its own line (issue 15, items 2 and 7). Time bounds are generous
/// guards for the debug build; the quadratic code took seconds to minutes on these inputs.
@Suite struct HardeningTests {
    static func records(_ text: String, fast: Bool = true) -> [LineProtocolRecord] {
        var parser = LineProtocolParser()
        parser.fastPaths = fast
        return parser.records(Array(text.utf8), defaultTime: 1)
    }

    static func errors(_ records: [LineProtocolRecord]) -> [LineProtocolError] {
        records.compactMap { if case .error(let e) = $0 { e } else { nil } }
    }

    static func points(_ records: [LineProtocolRecord]) -> [Point] {
        records.compactMap { if case .point(let p, _) = $0 { p } else { nil } }
    }

    static func text(_ input: String, _ span: Range<Int>) -> String {
        String(decoding: Array(input.utf8)[span], as: UTF8.self)
    }

    /// `n` as five or six digits, so keys compare as their numbers do.
    static func digits(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    // MARK: Tags

    @Test func manyDescendingTagsAreRejectedInLinearTime() {
        // 120,000 tags in descending order (1.2 MB): InfluxDB sorts them, then rejects the key's length.
        var line = "m"
        for i in stride(from: 119_999, through: 0, by: -1) { line += ",t" + Self.digits(i, 6) + "=v" }
        line += " f=1\n"
        var records: [LineProtocolRecord] = []
        let elapsed = ContinuousClock().measure { records = Self.records(line) }
        #expect(records.count == 1)
        #expect(Self.errors(records).first?.reason.hasPrefix("max key length exceeded") == true)
        #expect(elapsed < .seconds(1), "\(elapsed)")
    }

    /// `n` as three characters of 0-9, A-Z, a-z (in byte order, so keys compare as numbers do).
    static func key(_ n: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String([alphabet[n / (62 * 62)], alphabet[n / 62 % 62], alphabet[n % 62]])
    }

    @Test func largeOutOfOrderTagSetsSortInLinearithmicTime() {
        // 10,000 tags (60 KB, under the key limit) in descending order: 50M comparisons by insertion.
        let count = 10_000
        var line = "m"
        for i in stride(from: count - 1, through: 0, by: -1) { line += "," + Self.key(i) + "=v" }
        line += " f=1\n"
        for fast in [true, false] {
            var records: [LineProtocolRecord] = []
            let elapsed = ContinuousClock().measure { records = Self.records(line, fast: fast) }
            let points = Self.points(records)
            #expect(points.count == 1)
            let sorted = points.first?.tags.map(\.key) == (0..<count).map { Self.key($0) }
            #expect(sorted)
            #expect(elapsed < .seconds(1), "\(elapsed)")
        }
    }

    /// InfluxDB's scanKey over the keys in line order: the first adjacent pair that is equal or out
    /// of order decides; out of order, a stable insertion sort, then the first equal neighbours.
    /// Returns the index of the tag reported as a duplicate, or the sorted order.
    static func influxDBOrder(_ keys: [[UInt8]]) -> Result<[Int], DuplicateTag> {
        var order = Array(keys.indices)
        for j in 0..<(keys.count - 1) {
            if keys[j].lexicographicallyPrecedes(keys[j + 1]) { continue }
            if keys[j] == keys[j + 1] { return .failure(DuplicateTag(index: j + 1)) }
            for x in 1..<order.count {
                var y = x
                while y > 0 && keys[order[y]].lexicographicallyPrecedes(keys[order[y - 1]]) {
                    order.swapAt(y, y - 1)
                    y -= 1
                }
            }
            for k in 0..<(order.count - 1) where keys[order[k]] == keys[order[k + 1]] {
                return .failure(DuplicateTag(index: order[k + 1]))
            }
            return .success(order)
        }
        return .success(order)
    }

    struct DuplicateTag: Error, Equatable { var index: Int }

    @Test func tagOrderAndDuplicatesMatchInfluxDBsInsertionSort() {
        var random = SplitMix64(seed: 15)
        // Keys longer than eight bytes share prefixes (the sort compares eight bytes at once first).
        let stems = ["", "a", "ab", "longprefix_", "longprefix_x", "\\,"]
        var compared = 0
        for round in 0..<400 {
            let count = 2 + Int(random.next() % (round < 200 ? 40 : 300))
            var keys: [String] = []
            for _ in 0..<count {
                let stem = stems[Int(random.next() % UInt64(stems.count))]
                keys.append(stem + String(random.next() % UInt64(round % 2 == 0 ? 2 * count : 100_000)))
            }
            if round % 3 == 0 { keys.sort() }  // sorted sets take InfluxDB's first pass only
            let line = "m" + keys.enumerated().map { ",\($1)=v\($0)" }.joined() + " f=1\n"
            let expected = Self.influxDBOrder(keys.map { Array($0.utf8) })
            for fast in [true, false] {
                let records = Self.records(line, fast: fast)
                switch expected {
                case .success(let order):
                    let tags = Self.points(records).first?.tags.map(\.value)
                    #expect(tags == order.map { "v\($0)" }, "\(line)")
                case .failure(let duplicate):
                    let error = Self.errors(records).first
                    // Column of the reported tag: after "m" and each earlier ",key=vN".
                    let column = 2 + keys.prefix(duplicate.index).enumerated().map { 1 + $1.utf8.count + 2 + String($0).count }.reduce(0, +) + 1
                    #expect(error?.reason == "duplicate tags", "\(line)")
                    #expect(error?.column == column, "\(line)")
                }
                compared += 1
            }
        }
        #expect(compared == 800)
    }

    // MARK: Unterminated quotes

    @Test func anUnterminatedQuoteRejectsOnlyItsOwnLine() {
        let good = (0..<100).map { "cpu,host=h\($0) v=\($0) \($0)" }
        let input = "cpu,t=bad v=5,msg=\"x\n" + good.joined(separator: "\n") + "\n"
        for fast in [true, false] {
            let records = Self.records(input, fast: fast)
            let errors = Self.errors(records)
            #expect(errors.count == 1)
            #expect(errors.first?.line == 1)
            #expect(errors.first?.reason == "unbalanced quotes")
            #expect(errors.first.map { Self.text(input, $0.span) } == "cpu,t=bad v=5,msg=\"x")
            #expect(Self.points(records).map(\.time) == (0..<100).map { Int64($0) })
            #expect(records.map { if case .point(_, let line) = $0 { line } else { 1 } } == Array(1...101))
        }
    }

    @Test func quotedStringsThatCloseStillSpanLines() {
        let input = "m s=\"a\nb\" 1\ncpu v=1 2\n"
        for fast in [true, false] {
            let points = Self.points(Self.records(input, fast: fast))
            #expect(points.map(\.time) == [1, 2])
            #expect(points.count == 2 && points[0].fields == [Field(key: "s", value: .string("a\nb"))])
        }
    }

    @Test func aSpanningRecordWithNoGoodLineIsRejectedWholeAsInfluxDBRejectsIt() {
        let input = "m f=\"a\nb\nc\n"
        for fast in [true, false] {
            let records = Self.records(input, fast: fast)
            #expect(records.count == 1)
            #expect(Self.errors(records).first.map { Self.text(input, $0.span) } == "m f=\"a\nb\nc")
        }
    }

    @Test func theLinesOfASwallowedRunAreTakenAsLinesAre() {
        // CRLF, comments, blank lines and leading blanks, each as on a line of its own.
        let input = "m f=\"x\r\n# comment\r\n\r\n   cpu v=1 1\r\nbad\r\ncpu v=2 2"
        for fast in [true, false] {
            let records = Self.records(input, fast: fast)
            #expect(Self.points(records).map(\.time) == [1, 2])
            let errors = Self.errors(records)
            #expect(errors.map(\.line) == [1, 5])
            #expect(errors.map { Self.text(input, $0.span) } == ["m f=\"x", "bad"])
        }
    }

    @Test func anErrorsSpanIsItsLineWithoutBlanksOrNewline() {
        let input = "cpu v=1\n  bad line\r\ncpu v=oops 2\n"
        let errors = Self.errors(Self.records(input))
        #expect(errors.map { Self.text(input, $0.span) } == ["bad line", "cpu v=oops 2"])
    }
}

/// A small seeded generator, so the random cases are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
