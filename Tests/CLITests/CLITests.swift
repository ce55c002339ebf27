import AlertRelayTestSupport
import Foundation
import Testing

/// The `alertrelay` command line as a user runs it: the built binary, real files and pipes.
@Suite struct CLITests {
    static func alertrelay(_ args: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try AlertRelayCLI.run(args, stdin: stdin, environment: environment)
    }

    @Test func renderPrintsWhatGoPrints() throws {
        let r = try Self.alertrelay(["render", "--template", #"{{.ID}} is {{.Level}} value={{index .Fields "value" | printf "%.2f"}} {{.D}}"#,
                                     "--data", #"{"ID":"cpu:nil","Level":"CRITICAL","Fields":{"value":5.5},"D":{"$duration":"90s"}}"#])
        #expect(r.status == 0)
        #expect(r.stdout == "cpu:nil is CRITICAL value=5.50 1m30s")
    }

    @Test func renderErrorIsGosAndExitsOne() throws {
        let r = try Self.alertrelay(["render", "--template", "a{{.X.Y}}", "--data", #"{"X":1}"#])
        #expect(r.status == 1)
        #expect(r.stdout == "a")
        #expect(r.stderr == "template: render:1:5: executing \"render\" at <.X.Y>: can't evaluate field Y in type interface {}\n")
        let p = try Self.alertrelay(["render", "--template", "{{.X"])
        #expect(p.status == 1)
        #expect(p.stderr == "template: render:1: unclosed action\n")
    }

    @Test func renderCases() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cases-\(getpid()).jsonl")
        try Data(#"""
            {"id":1,"template":"{{.A}}!","data":{"A":"x"}}
            {"id":"two","template":"{{index .L 5}}","data":{"L":[1]}}
            """#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Self.alertrelay(["render", "--cases", file.path])
        #expect(r.status == 0)
        #expect(r.stdout == """
            {"id":1,"out":"x!"}
            {"err":"template: render:1:2: executing \\"render\\" at <index .L 5>: error calling index: index out of range: 5","id":"two","out":""}

            """)
    }

    /// The typed-data oracle cases (Tests/GoTemplateTests/Fixtures/typed.jsonl, recorded by Go) through
    /// `render --cases`, each line's data written as JSON in the line, and a few through `--data`.
    @Test func renderKeepsTypedDataAsGo() throws {
        struct Case: Decodable {
            var name: String
            var template: String
            var data: String
            var out: String
            var err: String?
        }
        let anchor = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GoTemplateTests/TypedDataOracleTests.swift").path
        let cases: [Case] = try oracleFixture("typed.jsonl", besides: anchor)
        #expect(cases.count >= 40)
        let lines = try cases.map { c in
            let head = try JSONSerialization.data(withJSONObject: ["id": c.name, "name": c.name, "template": c.template], options: [.sortedKeys])
            return String(decoding: head.dropLast(), as: UTF8.self) + #","data":"# + c.data + "}"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("typed-\(getpid()).jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Self.alertrelay(["render", "--cases", file.path])
        #expect(r.status == 0)
        let results = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(results.count == cases.count)
        for (c, result) in zip(cases, results) {
            #expect(result["id"] as? String == c.name)
            #expect(result["out"] as? String == c.out, "\(c.name) \(c.data)")
            #expect(result["err"] as? String == c.err, "\(c.name) \(c.data)")
        }
        for c in cases where c.data.contains("$uint\":\"") || c.data == "3.0" {
            let single = try Self.alertrelay(["render", "--template", c.template, "--data", c.data])
            #expect(single.stdout == c.out, "\(c.name) \(c.data)")
        }
    }

    @Test func renderAlertKindUsesKapacitorsContext() throws {
        let r = try Self.alertrelay(["render", "--kind", "alert", "--template", "{{.ID}} is {{.Level}} on {{.Tags.host}} after {{.Duration}}",
                                     "--data", #"{"ID":"cpu:nil","Level":"CRITICAL","Tags":{"host":"a"},"Duration":"90s"}"#])
        #expect(r.status == 0)
        #expect(r.stdout == "cpu:nil is CRITICAL on a after 1m30s")
        let bad = try Self.alertrelay(["render", "--kind", "alert_id", "--template", "{{.Level}}", "--data", "{}"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "template: render:1:2: executing \"render\" at <.Level>: can't evaluate field Level in type alert.idInfo\n")
    }

    @Test func renderAlertDetailsIsHTMLEscapedJSON() throws {
        let r = try Self.alertrelay(["render", "--kind", "alert_details", "--template", "{{ json . }}",
                                     "--data", #"{"ID":"cpu:nil","Message":"a<b & c","Tags":{"host":"a"}}"#])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("{&#34;Name&#34;:&#34;&#34;,&#34;TaskName&#34;:&#34;&#34;,&#34;Group&#34;:&#34;&#34;,&#34;Tags&#34;:{&#34;host&#34;:&#34;a&#34;}"))
        #expect(r.stdout.contains("&#34;Message&#34;:&#34;a\\u003cb \\u0026 c&#34;}\n"))
        let compact = try Self.alertrelay(["render", "--kind", "alert_details", "--template", "{{ jsonCompact .Tags }}|", "--data", #"{"Tags":{"h":"a+b"}}"#])
        #expect(compact.stdout == "{&#34;h&#34;:&#34;a&#43;b&#34;}|")
        // Markup: html/template's contextual escaping (the HTML, the attribute, the URL, the script).
        let markup = try Self.alertrelay(["render", "--kind", "alert_details", "--template",
                                          #"<b title="{{.ID}}">{{.ID}}</b><a href="{{.Message}}">x</a><script>var m = {{.Message}};</script>"#,
                                          "--data", #"{"ID":"a<b","Message":"javascript:alert('x')"}"#])
        #expect(markup.status == 0)
        #expect(markup.stdout == ##"<b title="a&lt;b">a&lt;b</b><a href="#ZgotmplZ">x</a><script>var m = "javascript:alert('x')";</script>"##)
        let unclosed = try Self.alertrelay(["render", "--kind", "alert_details", "--template", #"<a href="{{.ID}}"#, "--data", "{}"])
        #expect(unclosed.status == 1)
        #expect(unclosed.stderr == "html/template:render: ends in a non-text context: {stateURL delimDoubleQuote urlPartNone jsCtxRegexp attrURL elementNone <nil>}\n")
    }

    @Test func parseContract() throws {
        let r = try Self.alertrelay(["parse", "--precision", "s", "--now", "1"], stdin: "cpu,host=a v=1.5,n=2i 1700000000\nbad\n")
        #expect(r.status == 1)
        #expect(r.stdout == """
            {"line":1,"measurement":"cpu","tags":[["host","a"]],"fields":[{"key":"v","type":"float","value":1.5},{"key":"n","type":"integer","value":2}],"time":1700000000000000000}
            {"line":2,"error":"line 2, column 4: missing fields"}

            """)
    }

    @Test func checkReportsEveryProblemWithExitTwo() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(getpid()).conf")
        try Data("[[kafka]]\nenabled = true\nid = \"\"\nbatch-size = -1\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Self.alertrelay(["check", "--config", file.path])
        #expect(r.status == 2)
        #expect(r.stderr == """
            \(file.path):1:1: [[kafka]] #1 (id ""): brokers: no brokers specified, must provide at least one broker URL
            \(file.path):3:1: [[kafka]] #1 (id ""): id: id must not be empty
            \(file.path):4:1: [[kafka]] #1 (id ""): batch-size: must not be negative, got -1
            3 problems found

            """)
    }

    /// Secrets (`sasl-password`, `auth-token`) never reach `check` output or the relay's log.
    @Test func secretsAreNeverPrinted() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let conf = dir.appendingPathComponent("a.conf").path
        try """
            [[kafka]]
              enabled = true
              id = "k"
              brokers = ["127.0.0.1:1"]
              sasl-mechanism = "SCRAM-SHA-512"
              sasl-username = "relay"
              sasl-password = "s3cret-pw"
            [http]
              bind-address = "127.0.0.1:0"
              auth-token = "t0ken-secret"
            [logging]
              level = "trace"
            """.write(toFile: conf, atomically: true, encoding: .utf8)
        let check = try Self.alertrelay(["check", "--config", conf])
        #expect(check.status == 0)
        #expect(check.stdout.contains("auth-token=set") && check.stdout.contains("security=sasl_plaintext"))
        let relay = try RelayProcess(config: try String(contentsOfFile: conf, encoding: .utf8))
        _ = await eventually(timeout: .seconds(3)) { relay.log.contains("kafka client error") }
        let log = relay.log
        relay.stop()
        for secret in ["s3cret-pw", "t0ken-secret"] {
            #expect(!check.stdout.contains(secret) && !check.stderr.contains(secret))
            #expect(!log.contains(secret), "\(log)")
        }
    }

    /// `check` fails where `run` would: a state file in a directory that does not exist, a secret
    /// typed as a number (never printed), a duration librdkafka would wrap around.
    @Test func checkRefusesWhatRunCannotUse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("checkpaths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let conf = dir.appendingPathComponent("a.conf").path
        try """
            [[kafka]]
              enabled = true
              brokers = ["127.0.0.1:1"]
              message-timeout = "1194h"
            [http]
              auth-token = 1234567890123
            [relay]
              state-file = "\(dir.path)/missing/state.json"
            """.write(toFile: conf, atomically: true, encoding: .utf8)
        let r = try Self.alertrelay(["check", "--config", conf])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(conf):4:3: [[kafka]] #1 (id \"default\"): message-timeout: must be from 1ms to 596h31m23.647s"), "\(r.stderr)")
        #expect(r.stderr.contains("\(conf):6:3: [http]: auth-token: expected a string, got an integer"))
        #expect(!r.stderr.contains("1234567890123"))
        try "[relay]\n  state-file = \"\(dir.path)/missing/state.json\"\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let paths = try Self.alertrelay(["check", "--config", conf])
        #expect(paths.status == 2)
        #expect(paths.stderr.contains("\(conf):2:3: [relay]: state-file: the directory \"\(dir.path)/missing\" does not exist"), "\(paths.stderr)")
    }

    /// The seed's two TICKscript tasks run unchanged and give exactly what their YAML rules give;
    /// `convert` prints the YAML a task stands for.
    @Test func tickTasksMatchTheirYAMLRules() throws {
        func run(_ extra: [String]) throws -> String {
            let r = try Self.alertrelay(["test", "--config", Self.repo + "/Config/alertrelay.conf"] + extra + [Self.repo + "/Config/samples/cpu.lp"])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        let yaml = try run([])
        let tick = try run(["--rules", Self.repo + "/Config/examples/tick"])
        #expect(yaml.contains("kafka cluster=infra-monitoring topic=cpu-alerts"))
        #expect(tick == yaml)
        let c = try Self.alertrelay(["convert", Self.repo + "/Config/examples/tick/kafka-cpu-alert.tick"])
        #expect(c.status == 0)
        #expect(c.stdout == "id: 'kafka-cpu-alert'\nmeasurement: 'cpu'\ncrit: '\"usage_idle\" < 10'\nmessage: 'Hey, check your CPU'\nkafka:\n  - {topic: 'cpu-alerts'}\n")
        let bad = try Self.alertrelay(["convert", Self.repo + "/Config/samples/cpu.lp"])
        #expect(bad.status == 2 && bad.stderr.contains("cpu.lp:1:1: TICKscript:"))
    }

    @Test func versionAndHelp() throws {
        let v = try Self.alertrelay(["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("alertrelay "))
        let h = try Self.alertrelay(["--help"])
        #expect(h.status == 0 && h.stdout.contains("render") && h.stdout.contains("send-test") && h.stdout.contains("parse"))
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The seed's scenario on Config/: CPU idle below 10 → CRITICAL "Hey, check your CPU" to
    /// cpu-alerts, from both the direct `.kafka()` rule and the topic handler; recovery → OK.
    @Test func testReproducesTheSeedScenarioOnConfig() throws {
        let r = try Self.alertrelay(["test", "--config", Self.repo + "/Config/alertrelay.conf", Self.repo + "/Config/samples/cpu.lp"])
        #expect(r.status == 0, "\(r.stderr)")
        let events = r.stdout.split(separator: "\n").filter { $0.hasPrefix("event ") }
        #expect(events.contains { $0.contains("rule=kafka-cpu-alert id=cpu:nil level=CRITICAL message=\"Hey, check your CPU\"") })
        #expect(events.contains { $0.contains("rule=cpu_alert id=cpu:nil level=CRITICAL") })
        #expect(events.contains { $0.contains("rule=kafka-cpu-alert id=cpu:nil level=OK") })
        let kafka = r.stdout.split(separator: "\n").filter { $0.hasPrefix("kafka ") }
        #expect(kafka.filter { $0.contains("handler=kafka-cpu-alert:kafka:0") }.count == 3)
        #expect(kafka.filter { $0.contains("handler=kafka-cpu-alert ") }.count == 3)
        #expect(kafka.allSatisfy { $0.hasPrefix("kafka cluster=infra-monitoring topic=cpu-alerts key=cpu:nil ") })
        #expect(r.stdout.hasSuffix("summary points=4 rejected=0 events=6 kafka-messages=6 errors=0\n"))
    }

    /// The alert's output properties (`levelTag`, `idField`, `durationField`, …) show on the
    /// points it emits, one `emitted` line per event.
    @Test func testPrintsWhatTheAlertEmits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emitted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[load]\n  dir = \".\"\n".write(to: dir.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        try "id: r\nmeasurement: cpu\ngroupBy: [host]\ncrit: '\"v\" > 90'\nlevelTag: level\nidField: alertID\ndurationField: dur\n"
            .write(to: dir.appendingPathComponent("rules/r.yaml"), atomically: true, encoding: .utf8)
        let r = try Self.alertrelay(["test", "--config", dir.appendingPathComponent("a.conf").path, "-"],
                                    stdin: "cpu,host=a v=95 1000000000\ncpu,host=a v=96 2000000000\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("emitted cpu,host=a,level=CRITICAL v=float(95.0),alertID=string(\"cpu:host=a\"),dur=integer(0) time=1970-01-01T00:00:01Z\n"), "\(r.stdout)")
        #expect(r.stdout.contains("dur=integer(1000000000) time=1970-01-01T00:00:02Z\n"))
    }

    /// Every handler kind prints one line per message: post with its URL (an endpoint's URL
    /// template rendered, with the endpoint's template as body), tcp with its address, each with
    /// the exact body.
    @Test func testPrintsPostAndTCPMessages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("posttcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[load]\n  dir = \".\"\n[[httppost]]\n  endpoint = \"ep\"\n  url = \"https://127.0.0.1:8080/alerts/{{ .Level }}\"\n  alert-template = \"{{ .Message }}\"\n"
            .write(to: dir.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        try "stream|from().measurement('cpu').groupBy('host')|alert().crit(lambda: \"v\" > 90)\n  .post('http://127.0.0.1:9000/x').header('A', 'b')\n  .post().endpoint('ep')\n  .tcp('127.0.0.1:9001')\n"
            .write(to: dir.appendingPathComponent("rules/r.tick"), atomically: true, encoding: .utf8)
        let r = try Self.alertrelay(["test", "--config", dir.appendingPathComponent("a.conf").path, "-"], stdin: "cpu,host=a v=95 1000000000\n")
        #expect(r.status == 0, "\(r.stderr)")
        let json = #"{"id":"cpu:host=a","message":"cpu:host=a is CRITICAL","details":"{\u0026#34;Name\u0026#34;:\u0026#34;cpu\u0026#34;"#
        #expect(r.stdout.contains("post url=http://127.0.0.1:9000/x handler=r:post:0 body=" + json), "\(r.stdout)")
        #expect(r.stdout.contains("post url=https://127.0.0.1:8080/alerts/CRITICAL handler=r:post:1 body=cpu:host=a is CRITICAL\n"), "\(r.stdout)")
        #expect(r.stdout.contains("tcp address=127.0.0.1:9001 handler=r:tcp:0 body=" + json), "\(r.stdout)")
    }

    @Test func testExplainsWhyAnAlertDidNotFire() throws {
        let r = try Self.alertrelay(["test", "--explain", "--config", Self.repo + "/Config/alertrelay.conf", "-"],
                                    stdin: "cpu,host=a usage_idle=50 0\ncpu,host=a usage_user=1 10\nmem,host=a used=1 20\n")
        #expect(r.status == 1)  // an expression failed on the point without usage_idle
        #expect(r.stdout.contains("crit \"usage_idle\" < 10 → false"))
        #expect(r.stdout.contains("level OK → no event: OK and unchanged: nothing to recover from"))
        #expect(r.stdout.contains("crit \"usage_idle\" < 10 → error: left reference value \"usage_idle\" is missing value"))
        #expect(r.stdout.contains("no rule reads measurement \"mem\""))
    }

    @Test func badRuleFileFailsWithFileLineAndReason() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[[kafka]]\nenabled = true\nid = \"k\"\nbrokers = [\"127.0.0.1:9092\"]\n".write(to: dir.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        try "id: r\ncrit: '\"v\" <'\n".write(to: dir.appendingPathComponent("rules/r.yaml"), atomically: true, encoding: .utf8)
        let r = try Self.alertrelay(["check", "--config", dir.appendingPathComponent("a.conf").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("rules/r.yaml:2:"))
        #expect(r.stderr.contains("rule \"r\": crit: unexpected end of expression"))
    }

    /// Deploy/ names the binary, flags, ports and paths the relay really has: the Kubernetes
    /// ConfigMap's config, rule and handler load as mounted, its probes hit /health and /ready on
    /// the [http] port, and the Dockerfile and systemd unit run `alertrelay run --config`.
    @Test func deployFilesMatchTheRelay() throws {
        let deploy = URL(fileURLWithPath: Self.repo).appendingPathComponent("Deploy")
        let manifest = try String(contentsOf: deploy.appendingPathComponent("kubernetes.yaml"), encoding: .utf8)
        func block(_ key: String) -> String {
            let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
            guard let start = lines.firstIndex(where: { $0 == "  \(key): |" }) else { return "" }
            var out: [Substring] = []
            for l in lines[(start + 1)...] {
                if l.hasPrefix("    ") || l.isEmpty { out.append(l.dropFirst(min(4, l.count))) } else { break }
            }
            return out.joined(separator: "\n") + "\n"
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("handlers"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The manifest mounts the ConfigMap as the directory /etc/alertrelay (no subPath: updates must
        // reach it), its items laid out as {alertrelay.conf,rules/,handlers/}; [load] dir is that directory.
        #expect(manifest.contains("- {name: config, mountPath: /etc/alertrelay, readOnly: true}"))
        #expect(!manifest.contains("subPath:"), "a subPath mount never sees a ConfigMap update")
        #expect(manifest.contains("- {key: alertrelay.conf, path: alertrelay.conf}"))
        #expect(manifest.contains("- {key: kafka-cpu-alert.yaml, path: rules/kafka-cpu-alert.yaml}"))
        #expect(manifest.contains("- {key: kafka_cpu_handler.yaml, path: handlers/kafka_cpu_handler.yaml}"))
        // /var/lib/alertrelay is the pod's volume: here a directory of the test's stands for it.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("var"), withIntermediateDirectories: true)
        let conf = block("alertrelay.conf").replacingOccurrences(of: "dir = \"/etc/alertrelay\"", with: "dir = \".\"")
            .replacingOccurrences(of: "/var/lib/alertrelay/", with: dir.appendingPathComponent("var").path + "/")
        #expect(conf.contains(dir.appendingPathComponent("var").path + "/state.json"))
        try conf.write(to: dir.appendingPathComponent("alertrelay.conf"), atomically: true, encoding: .utf8)
        try block("kafka-cpu-alert.yaml").write(to: dir.appendingPathComponent("rules/kafka-cpu-alert.yaml"), atomically: true, encoding: .utf8)
        try block("kafka_cpu_handler.yaml").write(to: dir.appendingPathComponent("handlers/kafka_cpu_handler.yaml"), atomically: true, encoding: .utf8)
        let r = try Self.alertrelay(["check", "--config", dir.appendingPathComponent("alertrelay.conf").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1 rules in 1 files, 1 handlers in 1 files"))
        #expect(r.stdout.contains("udp 127.0.0.1:8089"))
        #expect(r.stdout.contains("http :9092"))
        #expect(manifest.contains("httpGet: {path: /health, port: 9092}"))
        #expect(manifest.contains("httpGet: {path: /ready, port: 9092}"))
        // A native sidecar: started before the app, stopped after it, with a startup probe.
        #expect(manifest.contains("      initContainers:\n        - name: alertrelay\n"))
        #expect(manifest.contains("          restartPolicy: Always\n"))
        #expect(manifest.contains("          startupProbe:\n            httpGet: {path: /health, port: 9092}"))
        #expect(manifest.contains("args: [\"run\", \"--config\", \"/etc/alertrelay/alertrelay.conf\"]"))
        // /write and /metrics listen on the pod IP: the token comes from a Secret.
        #expect(manifest.contains("- name: ALERTRELAY_HTTP_AUTH_TOKEN\n              valueFrom:\n                secretKeyRef: {name: alertrelay-token, key: auth-token}"))
        #expect(manifest.contains("kind: Secret\nmetadata:\n  name: alertrelay-token"))
        let withToken = try Self.alertrelay(["check", "--config", dir.appendingPathComponent("alertrelay.conf").path],
                                            environment: ["ALERTRELAY_HTTP_AUTH_TOKEN": "from-the-secret"])
        #expect(withToken.status == 0 && withToken.stdout.contains("auth-token=set"), "\(withToken.stderr)")
        let docker = try String(contentsOf: deploy.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(docker.contains("CMD [\"run\", \"--config\", \"/etc/alertrelay/alertrelay.conf\"]"))
        #expect(docker.contains("ENTRYPOINT [\"/usr/local/bin/alertrelay\"]"))
        // The image's listeners are reachable from outside the container: every interface, the exposed ports.
        #expect(docker.contains("EXPOSE 8089/udp 8086/tcp"))
        #expect(docker.contains("ENV ALERTRELAY_UDP_0_BIND_ADDRESS=:8089 ALERTRELAY_HTTP_BIND_ADDRESS=:8086"))
        // TLS trust without the ca-certificates package: the bundle where swift-nio-ssl looks, and
        // SSL_CERT_FILE naming it for librdkafka (OpenSSL's default verify paths read that variable).
        #expect(docker.contains("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt"))
        #expect(docker.contains("ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"))
        let image = try Self.alertrelay(["check"], environment: [
            "ALERTRELAY_CONFIG_PATH": Self.repo + "/Config/alertrelay.conf",
            "ALERTRELAY_UDP_0_BIND_ADDRESS": ":8089", "ALERTRELAY_HTTP_BIND_ADDRESS": ":8086",
        ])
        #expect(image.status == 0, "\(image.stderr)")
        #expect(image.stdout.contains("udp :8089") && image.stdout.contains("http :8086"), "\(image.stdout)")
        #expect(!image.stderr.contains("warning"), "\(image.stderr)")
        let unit = try String(contentsOf: deploy.appendingPathComponent("alertrelay.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/alertrelay run --config /etc/alertrelay/alertrelay.conf"))
        #expect(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        // systemd notify: ready once listening, reload and stop states, the watchdog.
        #expect(unit.contains("\nType=notify\n"))
        #expect(unit.contains("\nWatchdogSec="))
        #expect(unit.contains("ExecReload=/usr/local/bin/alertrelay check --config /etc/alertrelay/alertrelay.conf"))
        #expect(docker.contains("libyaml-0-2"), "the runtime image has the system libyaml the relay links")
        // The shipped Config/ passes check too (the quick start runs it).
        let shipped = try Self.alertrelay(["check", "--config", Self.repo + "/Config/alertrelay.conf"])
        #expect(shipped.status == 0, "\(shipped.stderr)")
    }

    /// Config/examples: templates in rules and handler files, a log handler, match on changes.
    @Test func templatedExamplesRun() throws {
        let r = try Self.alertrelay(["test", "--config", Self.repo + "/Config/alertrelay.conf", "--rules", Self.repo + "/Config/examples/rules",
                                     "--handlers", Self.repo + "/Config/examples/handlers", Self.repo + "/Config/examples/disk.lp"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(#"body={"alert":"disk-usage:db-1:/var","level":"CRITICAL","was":"WARNING","text":"CRITICAL: /var on db-1 is 93.1% full","since":"2025-11-28T00:03:00Z"}"#))
        #expect(r.stdout.contains("summary points=5 rejected=0 events=3 kafka-messages=2 errors=0"))
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("log path=/tmp/alertrelay-disk-alerts.log handler=disk-log") }.count == 3)
    }
}
