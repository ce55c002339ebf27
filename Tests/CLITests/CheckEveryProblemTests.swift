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
