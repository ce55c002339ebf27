import Foundation

/// Reads an oracle fixture: `Fixtures/NAME` next to the calling test file, one JSON object per
/// line (recorded by the generators under Tools/).
public func oracleFixture<Case: Decodable>(_ name: String, as type: Case.Type = Case.self, besides file: String = #filePath) throws -> [Case] {
    let url = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return try Data(contentsOf: url).split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Case.self, from: Data($0)) }
}
