import Testing
@testable import AlertRules

/// TICKscript tasks: the grammar, what they compile to, and every refusal at its file:line:column.
@Suite struct TICKscriptTests {
    func load(_ tick: String, file: String = "task.tick") throws -> AlertRule {
        try #require(try RuleLoader(clusters: ["k"]).rules(tick: tick, file: file).first)
    }

    func error(_ tick: String) -> String {
        do {
            _ = try RuleLoader(clusters: ["k"], postEndpoints: [PostEndpoint(name: "e", url: "http://x/", alertTemplate: nil)]).rules(tick: tick, file: "bad.tick")
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

    /// Every literal type in a `var`, as Kapacitor's evaluator types it: what each becomes in the rule.
    @Test func varsOfEveryLiteralType() throws {
        let tick = #"""
            // thresholds
            var count = 5
            var minus = -3
            var ratio = 0.25
            var half = .5
            var perms = 0644
            var period = 5m
            var every = 2 * 30s
            var single = 'cpu'
            var escaped = 'it\'s'
            var triple = '''back\slash 'n' quote'''
            var re = /^cpu[0-9]+\/x$/
            var yes = TRUE
            var no = !FALSE
            var tags = ['host', 'cpu']
            var low = lambda: "mean" < ratio * 100.0
            dbrp "telegraf"."autogen"

            stream
                // the cpu points
                |from()
                    .measurement(single)
                    .where(lambda: "cpu" =~ re AND yes AND no)
                    .groupBy(tags)
                |window()
                    .period(period)
                    .every(every)
                |mean('usage_idle')
                    .as('mean')
                |alert()
                    .warn(lambda: low OR "mean" < minus)
                    .crit(lambda: "mean" < count)
                    .message(triple)
                    .details(escaped)
                    .flapping(ratio, half)
                    .history(count)
                    .log('/tmp/a.log')
                        .mode(perms)
            """#
        let yaml = try RuleLoader.convert(tick: tick, file: "t.tick")
        #expect(yaml == #"""
            id: 't'
            dbrp: [{database: 'telegraf', retentionPolicy: 'autogen'}]
            measurement: 'cpu'
            where: '"cpu" =~ /^cpu[0-9]+\/x$/ AND TRUE AND TRUE'
            groupBy: ['host', 'cpu']
            steps:
              - window: {period: 5m, every: 1m}
              - mean: {field: 'usage_idle', as: 'mean'}
            warn: '("mean" < 0.25 * 100.0) OR "mean" < -3'
            crit: '"mean" < 5'
            message: 'back\slash ''n'' quote'
            details: 'it''s'
            flapping: {low: 0.25, high: 0.5}
            history: 5
            log:
              - {path: '/tmp/a.log', mode: '0644'}

            """#)
        let r = try load(tick)
        #expect(r.groupBy == .tags(["cpu", "host"]))
        #expect(r.flapping?.low == 0.25 && r.history == 5)
    }

    /// Kapacitor's evaluator refuses these; so do we, at the place it names.
    @Test(arguments: [
        ("var x = 1\nvar x = 2\nstream|from()|alert().crit(lambda: TRUE)", "bad.tick:2:1: TICKscript: attempted to redefine x, vars are immutable"),
        ("var x int\nstream|from()|alert().crit(lambda: TRUE)", "bad.tick:1:1: TICKscript: var x int declares a template variable"),
        // eval_test.go TestEvaluate_StringQuotesError: at the call, with Kapacitor's hint.
        ("stream|from().measurement(\"cpu\")|alert().crit(lambda: TRUE)", "bad.tick:1:15: TICKscript: measurement takes a string: did you use double quotes instead of single quotes?"),
        ("stream|from()|alert().crit(lambda: TRUE).flapping(1, 0.5)", "bad.tick:1:51: TICKscript: flapping takes a float (write 1.0 for one) here, not an int"),
        ("stream|from()|alert().crit(lambda: TRUE).history(2.0)", "bad.tick:1:50: TICKscript: history takes an integer here, not a float"),
        ("var s = stream|from()\ns|alert().crit(lambda: TRUE)\ns|alert().crit(lambda: TRUE)", "bad.tick:3:3: TICKscript: a second branch from from() (the first continues at 2:3)"),
        ("var x = int(4.0)\nstream|from()|alert().crit(lambda: TRUE)", "bad.tick:1:9: TICKscript: no global function \"int\" defined"),
        ("var x = 'a' + 1\nstream|from()|alert().crit(lambda: TRUE)", "bad.tick:1:13: TICKscript: mismatched type to binary operator. got string + int"),
        ("stream|from().where(lambda: \"v\" > y)|alert().crit(lambda: TRUE)", "bad.tick:1:35: TICKscript: name \"y\" is undefined"),
        // Kapacitor has no ns literal: 10 is a number, ns an identifier where ) belongs.
        ("stream|from()|window().period(10ns)|alert().crit(lambda: TRUE)", "bad.tick:1:33: TICKscript: unexpected an identifier in"),
        ("stream|from()|alert().crit(lambda: TRUE)\n  .message('unterminated)", "bad.tick:2:12: TICKscript: unterminated string in \" .message('untermina\""),
    ])
    func evaluationRefusals(_ tick: String, _ message: String) {
        let e = error(tick)
        #expect(e.hasPrefix(message), "\(e)")
    }

    /// Every property and handler of Kapacitor 1.5.9's alert node (pipeline/alert.go: the
    /// AlertNodeData fields and methods, and node's quiet) either loads or is refused at its place,
    /// named, with what is supported.
    @Test(arguments: [
        ("category('c')", true), ("topic('t')", true), ("id('x')", true), ("message('m')", true), ("details('d')", true),
        ("info(lambda: TRUE)", true), ("warn(lambda: TRUE)", true), ("crit(lambda: TRUE)", true),
        ("infoReset(lambda: TRUE)", true), ("warnReset(lambda: TRUE)", true), ("critReset(lambda: TRUE)", true),
        ("flapping(0.25, 0.5)", true), ("history(10)", true), ("levelTag('l')", true), ("levelField('l')", true),
        ("messageField('m')", true), ("durationField('d')", true), ("idTag('i')", true), ("idField('i')", true),
        ("all()", true), ("noRecoveries()", true), ("stateChangesOnly()", true), ("stateChangesOnly(5m)", true),
        ("inhibit('c', 'host')", true), ("kafka().cluster('k').kafkaTopic('t')", true), ("log('/tmp/a.log').mode(0644)", true),
        ("flapLow(0.2)", false), ("flapHigh(0.5)", false), ("stateChangesOnlyDuration(5m)", false), ("quiet()", false),
        ("post('http://x')", true), ("post().endpoint('e')", true), ("post('http://x').header('k', 'v').captureResponse()", true),
        ("tcp('x:1')", true), ("email('a@b')", false), ("exec('/bin/true')", false),
        ("victorOps()", false), ("pagerDuty()", false), ("pagerDuty2()", false), ("pushover()", false), ("sensu()", false),
        ("slack()", false), ("discord()", false), ("bigPanda()", false), ("telegram()", false), ("hipChat()", false),
        ("alerta()", false), ("mqtt('t')", false), ("snmpTrap('1.1')", false), ("teams()", false), ("serviceNow()", false),
        ("talk()", false), ("opsGenie()", false), ("opsGenie2()", false),
    ])
    func everyAlertNodePropertyLoadsOrIsRefused(_ call: String, _ supported: Bool) {
        let tick = "stream|from()|alert().crit(lambda: TRUE)\n  .\(call)\n"
        let e = error(tick)
        if supported {
            #expect(e.isEmpty, "\(e)")
        } else {
            let name = String(call.prefix { $0 != "(" })
            #expect(e.hasPrefix("bad.tick:2:4: TICKscript: alert"), "\(e)")
            #expect(e.contains(" \(name) is not supported") && e.contains("handlers: kafka, log, post, tcp"), "\(e)")
        }
    }

    /// A property set twice keeps the later value, as Kapacitor's setters do.
    @Test func aPropertySetAgainReplacesTheEarlierValue() throws {
        let r = try load("stream|from().measurement('a').measurement('cpu')|alert().crit(lambda: FALSE).message('a').crit(lambda: TRUE).message('b')")
        #expect(r.measurement == "cpu" && r.messageTemplate.text == "b" && r.levelTexts[AlertLevel.critical.rawValue] == "TRUE")
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
        ("stream|from()@myUDF()", "bad.tick:1:15: TICKscript: UDFs (@myUDF) are not supported"),
        // Kapacitor's parser: a UDF follows its node with @, not |@.
        ("stream|from()|@myUDF()", "bad.tick:1:15: TICKscript: unexpected \"@\" in \"am|from()|@myUDF()\": expected an identifier"),
        ("stream|from()\n  |alert()\n    .crit(lambda: TRUE)\n    .slack()", "bad.tick:4:6: TICKscript: alert handler slack is not supported (handlers: kafka, log, post, tcp)"),
        ("stream|from()|alert().crit(lambda: \"v\" > nope)", "bad.tick:1:"),
        ("stream|from()|window().periodCount(10)|count('v')|alert().crit(lambda: TRUE)", "bad.tick:1:24: TICKscript: windows by point count (periodCount) are not supported"),
        ("stream|from().measurement('cpu')", "bad.tick:1:8: TICKscript: the task has no alert()"),
        ("stream|from()|alert().crit(lambda: TRUE)|window().period(1m)", "bad.tick:1:42: TICKscript: node window() after the alert is not supported"),
        ("stream|from().measurement(cpu)|alert()", "bad.tick:1:27: TICKscript: name \"cpu\" is undefined. Names in scope: stream"),
        ("stream|from().measurement('cpu\n|alert()", "bad.tick:1:27: TICKscript: unterminated string"),
    ])
    func refusalsSayWhereAndWhat(_ tick: String, _ message: String) {
        let e = error(tick)
        #expect(e.hasPrefix(message), "\(e)")
    }

    /// A lambda's syntax is TICKscript's: a mistake in it is found where Kapacitor finds it.
    @Test func lambdaSyntaxErrorsPointAtTheToken() {
        let e = error("stream\n  |from().measurement('cpu')\n  |alert()\n    .crit(lambda: \"usage_idle\" <)\n")
        #expect(e.hasPrefix("bad.tick:4:33: TICKscript: unexpected \")\" in \"ge_idle\" <)\": expected a number"), "\(e)")
    }

    /// A mistake the YAML loader finds (an unknown function) still points into the .tick file.
    @Test func lambdaErrorsPointIntoTheTask() {
        let e = error("stream\n  |from().measurement('cpu')\n  |alert()\n    .crit(lambda: nope(\"usage_idle\") < 5)\n")
        #expect(e.hasPrefix("bad.tick:4:6: "), "\(e)")
        #expect(e.contains("crit"))
    }
}
