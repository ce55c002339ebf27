/// Why a TICKscript cannot be read or run here, with the place (line, and column in UTF-8 bytes
/// as Kapacitor counts them).
struct TICKError: Error {
    var line: Int
    var column: Int
    var message: String

    init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    init(at position: TICKNode.Position, _ message: String) {
        self.init(line: position.line, column: position.column, message: message)
    }
}
