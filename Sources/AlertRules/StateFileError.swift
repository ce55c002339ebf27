/// The state file could not be written: which step failed, on which file, and the system's reason.
public struct StateFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var step: String
    public var reason: String
    public var description: String { "cannot \(step) \(path): \(reason)" }
}
