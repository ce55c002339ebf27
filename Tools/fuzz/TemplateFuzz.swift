// libFuzzer target for the Go template engine: the input is split into a template and JSON data;
// parsing, html/template escaping and executing must never crash, whatever the bytes. Built by Tools/fuzz/run.sh template.

@_cdecl("LLVMFuzzerTestOneInput")
public func templateFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    // "TEMPLATE\u{0}JSON": data after the first NUL, or a fixed alert-like context.
    let parts = text.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
    let templateText = String(parts[0])
    let value: TemplateValue
    if parts.count > 1, let v = try? TemplateValue(json: String(parts[1])) {
        value = v
    } else {
        value = .map(["ID": .string("cpu:nil"), "Level": .string("CRITICAL"), "Fields": .map(["value": .float64(97.5), "n": .int64(3)]),
                      "Tags": .stringMap(["host": "a"]), "List": .list([.int64(1), .string("x"), .null]), "Nil": .null])
    }
    for (options, html) in [([String](), false), (["missingkey=error"], false), ([], true)] {
        guard let t = try? Template(name: "fuzz", text: templateText, functions: html ? KapacitorContext.detailsFunctions : [:],
                                    options: options, htmlEscaping: html) else { continue }
        var out = ""
        try? t.execute(value, into: &out)
    }
    return 0
}
