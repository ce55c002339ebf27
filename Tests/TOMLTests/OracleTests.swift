import AlertRelayTestSupport
import Foundation
import Testing
import TOML

/// Differential tests against Python's `tomllib`: Fixtures/oracle.jsonl was recorded by
/// Tools/toml-oracle from its corpus (every construct of TOML 1.0, generated families of tokens and
/// table statements, Kapacitor 1.5.9's kapacitor.conf, this repository's configuration files).
/// Every document tomllib reads must read to the same tree; every document it refuses must be
/// refused; the few deviations (limits TOML lets an implementation set) must be refused too.
@Suite struct OracleTests {
    struct Case: Decodable, Sendable {
        var name: String
        var toml: String
        var expected: OracleNode?
        var error: String?
        var deviation: String?
    }

    static func fixtures() throws -> [Case] {
        var cases: [Case] = try oracleFixture("oracle.jsonl")
        // Another corpus recorded with `generate.py --dir DIR FILE` (toml-test's, say), for a local run.
        if let extra = ProcessInfo.processInfo.environment["TOML_ORACLE_EXTRA"] {
            cases += try Data(contentsOf: URL(fileURLWithPath: extra)).split(separator: UInt8(ascii: "\n"))
                .map { try JSONDecoder().decode(Case.self, from: Data($0)) }
        }
        return cases
    }

    @Test func theCorpusHasItsCases() throws {
        let cases = try Self.fixtures()
        #expect(cases.count >= 8000)
        #expect(cases.filter { $0.expected != nil }.count >= 1500)
        #expect(cases.filter { $0.expected == nil && $0.deviation == nil }.count >= 5000)
        #expect(cases.contains { $0.name == "kapacitor v1.5.9:etc/kapacitor/kapacitor.conf" && $0.expected != nil })
        #expect(cases.contains { $0.name == "Config/alertrelay.conf" && $0.expected != nil })
    }

    /// Same verdict as tomllib on every document, and the same tree for every valid one.
    @Test func everyDocumentReadsAsTomllibReadsIt() throws {
        var failures: [String] = []
        for c in try Self.fixtures() {
            do {
                let table = try TOMLTable(parsing: c.toml)
                if let expected = c.expected {
                    if let m = expected.mismatch(TOMLValue(table)) { failures.append("\(c.name): \(m)") }
                } else {
                    failures.append("\(c.name): accepted; tomllib: \(c.error ?? c.deviation ?? "")")
                }
            } catch {
                if c.expected != nil { failures.append("\(c.name): refused (\(error)); tomllib reads it") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) documents differ:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    /// Where we refuse what tomllib accepts, the error says which limit it is.
    @Test func deviationsNameTheirLimit() throws {
        let deviations = try Self.fixtures().filter { $0.deviation != nil }
        #expect(deviations.count >= 10)
        for c in deviations {
            #expect(throws: TOMLError.self, "\(c.name)") { try TOMLTable(parsing: c.toml) }
            do {
                _ = try TOMLTable(parsing: c.toml)
            } catch {
                #expect(error.reason.contains("64-bit") || error.reason.contains("nested more than 100 deep"), "\(c.name): \(error)")
            }
        }
    }
}
