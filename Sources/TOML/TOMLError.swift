/// Why a document is not TOML 1.0, and where: the position of the offending character (or of the
/// construct that is never closed), and a reason that says what was expected.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var position: TOMLPosition
    /// What is wrong and what would be right, without the position.
    public var reason: String

    /// A problem at `position`.
    public init(position: TOMLPosition, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// `line L, column C: reason`.
    public var description: String { "line \(position.line), column \(position.column): \(reason)" }
}
