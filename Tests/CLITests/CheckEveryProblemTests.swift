import AlertRelayTestSupport
import Foundation
import Testing

/// `alertrelay check` lists every problem of a config, its rule files and handler files in one
/// run, in file and line order, each at file:line:col.
@Suite struct CheckEveryProblemTests {
    /// 15 planted mistakes: 6 in the config (two of them paths the relay could not write), 4 in one
    /// rule, 2 in a file of two rules, 1 in a TICKscript task, 2 in a handler file of two handlers.
    @Test func fifteenPlantedMistakesInOneRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("check15-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let notADirectory = dir.appendingPathComponent("spool-file").path
        try "".write(toFile: notADirectory, atomically: true, encoding: .utf8)
        let conf = dir.appendingPathComponent("a.conf").path
        try """
            [[kafka]]
              enabled = true
              id = "k"
              brokers = ["127.0.0.1:9093"]
              compression = "brotli"
              batchsize = 10
            [[udp]]
              bind-address = "127.0.0.1:0"
              precision = "fortnight"
            [relay]
              shutdown-timeout = "10 s"
              dead-letter-file = "\(dir.path)/missing/dead.jsonl"
            [spool]
              dir = "\(notADirectory)"

            """.write(toFile: conf, atomically: true, encoding: .utf8)
        try """
            id: cpu
            measurement: cpu
            crit: '"usage_idle" <'
            mesage: "x"
            history: 1
            details: '{{ .Foo '

            """.write(to: dir.appendingPathComponent("rules/a.yaml"), atomically: true, encoding: .utf8)
        try """
            - id: mem
              measurement: mem
              kafka:
                - topic: t
                  cluster: nope
              crit: '"used" > 90'
            - id: disk
              measurement: disk

            """.write(to: dir.appendingPathComponent("rules/b.yaml"), atomically: true, encoding: .utf8)
        try """
            stream
                |from()
                    .measurement('cpu')
                |alert()
                    .crit(lambda: "x" > )

            """.write(to: dir.appendingPathComponent("rules/c.tick"), atomically: true, encoding: .utf8)
        try """
            id: h1
            topic: cpu
            kind: slack
            ---
            id: h2
            topic: cpu
            kind: kafka
            match: 'level() =='
            options:
              topic: alerts

            """.write(to: dir.appendingPathComponent("handlers/h.yaml"), atomically: true, encoding: .utf8)
        let r = try AlertRelayCLI.run(["check", "--config", conf])
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let problems = lines.filter { !$0.hasPrefix("warning:") && $0 != "15 problems found" }
        #expect(lines.last == "15 problems found", "\(r.stderr)")
        let rules = dir.appendingPathComponent("rules").path, handlers = dir.appendingPathComponent("handlers").path
        let expected = [
            "\(conf):5:3: [[kafka]] #1 (id \"k\"): compression: \"brotli\" is not one of none, gzip, snappy, lz4, zstd",
            "\(conf):6:3: [[kafka]] #1 (id \"k\"): batchsize: unknown option (did you mean \"batch-size\"? known:",
            "\(conf):9:3: [[udp]] #1: precision: \"fortnight\" is not one of ns, us, ms, s, m, h",
            "\(conf):11:3: [relay]: shutdown-timeout:",
            "\(conf):12:3: [relay]: dead-letter-file: the directory \"\(dir.path)/missing\" does not exist",
            "\(conf):14:3: [spool]: dir: \"\(notADirectory)\" exists and is not a directory",
            "\(rules)/a.yaml:3:",
            "\(rules)/a.yaml:4:1: rule \"cpu\": unknown key \"mesage\" (did you mean \"message\"?)",
            "\(rules)/a.yaml:5:10: history must be at least 2",
            "\(rules)/a.yaml:6:10: rule \"cpu\": details:",
            "\(rules)/b.yaml:5:16: rule \"mem\" kafka: unknown cluster \"nope\" (enabled [[kafka]] ids: k)",
            "\(rules)/b.yaml:7:3: rule \"disk\": at least one of info, warn or crit (or deadman) is required",
            "\(rules)/c.tick:5:",
            "\(handlers)/h.yaml:3:7: handler \"h1\": unsupported kind \"slack\"",
            "\(handlers)/h.yaml:8:",
        ]
        #expect(problems.count == expected.count, "\(r.stderr)")
        for (line, prefix) in zip(problems, expected) {
            #expect(line.hasPrefix(prefix), "\(line)\n  expected to start with\n\(prefix)")
        }
        // Every problem names a line and a column.
        for line in problems {
            let place = line.split(separator: ": ", maxSplits: 1).first.map(String.init) ?? ""
            #expect(place.split(separator: ":").suffix(2).allSatisfy { Int($0) != nil }, "\(line)")
        }
    }
}

