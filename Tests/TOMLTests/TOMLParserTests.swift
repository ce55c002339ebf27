import Testing
import TOML

/// Positions, messages, limits and the table API of the TOML reader (what the oracle's verdicts do
/// not cover).
@Suite struct TOMLParserTests {
    func parse(_ text: String) throws -> TOMLTable { try TOMLTable(parsing: text) }

    func problem(_ text: String) -> String {
        do {
            _ = try TOMLTable(parsing: text)
            return "accepted"
        } catch {
            return "\(error.position): \(error.reason)"
        }
    }

    @Test func keysValuesAndTablesKnowWhereTheyAre() throws {
        let root = try parse("""
            title = "x"
            [[kafka]]
              brokers = ["a:1",
                         "b:2"]
              [kafka.librdkafka]
                "linger.ms" = 5
            [[kafka]]
            \tid = { name.first = 'é', n = 1 }
            """)
        #expect(root.keyPosition("title") == TOMLPosition(line: 1, column: 1))
        #expect(root["title"]?.position == TOMLPosition(line: 1, column: 9))
        let kafka = try #require(root["kafka"]?.array)
        #expect(root["kafka"]?.position == TOMLPosition(line: 2, column: 1))
        #expect(kafka.map(\.position) == [TOMLPosition(line: 2, column: 1), TOMLPosition(line: 7, column: 1)])
        let first = try #require(kafka[0].table)
        #expect(first.position == TOMLPosition(line: 2, column: 1))
        #expect(first.keyPosition("brokers") == TOMLPosition(line: 3, column: 3))
        #expect(first["brokers"]?.array?.map(\.position) == [TOMLPosition(line: 3, column: 14), TOMLPosition(line: 4, column: 14)])
        let librdkafka = try #require(first["librdkafka"]?.table)
        #expect(librdkafka.position == TOMLPosition(line: 5, column: 3))
        #expect(librdkafka.keyPosition("linger.ms") == TOMLPosition(line: 6, column: 5))
        #expect(librdkafka["linger.ms"]?.position == TOMLPosition(line: 6, column: 19))
        // A tab is one column; é is one column.
        let id = try #require(kafka[1].table?["id"]?.table)
        #expect(kafka[1].table?.keyPosition("id") == TOMLPosition(line: 8, column: 2))
        #expect(id.position == TOMLPosition(line: 8, column: 7))
        #expect(id.keyPosition("n") == TOMLPosition(line: 8, column: 27))
        #expect(id["name"]?.table?["first"]?.string == "é")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let root = try parse("s = \"日本語\"; x = 1\n".replacing("; ", with: "\n") + "\"ключ\" = 'значение' # коммент\nz = 2\n")
        #expect(root["x"]?.position == TOMLPosition(line: 2, column: 5))
        #expect(root["ключ"]?.position == TOMLPosition(line: 3, column: 10))
        #expect(problem("a = \"日本語\" b\n") == "1:11: expected the end of the line after the value of a, found 'b' (one key = value or header per line)")
    }

    @Test func implicitTablesTakeTheirHeaderWhenDefinedLater() throws {
        let root = try parse("[a.b]\nx = 1\n\n[a]\ny = 2\n")
        #expect(root["a"]?.table?.position == TOMLPosition(line: 4, column: 1))
        #expect(root["a"]?.table?["b"]?.table?.position == TOMLPosition(line: 1, column: 1))
        let dotted = try parse("[t]\n  x.y = 1\n")
        #expect(dotted["t"]?.table?["x"]?.table?.position == TOMLPosition(line: 2, column: 3))
    }

