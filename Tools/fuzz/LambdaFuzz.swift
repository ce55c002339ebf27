// libFuzzer target for lambda expressions and rule files: the input is a lambda expression (rule
// and handler-match dialects, compiled and evaluated against fixed points) and, as YAML, a rule
// file and a handler file. Nothing may crash, whatever the bytes. Built by Tools/fuzz/run.sh lambda.

let points = [
    Point(measurement: "cpu", tags: [Tag(key: "host", value: "web-1"), Tag(key: "x", value: "tag")],
          fields: [Field(key: "usage_idle", value: .float(5.5)), Field(key: "n", value: .integer(-9_223_372_036_854_775_808)),
                   Field(key: "u", value: .unsigned(18_446_744_073_709_551_615)), Field(key: "s", value: .string("a'b\"c")),
                   Field(key: "b", value: .boolean(true)), Field(key: "x", value: .float(1))],
          time: 1_764_288_010_000_000_000),
    Point(measurement: "cpu", fields: [Field(key: "n", value: .integer(0))], time: -1),
]
let event = LambdaEventInfo(changed: true, level: .critical, name: "cpu", taskName: "t", duration: 90_000_000_000,
                            tags: [Tag(key: "host", value: "web-1")])

@_cdecl("LLVMFuzzerTestOneInput")
public func lambdaFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var slots = 0
    if let e = try? LambdaExpression(text, dialect: .rule, slots: &slots) {
        let state = LambdaState(slots: slots)
        for p in points {
            for _ in 0..<3 { _ = try? e.evaluate(LambdaContext(point: p, state: state)) }
        }
    }
    if let e = try? LambdaExpression(text, dialect: .handlerMatch) {
        _ = try? e.evaluate(LambdaContext(event: event))
    }
    let loader = RuleLoader(clusters: ["a"])
    if let rules = try? loader.rules(text: text, file: "fuzz.yaml") {
        let engine = RuleEngine(rules: rules)
        let router = AlertRouter(rules: rules, handlers: [])
        for p in points { engine.process(p) { _ = router.route($0) } }
    }
    _ = try? loader.handlers(text: text, file: "fuzz.yaml")
    // The same bytes as a TICKscript task.
    if let rules = try? loader.rules(tick: text, file: "fuzz.tick") {
        let engine = RuleEngine(rules: rules)
        for p in points { engine.process(p) { _ in } }
        engine.advanceClock(to: 1 << 40) { _ in }
    }
    return 0
}
