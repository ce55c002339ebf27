// Template rendering: alertrelay's GoTemplate on the Kapacitor-style benchmark template against an
// alert context of the same shape Tools/template-oracle's Go benchmark uses. Prints
// "renders/s output" (median of RUNS) for run.sh, which prints Go's figure beside it.
//
// usage: TemplateBenchmark [N] [RUNS]
import Foundation
import GoDuration
import GoTemplate

nonisolated func measure(n: Int, runs: Int) throws -> (Double, String) {
    let text = ProcessInfo.processInfo.environment["BENCH_TEMPLATE"]
        ?? #"{{.ID}} is {{.Level}} value={{index .Fields "value"}} host={{index .Tags "host"}}"#
    let template = try Template(name: "bench", text: text)
    let context = TemplateValue.object(TemplateObject(typeName: "alert.messageInfo", orderedFields: [
        ("ID", .string("cpu:host=server01")), ("Name", .string("cpu")), ("TaskName", .string("cpu_alert")),
        ("Group", .string("host=server01")), ("Tags", .stringMap(["host": "server01", "cpu": "cpu-total"])),
        ("Fields", .map(["value": .float64(97.5), "usage_user": .float64(1.25)])), ("Level", .string("CRITICAL")),
        ("Time", .time(GoTime(unixNano: 1_795_822_382_000_000_000))), ("Duration", .duration(GoDuration(nanoseconds: 90_000_000_000))),
    ]))
    var rates: [Double] = []
    var last = ""
    for _ in 0..<runs {
        let start = ContinuousClock.now
        for _ in 0..<n {
            last = try template.render(context)
        }
        let d = ContinuousClock.now - start
        rates.append(Double(n) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
    }
    rates.sort()
    return (rates[rates.count / 2], last)
}

let args = CommandLine.arguments
let n = args.count > 1 ? Int(args[1]) ?? 200_000 : 200_000
let runs = args.count > 2 ? Int(args[2]) ?? 5 : 5
let (rate, output) = try measure(n: n, runs: runs)
print(String(format: "%.0f", rate), output)
