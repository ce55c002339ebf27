import Testing
@testable import AlertRules

/// The node composer on the system libyaml: anchors and aliases (bounded), multi-document files,
/// explicit tags, and libyaml's own errors at file:line:column.
@Suite struct YAMLComposerTests {
    let loader = RuleLoader(clusters: ["k"])

    func error(_ yaml: String, handler: Bool = false) -> RuleLoadError? {
        do {
            if handler { _ = try loader.handlers(text: yaml, file: "f.yaml") } else { _ = try loader.rules(text: yaml, file: "f.yaml") }
            return nil
        } catch {
            return error.errors.first
        }
    }

    /// An anchored value used again through aliases: the second rule gets the first one's
    /// condition and handlers; a value reached through an alias keeps the anchor's position.
    @Test func anchorsAndAliases() throws {
        let rules = try loader.rules(text: """
            - id: a
              crit: &cond '"v" > 1'
              kafka: &out [{topic: one}, {topic: two}]
            - id: b
              crit: *cond
              kafka: *out
            """, file: "f.yaml")
        #expect(rules.map(\.id) == ["a", "b"])
        #expect(rules[1].handlers.count == 2)
        #expect(rules[1].levels.map { $0?.description } == rules[0].levels.map { $0?.description })
        let e = error("- id: a\n  crit: &c 'x +'\n- id: b\n  crit: *c\n")
        #expect(e?.location.line == 2 && e?.location.column == 13, "at the anchored text, not the alias: \(String(describing: e))")
    }

    @Test func undefinedAliasIsAnErrorAtTheAlias() {
        let e = error("id: a\ncrit: *nowhere\n")
        #expect(e?.message == "YAML: found undefined alias \"nowhere\"")
        #expect(e?.location.line == 2 && e?.location.column == 7, "\(String(describing: e))")
    }

    /// Nine levels of ten aliases each would be 10^9 nodes for the loaders to walk ("billion
    /// laughs"): refused at the alias that crosses the cap, quickly.
    @Test func aliasBombIsRefused() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let start = ContinuousClock.now
        let e = error(yaml)
        let took = ContinuousClock.now - start
        print("alias bomb (10^9 nodes expanded) refused in \(took)")
        #expect(e?.message.contains("more than 1000000 nodes with aliases expanded") == true, "\(String(describing: e))")
        #expect(e?.location.line == 6, "the alias that crosses the cap (a5: 1,111,111 nodes): \(String(describing: e))")
        #expect(took < .seconds(2))
    }

    @Test func deepNestingIsRefused() {
        let e = error("id: a\ncrit: " + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000) + "\n")
        #expect(e?.message.contains("nested deeper than 256 levels") == true, "\(String(describing: e))")
    }

    /// Every document of a file counts (rule files: each a rule or a list of rules; handler files:
    /// one handler each); an empty file or one of comments has none.
    @Test func multiDocumentFiles() throws {
        let rules = try loader.rules(text: """
            id: a
            crit: '"v" > 1'
            ---
            - id: b
              crit: '"v" > 2'
            - id: c
              crit: '"v" > 3'
            ...
            ---
            id: d
            crit: '"v" > 4'
            """, file: "f.yaml")
        #expect(rules.map(\.id) == ["a", "b", "c", "d"])
        let handlers = try loader.handlers(text: "id: h1\ntopic: t\nkind: kafka\noptions: {topic: x}\n---\nid: h2\ntopic: t\nkind: kafka\noptions: {topic: y}\n",
                                           file: "h.yaml")
        #expect(handlers.map(\.id) == ["h1", "h2"])
        #expect(try loader.rules(text: "", file: "f.yaml").isEmpty)
        #expect(try loader.rules(text: "# nothing yet\n", file: "f.yaml").isEmpty)
        // An error in the second document points into it.
        let e = error("id: a\ncrit: '\"v\" > 1'\n---\nid: b\ncrit: '\"v\" > 1'\ncritt: x\n")
        #expect(e?.location.line == 6 && e?.location.column == 1, "\(String(describing: e))")
        // Anchors are per document, as YAML says.
        let scoped = error("id: a\ncrit: &c '\"v\" > 1'\n---\nid: b\ncrit: *c\n")
        #expect(scoped?.message == "YAML: found undefined alias \"c\"" && scoped?.location.line == 5)
    }

    /// `!!str` makes a plain value a string, `!!int` a quoted one an integer; other tags are refused.
    @Test func explicitTagsAreHonoured() throws {
        func defaults(_ value: String) throws -> String {
            let r = try #require(try loader.rules(text: "id: r\nmeasurement: cpu\ncrit: '\"x\" > 0'\nsteps:\n  - default: {fields: {x: \(value)}}\n",
                                                  file: "f.yaml").first)
            return r.steps.map(\.description).joined()
        }
        func check(_ value: String, _ expected: String) throws {
            let got = try defaults(value)
            #expect(got == expected, "\(value): \(got)")
        }
        try check("5", "default().field('x', integer(5))")
        try check("!!str 5", #"default().field('x', string("5"))"#)
        try check("'5'", #"default().field('x', string("5"))"#)
        try check("!!int '5'", "default().field('x', integer(5))")
        try check("!!float '2.5'", "default().field('x', float(2.5))")
        try check("!!bool 'true'", "default().field('x', boolean(true))")
        let bad = error("id: r\ncrit: '\"x\" > 0'\nsteps:\n  - default: {fields: {x: !!int 'five'}}\n")
        #expect(bad?.message == "YAML: \"five\" is not a valid !!int" && bad?.location.line == 4 && bad?.location.column == 27, "\(String(describing: bad))")
        let unknown = error("id: r\ncrit: !secret '\"x\" > 0'\n")
        #expect(unknown?.message.contains("unsupported tag !secret") == true && unknown?.location.line == 2, "\(String(describing: unknown))")
    }

    /// libyaml's own errors, with its problem, its context, and the problem's position.
    @Test(arguments: [
        // A tab where indentation is expected.
        ("id: a\ncrit: x\n\tkafka: {}\n", "YAML: found a tab character that violates indentation (while scanning a plain scalar at line 2)", 3, 1),
        // A quote never closed: found at the end of the stream.
        ("id: 'a\ncrit: x\n", "YAML: found unexpected end of stream (while scanning a quoted scalar at line 1)", 3, 1),
        // A flow sequence never closed.
        ("id: a\ncrit: [1, 2\n", "YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)", 3, 1),
        // A key at a wrong indentation.
        ("id: a\n  crit: x\n", "YAML: mapping values are not allowed in this context", 2, 7),
    ])
    func libyamlErrorPositions(_ c: (String, String, Int, Int)) {
        let e = error(c.0)
        #expect(e?.message == c.1, "\(String(describing: e))")
        #expect(e?.location.file == "f.yaml")
        #expect(e?.location.line == c.2 && e?.location.column == c.3, "\(String(describing: e))")
    }

    /// A control character libyaml's reader refuses: the position comes from its byte offset.
    @Test func readerErrorPosition() {
        let e = error("id: a\ncrit: 'x\u{01}'\n")
        #expect(e?.message.hasPrefix("YAML: control characters are not allowed") == true, "\(String(describing: e))")
        #expect(e?.location.line == 2 && e?.location.column == 9, "\(String(describing: e))")
    }
}