/// `check` on a pasted kapacitor.conf, the default `--config`, and `--rules`/`--handlers`.
@Suite struct CheckOptionsTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func kapacitorConfChecksWithItsWarnings() throws {
        let fixture = Self.repo + "/Tests/RelayConfigTests/Fixtures/kapacitor-1.5.9.conf"
        let r = try AlertRelayCLI.run(["check", "--config", fixture])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("kafka \"localhost\" (disabled)") && r.stdout.contains("http :9092"), "\(r.stdout)")
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: \(fixture):") }
        #expect(warnings.count == 47, "\(r.stderr)")
        #expect(r.stderr.contains("warning: \(fixture):225:1: [smtp] is a Kapacitor section alertrelay does not use, ignored:"))
    }

    @Test func configDefaultsToTheEnvironmentThenEtc() throws {
        let fromEnvironment = try AlertRelayCLI.run(["check"], environment: ["ALERTRELAY_CONFIG_PATH": Self.repo + "/Config/alertrelay.conf"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stdout.hasPrefix(Self.repo + "/Config/alertrelay.conf: OK"))
        let standard = try AlertRelayCLI.run(["check"], environment: ["ALERTRELAY_CONFIG_PATH": ""])
        if !FileManager.default.fileExists(atPath: "/etc/alertrelay/alertrelay.conf") {
            #expect(standard.status == 2)
            #expect(standard.stderr.hasPrefix("/etc/alertrelay/alertrelay.conf: cannot read the file"), "\(standard.stderr)")
        }
    }

    @Test func rulesAndHandlersDirectoriesAsInTest() throws {
        let r = try AlertRelayCLI.run(["check", "--config", Self.repo + "/Config/alertrelay.conf", "--rules", Self.repo + "/Config/examples/rules",
                                       "--handlers", Self.repo + "/Config/examples/handlers"])
        #expect(r.status == 0, "\(r.stderr)")
        let examples = (try FileManager.default.contentsOfDirectory(atPath: Self.repo + "/Config/examples/rules")).filter { $0.hasSuffix(".yaml") }
        #expect(r.stdout.contains("rules in \(examples.count) files"), "\(r.stdout)")
    }

    /// A rule reading a database no listener writes to would never fire: `check` says so.
    @Test func aRuleNoListenerFeedsIsWarnedAbout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unfed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[[udp]]\n  bind-address = \"127.0.0.1:0\"\n  database = \"telegraf\"\n".write(to: dir.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        try "- id: fed\n  database: telegraf\n  crit: '\"v\" > 0'\n- id: unfed\n  database: apps\n  crit: '\"v\" > 0'\n"
            .write(to: dir.appendingPathComponent("rules/r.yaml"), atomically: true, encoding: .utf8)
        let r = try AlertRelayCLI.run(["check", "--config", dir.appendingPathComponent("a.conf").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "warning: \(dir.path)/rules/r.yaml:4:3: rule \"unfed\" reads database apps, which no [[udp]] or [[tcp]] section writes "
            + "(their database and retention-policy): it will never see a point\n", "\(r.stderr)")
    }
}