    /// Each kind of mistake: where it is reported and what the reason says.
    @Test(arguments: [
        ("[[kafka]]\nbrokers = [\"a:1\"\n", "2:11: the array opened here is not closed: expected ',' or ']' before the end of the file"),
        ("[[kafka]]\nbrokers = [\"a:1\"\nid = 1\n", "3:1: expected ',' or ']' after element 1 of the array opened at 2:11, found 'i'"),
        ("[[kafka]\n", "1:8: expected ']]' to close the array of tables header [[kafka, found ']'"),
        ("[udp\n", "1:5: expected ']' to close the table header [udp, found the end of the line"),
        ("enabled = yes\n", "1:11: expected a value for enabled, found \"yes\" (a string is quoted: \"…\"; booleans are true and false)"),
        ("port = 08089\n", "1:8: port: \"08089\" is not a valid number (integers: 42, -17, 1_000, 0xff, 0o17, 0b101, no leading zeros; floats: 3.14, -0.5, 6.02e23, inf, nan)"),
        ("n = 9223372036854775808\n", "1:5: n: 9223372036854775808 does not fit in a 64-bit integer (-9223372036854775808 to 9223372036854775807)"),
        ("d = 2023-02-29\n", "1:5: d: 2023-02-29 is not a real day (2023-02 has 28 days)"),
        ("t = 24:00:00\n", "1:5: t: \"24:00:00\" is not a valid time (HH:MM:SS[.fraction], 00:00:00 to 23:59:59)"),
        ("a = 1\na = 2\n", "2:1: a is defined twice (first at line 1, column 1)"),
        ("[relay]\nqueue-size = 1\n  queue-size = 2\n", "3:3: queue-size is defined twice in [relay] (first at line 2, column 1)"),
        ("[http]\n[http]\n", "2:1: table [http] is defined twice (first at line 1)"),
        ("[[udp]]\n[udp]\n", "2:1: udp is an array of tables (first [[udp]] at line 1): write [[udp]] for another element"),
        ("[kafka]\n[[kafka]]\n", "2:1: [[kafka]]: kafka is already a table (line 1), not an array of tables"),
        ("a.b = 1\n[a]\n", "2:1: table [a] was already defined by dotted keys at line 1 (a.… = …); add its keys there, or give a sub-table its own header"),
        ("[a.b]\n[a]\nb.c = 1\n", "3:1: b.c: dotted keys cannot add to the table b, which its header at line 1 defines; write the key under that header"),
        ("h = { a = 1 }\nh.b = 2\n", "2:1: h is an inline table (line 1, column 1), complete as written: nothing can be added to it"),
        ("h = { a = 1,\n  b = 2 }\n", "1:13: the inline table opened at 1:5 must end on its line (expected a key, found the end of the line)"),
        ("h = { a = 1, }\n", "1:14: expected a key in the inline table opened at 1:5, found '}' (no comma after the last entry)"),
        ("s = \"C:\\path\"\n", "1:8: invalid escape '\\p' in a string (valid: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX); write '\\\\' for a backslash, or use a '…' literal string"),
        ("s = \"\\uD800\"\n", "1:6: \\uD800 is not a Unicode scalar value (surrogates D800–DFFF and values above 10FFFF are not)"),
        ("s = \"abc\n", "1:5: the string opened here is not closed on its line (a string in \"…\" is one line; use \"\"\"…\"\"\" for several)"),
        ("s = \"\"\"abc\n", "1:5: the multi-line string opened here is not closed: expected '\"\"\"' before the end of the file"),
        ("s = \"a\u{1}\"\n", "1:7: control character U+0001 in a string: write it as \\u0001"),
        ("# a\u{7F}\n", "1:4: control character U+007F in a comment (only tab is allowed)"),
        ("a = 1\rb = 2\n", "1:6: expected the end of the line after the value of a, found U+000D (one key = value or header per line)"),
        ("!x = 1\n", "1:1: expected a key, a [table] header or a comment at the start of a line, found '!'"),
        ("a b = 1\n", "1:3: expected '=' after the key a, found 'b'"),
        ("a = 1 2\n", "1:7: expected the end of the line after the value of a, found '2' (one key = value or header per line)"),
    ])
    func mistakesAreReportedWhereTheyAre(text: String, expected: String) {
        #expect(problem(text) == expected)
    }

