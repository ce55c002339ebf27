#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the relay will be able to write the files and directories the configuration names
/// (`[spool] dir`, `[relay] state-file`, `[relay] dead-letter-file`), so `check` fails where `run`
/// would, instead of passing a path that cannot be written.
enum WritablePaths {
    /// Why the directory `path` cannot be used (created with its parents if missing), or nil.
    static func directoryProblem(_ path: String) -> String? {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { return "\"\(path)\" exists and is not a directory" }
            return access(path, W_OK | X_OK) == 0 ? nil : "\"\(path)\" is not writable: \(String(cString: strerror(errno)))"
        }
        if errno != ENOENT && errno != ENOTDIR { return "\"\(path)\": \(String(cString: strerror(errno)))" }
        // Missing: the relay creates it with its parents, so the nearest existing ancestor decides.
        let parent = parentDirectory(of: path)
        return parent == path ? "\"\(path)\" cannot be created" : directoryProblem(parent).map { "cannot create \"\(path)\": \($0)" }
    }

    /// Why the file `path` cannot be written (its directory must exist: a file is created in it,
    /// or replaced through a temporary file beside it), or nil.
    static func fileProblem(_ path: String) -> String? {
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { return "\"\(path)\" is a directory, not a file" }
            if access(path, W_OK) != 0 { return "\"\(path)\" is not writable: \(String(cString: strerror(errno)))" }
        } else if errno != ENOENT && errno != ENOTDIR {
            return "\"\(path)\": \(String(cString: strerror(errno)))"
        }
        let parent = parentDirectory(of: path)
        var pst = stat()
        guard stat(parent, &pst) == 0 else { return "the directory \"\(parent)\" does not exist: \(String(cString: strerror(errno)))" }
        guard (pst.st_mode & S_IFMT) == S_IFDIR else { return "\"\(parent)\" is not a directory" }
        return access(parent, W_OK | X_OK) == 0 ? nil : "the directory \"\(parent)\" is not writable: \(String(cString: strerror(errno)))"
    }

    static func parentDirectory(of path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }
}
