#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path name arithmetic as Foundation's `NSString` path methods do it (`standardizingPath`,
/// `lastPathComponent`, `deletingLastPathComponent`), for the relay that links FoundationEssentials
/// only, which has none of them. The results are the ones the relay printed and watched before.
public enum PathNames {
    /// `NSString.pathComponents`: a leading "/" is a component of its own, as is a trailing one;
    /// empty components between slashes are dropped.
    static func components(_ path: String) -> [String] {
        guard !path.isEmpty else { return [] }
        var out: [String] = []
        if path.hasPrefix("/") { out.append("/") }
        out += path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if path.count > 1 && path.hasSuffix("/") { out.append("/") }
        return out
    }

    /// `NSString.lastPathComponent`: "/a/b/" → "b", "/" → "/", "a" → "a".
    public static func lastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return String(p) }
        if p.count == 1 { return "/" }
        return String(p[p.index(after: slash)...])
    }

    /// `NSString.deletingLastPathComponent`: "/a/b" → "/a", "/a" → "/", "a" → "", "/" → "/",
    /// "//a//b" → "/a" (repeated slashes collapse).
    public static func deletingLastComponent(_ path: String) -> String {
        var parts = components(path)
        if parts.count > 1 && parts.last == "/" { parts.removeLast() }
        guard parts.count > 1 else { return parts.first == "/" ? "/" : "" }
        parts.removeLast()
        if parts.first == "/" { return "/" + parts.dropFirst().joined(separator: "/") }
        return parts.joined(separator: "/")
    }

    /// `NSString.appendingPathComponent`: joined with one slash, slashes collapsed, no trailing one.
    static func appending(_ base: String, _ component: String) -> String {
        let joined = base.isEmpty ? component : (component.isEmpty ? base : base + "/" + component)
        var out = ""
        for c in joined where !(c == "/" && out.hasSuffix("/")) { out.append(c) }
        while out.count > 1 && out.hasSuffix("/") { out.removeLast() }
        return out
    }

    /// `NSString.standardizingPath` (swift-corelibs-foundation): a leading `~` expanded to the home
    /// directory, then component by component "" and "." dropped, ".." removing the previous
    /// component in an absolute path, and each component that is a symbolic link to an absolute
    /// path replaced by its destination (links to relative paths are kept as written, as
    /// Foundation keeps them: PathNamesTests compares the two).
    public static func standardized(_ path: String) -> String {
        let expanded = expandingTilde(path)
        var components = components(expanded)
        guard !components.isEmpty else { return path }
        if components.count > 1 && components.last == "/" { components.removeLast() }
        let absolute = expanded.hasPrefix("/")
        var resolved = components.removeFirst()
        for component in components {
            switch component {
            case "", ".":
                break
            case ".." where absolute:
                resolved = deletingLastComponent(resolved)
            default:
                resolved = appending(resolved, component)
                if let destination = symlinkDestination(resolved) { resolved = destination }
            }
        }
        return resolved
    }

    /// Where the symbolic link at `path` leads, followed while each link names an absolute path;
    /// nil when `path` is not a link or names a relative one (Foundation leaves those as written).
    private static func symlinkDestination(_ path: String) -> String? {
        var current: String?
        var next = path
        var followed = 0
        // A loop of links ends where readlink would fail with ELOOP (the kernel's limit is 40).
        while followed < 40, let target = readLink(next), target.hasPrefix("/") {
            current = target
            next = target
            followed += 1
        }
        return current
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `~` and `~/…` with `$HOME` (else the password database's home); `~user/…` with that user's.
    private static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let end = path.firstIndex(of: "/") ?? path.endIndex
        let user = String(path[path.index(after: path.startIndex)..<end])
        var home: String?
        if user.isEmpty, let h = getenv("HOME") { home = String(cString: h) }
        if home == nil {
            let entry = user.isEmpty ? getpwuid(getuid()) : getpwnam(user)
            if let dir = entry?.pointee.pw_dir { home = String(cString: dir) }
        }
        guard let home else { return path }
        return appending(home, String(path[end...]))
    }
}