    @Test func nestingIsBounded() throws {
        let deep = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        _ = try parse(deep)
        #expect(problem("a = " + String(repeating: "[", count: 101) + String(repeating: "]", count: 101) + "\n")
            == "1:105: arrays and tables nested more than 100 deep")
        #expect(problem("[" + Array(repeating: "t", count: 101).joined(separator: ".") + "]\n")
            == "1:1: tables nested more than 100 deep")
        // Far deeper than any stack would allow recursion to go: refused, not crashed.
        #expect(problem("a = " + String(repeating: "[", count: 1_000_000)).hasSuffix("arrays and tables nested more than 100 deep"))
        #expect(problem("a = " + String(repeating: "{b = ", count: 100_000)).hasSuffix("arrays and tables nested more than 100 deep"))
    }

    /// Linear in the input: a long one-line array, many keys, many array elements, a long string.
    @Test func largeDocumentsReadInOnePass() throws {
        let clock = ContinuousClock()
        let n = 200_000
        let array = "a = [" + (0..<n).map(String.init).joined(separator: ",") + "]\n"
        let keys = (0..<n).map { "k\($0) = \($0)\n" }.joined()
        let tables = (0..<(n / 10)).map { "[[t]]\nid = \($0)\n" }.joined()
        let string = "s = \"" + String(repeating: "x\\n", count: n) + "\"\n"
        let started = clock.now
        #expect(try parse(array)["a"]?.array?.count == n)
        #expect(try parse(keys).count == n)
        #expect(try parse(tables)["t"]?.array?.count == n / 10)
        #expect(try parse(string)["s"]?.string?.utf8.count == 2 * n)
        // About 5 MB in all: well under a second when linear, minutes if anything were quadratic.
        #expect(clock.now - started < .seconds(30))
    }

    @Test func valuesHaveTheirTypes() throws {
        let root = try parse("""
            s = "x"
            i = 0x0
            f = 6.02e23
            b = true
            odt = 1979-05-27T00:32:00.999999999-07:00
            ldt = 1979-05-27T07:32:00
            ld = 1979-05-27
            lt = 07:32:00.5
            a = [1, "two"]
            t = { k = 1 }
            n = -nan
            """)
        #expect(root.keys == ["s", "i", "f", "b", "odt", "ldt", "ld", "lt", "a", "t", "n"])
        #expect(root.entries.map(\.value.type) == [.string, .int, .double, .bool, .offsetDateTime, .localDateTime, .localDate, .localTime, .array, .table, .double])
        #expect(root["i"]?.int == 0)
        #expect(root["f"]?.double == 6.02e23)
        #expect(root["f"]?.int == nil)
        #expect(root["odt"]?.dateTime?.description == "1979-05-27T00:32:00.999999999-07:00")
        #expect(root["odt"]?.dateTime?.offsetMinutes == -420)
        #expect(root["ldt"]?.dateTime?.description == "1979-05-27T07:32:00")
        #expect(root["ld"]?.date == TOMLDate(year: 1979, month: 5, day: 27))
        #expect(root["lt"]?.time == TOMLTime(hour: 7, minute: 32, second: 0, nanosecond: 500_000_000))
        #expect(root["n"]?.double?.isNaN == true)
        #expect(TOMLType.offsetDateTime.withArticle == "an offset date-time")
    }

    @Test func tablesCanBeChangedInCode() throws {
        var root = try parse("a = 1\nb = 2\n")
        root["a"] = TOMLValue(.string("x"))
        root["c"] = TOMLValue(.boolean(true))
        #expect(root.keys == ["a", "b", "c"])
        #expect(root.keyPosition("a") == TOMLPosition(line: 1, column: 1), "a replaced value keeps its key's place")
        #expect(root.keyPosition("c") == nil)
        root["b"] = nil
        #expect(root.keys == ["a", "c"])
        #expect(root["c"]?.bool == true)
        // Equality is about contents: order and positions do not count.
        #expect(try parse("x = 1\ny = [2]\n") == parse("y = [ 2 ]\n\n\nx = 1\n"))
        #expect(try parse("x = 1\n") != parse("x = 2\n"))
    }
}
