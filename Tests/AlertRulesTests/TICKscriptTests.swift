import Testing
@testable import AlertRules

/// TICKscript tasks: the grammar, what they compile to, and every refusal at its file:line:column.
@Suite struct TICKscriptTests {
    func load(_ tick: String, file: String = "task.tick") throws -> AlertRule {
        try #require(try RuleLoader(clusters: ["k"]).rules(tick: tick, file: file).first)
    }

    func error(_ tick: String) -> String {
        do {
            _ = try RuleLoader(clusters: ["k"]).rules(tick: tick, file: "bad.tick")
            return ""
        } catch {
            return error.description
        }
    }

    @Test func everyLiteralAndAChainInAVariable() throws {
        let r = try load("""
            // comment
            var period = 5m
            var threshold = 10
            var name = 'cpu'
            var on = TRUE
            var crit = lambda: "mean" < threshold
            var msg = '''{{ .ID }} is {{ .Level }}: it's low'''
            dbrp "telegraf"."autogen"
            var data = stream
                |from().measurement(name).groupBy(*)
                |window().period(period).every(1m).align()
            data
                |mean('usage_idle').as('mean')
                |alert().crit(crit).message(msg).stateChangesOnly(15m).flapping(0.25, 0.5).history(30)
                    .kafka().cluster('k').kafkaTopic('cpu-alerts')
                    .log('/tmp/a.log').mode(0644)
            """, file: "/dir/cpu_mean.tick")
        #expect(r.id == "cpu_mean")
        #expect(r.measurement == "cpu" && r.groupBy == .all)
        #expect(r.steps.map(\.description) == [#"window(period: 5m0s, every: 1m0s, align) | mean("usage_idle").as("mean")"#])
        #expect(r.levelTexts[AlertLevel.critical.rawValue] == "\"mean\" < 10")
        #expect(r.messageTemplate.text == "{{ .ID }} is {{ .Level }}: it's low")
        #expect(r.stateChangesOnly && r.stateChangesOnlyResend == 15 * 60 * 1_000_000_000 && r.history == 30)
        #expect(r.handlers.count == 2)
    }

    @Test func deadmanAndTransforms() throws {
        let r = try load("""
            stream|from().measurement('hb').groupBy('app')
              |eval(lambda: "v" * 2.0).as('v2').keep()
              |derivative('v2').unit(1m).nonNegative()
              |deadman(0.5, 30s).id('{{ .Group }} is quiet').stateChangesOnly()
            """)
        #expect(r.deadman == DeadmanSpec(threshold: 0.5, interval: 30_000_000_000, nodeName: "derivative3"))
        #expect(r.idTemplate.text == "{{ .Group }} is quiet")
        #expect(r.steps.count == 2)
    }

    @Test(arguments: [
        ("batch|query('SELECT 1')|alert().crit(lambda: TRUE)", "bad.tick:1:1: TICKscript: batch tasks are not supported"),
        ("stream|from()|union()|alert()", "bad.tick:1:15: TICKscript: node union() is not supported"),
        ("stream|from()|@myUDF()", "bad.tick:1:15: TICKscript: UDFs (@name) are not supported"),
        ("stream|from()\n  |alert()\n    .crit(lambda: TRUE)\n    .slack()", "bad.tick:4:6: TICKscript: alert() property or handler slack is not supported (handlers: kafka, log)"),
        ("stream|from()|alert().crit(lambda: \"v\" > nope)", "bad.tick:1:"),
        ("stream|from()|window().periodCount(10)|count('v')|alert().crit(lambda: TRUE)", "bad.tick:1:24: TICKscript: windows by point count (periodCount) are not supported"),
        ("stream|from().measurement('cpu')", "bad.tick:1:8: TICKscript: the task has no alert()"),
        ("stream|from()|alert().crit(lambda: TRUE)|httpOut('x')", "bad.tick:1:42: TICKscript: node httpOut() after the alert is not supported"),
        ("stream|from().measurement(cpu)|alert()", "bad.tick:1:27: TICKscript: unknown variable \"cpu\""),
        ("stream|from().measurement('cpu\n|alert()", "bad.tick:1:27: TICKscript: unterminated string"),
    ])
    func refusalsSayWhereAndWhat(_ tick: String, _ message: String) {
        let e = error(tick)
        #expect(e.hasPrefix(message), "\(e)")
    }

    /// A mistake the YAML loader finds (a bad lambda) still points into the .tick file.
    @Test func lambdaErrorsPointIntoTheTask() {
        let e = error("stream\n  |from().measurement('cpu')\n  |alert()\n    .crit(lambda: \"usage_idle\" <)\n")
        #expect(e.hasPrefix("bad.tick:4:6: "), "\(e)")
        #expect(e.contains("crit"))
    }
}
